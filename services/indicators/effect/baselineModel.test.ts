import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { DEFAULT_FIT, fitBaseline, ols, ols2, predict } from './baselineModel.js';
import { hasCooling } from './groupModel.js';
import { normal } from './syntheticDays.js';
import { fitStatistics, savingsUncertainty } from './fitCriteria.js';
import { twoSidedP, twoSidedQuantile } from './studentT.js';

/** The regression, the t distribution and Guideline 14's statistics against figures computed by hand (and checked with scipy). */
describe('OLS, by hand', () => {
  // x̄ = 2, ȳ = 3, Sxx = 10, Sxy = 8 → slope 0.8, intercept 1.4; residuals −0.4, 0.8, −1, 1.2, −0.6 → SSE 3.6, SST 10
  const x = [0, 1, 2, 3, 4];
  const y = [1, 3, 2, 5, 4];
  it('gives the closed-form coefficients, R², adjusted R² and the slope’s p-value', () => {
    const f = ols(x, y);
    expect(f.slope).toBeCloseTo(0.8, 12);
    expect(f.intercept).toBeCloseTo(1.4, 12);
    expect(f.sse).toBeCloseTo(3.6, 12);
    expect(f.r2).toBeCloseTo(0.64, 12);
    expect(f.adjR2).toBeCloseTo(1 - (0.36 * 4) / 3, 12); // 0.52
    // se = √(3.6 / 3 / 10) = 0.34641, t = 2.3094, df 3: scipy.stats.linregress gives p = 0.104088
    expect(f.pValue).toBeCloseTo(0.10408803866, 8);
  });

  it('t quantiles as scipy.stats.t.ppf', () => {
    expect(twoSidedQuantile(0.68, 10)).toBeCloseTo(1.0464226105, 7);
    expect(twoSidedQuantile(0.9, 10)).toBeCloseTo(1.8124611228, 7);
    expect(twoSidedQuantile(0.9, 3.5)).toBeCloseTo(2.2224334936, 6);
    expect(twoSidedQuantile(0.68, 1e6)).toBeCloseTo(0.9944583777, 5);
    expect(twoSidedP(1.8124611228, 10)).toBeCloseTo(0.1, 9);
  });
});

describe('balance point search (CalTRACK)', () => {
  // Days at -5..14 °C (two of each), energy 100 + 10 · max(0, 10 − T) exactly: the HDD model at 10 °C fits perfectly.
  const temps = Array.from({ length: 40 }, (_, i) => -5 + (i % 20));
  const exact = temps.map((t, i) => ({ day: i, temperature: t, kwh: 100 + 10 * Math.max(0, 10 - t) }));

  it('finds the balance point, slope and intercept of an exact HDD building', () => {
    const m = fitBaseline(exact, { ...DEFAULT_FIT, balancePoints: [8, 9, 10, 11, 12] });
    expect(m.kind).toBe('hdd');
    expect(m.balancePoint).toBe(10);
    expect(m.hddSlope).toBeCloseTo(10, 9);
    expect(m.intercept).toBeCloseTo(100, 9);
    expect(predict(m, -10)).toBeCloseTo(300, 9);
    expect(predict(m, 20)).toBeCloseTo(100, 9);
  });

  it('keeps the intercept-only model when the slope is not positive or not significant', () => {
    const cooling = temps.map((t, i) => ({ day: i, temperature: t, kwh: 100 + 10 * Math.max(0, t - 5) })); // use rises with temperature
    expect(fitBaseline(cooling).kind).toBe('intercept_only');
    // alternating noise, no temperature dependence: every slope has p ≥ 0.1 or is negative
    const flat = temps.map((t, i) => ({ day: i, temperature: t, kwh: 100 + (i % 2 ? 3 : -3) }));
    const m = fitBaseline(flat, { ...DEFAULT_FIT, balancePoints: [10] });
    expect(m.kind).toBe('intercept_only');
    expect(m.intercept).toBeCloseTo(100, 9);
    expect(m.parameters).toBe(1);
  });

  it('disqualifies balance points with fewer than 10 heating days', () => {
    // only -5 and -4 °C are below 0 °C... at balance point -3: 4 days with HDD > 0
    const m = fitBaseline(exact, { ...DEFAULT_FIT, balancePoints: [-3] });
    expect(m.kind).toBe('intercept_only');
  });
});

describe('cooling degree-days (a building with cooling)', () => {
  // A year of days from −8 to 30 °C: heating below 14 °C, cooling above 22 °C, seeded noise.
  const rnd = normal(seededRandom(7));
  const days = Array.from({ length: 365 }, (_, i) => {
    const temperature = 11 + 19 * Math.sin((2 * Math.PI * i) / 365) + rnd();
    return { day: i, temperature, kwh: 80 + 6 * Math.max(0, 14 - temperature) + 9 * Math.max(0, temperature - 22) + 2 * rnd() };
  });

  it('OLS with two regressors: the closed form by hand', () => {
    // y = 1 + 2·x1 + 3·x2 exactly: the coefficients come back, R² = 1
    const x1 = [0, 1, 2, 3, 4, 5];
    const x2 = [1, 0, 2, 1, 3, 1];
    const y = x1.map((a, i) => 1 + 2 * a + 3 * x2[i]!);
    const f = ols2(x1, x2, y);
    expect([f.intercept, f.slope1, f.slope2, f.r2].map((v) => Number(v.toFixed(9)))).toEqual([1, 2, 3, 1]);
    expect(f.p1).toBeLessThan(1e-9);
    expect(f.p2).toBeLessThan(1e-9);
  });

  it('finds the HDD + CDD model with both balance points when the building has cooling', () => {
    const m = fitBaseline(days, { ...DEFAULT_FIT, cooling: true });
    expect(m.kind).toBe('hdd_cdd');
    expect(m.balancePoint).toBeGreaterThanOrEqual(13);
    expect(m.balancePoint).toBeLessThanOrEqual(15);
    expect(m.coolingBalancePoint).toBeGreaterThanOrEqual(21);
    expect(m.coolingBalancePoint).toBeLessThanOrEqual(23);
    expect(m.hddSlope).toBeCloseTo(6, 0);
    expect(m.cddSlope).toBeCloseTo(9, 0);
    expect(m.parameters).toBe(5);
    const heatingOnly = fitBaseline(days);
    expect(heatingOnly.kind).toBe('hdd');
    const sse = (x: typeof m) => days.reduce((s, d) => s + (d.kwh - predict(x, d.temperature)) ** 2, 0);
    expect(sse(m)).toBeLessThan(sse(heatingOnly) / 5);
    expect(predict(m, 30)).toBeCloseTo(m.intercept + m.cddSlope! * (30 - m.coolingBalancePoint!), 9);
  });

  it('a cooling-only building gets the CDD model; a heating-only one keeps HDD with cooling allowed', () => {
    const cool = days.map((d) => ({ ...d, kwh: 50 + 7 * Math.max(0, d.temperature - 20) + rnd() }));
    const c = fitBaseline(cool, { ...DEFAULT_FIT, cooling: true });
    expect(c.kind).toBe('cdd');
    expect(c.cddSlope).toBeCloseTo(7, 0);
    expect(c.hddSlope).toBeUndefined();
    const heat = days.map((d) => ({ ...d, kwh: 50 + 7 * Math.max(0, 12 - d.temperature) + rnd() }));
    expect(fitBaseline(heat, { ...DEFAULT_FIT, cooling: true }).kind).toBe('hdd');
  });

  it('a building has cooling with a cooling meter or params.cooling at its site', () => {
    const dev = (id: string, kind: Device['kind'], site: string, params: Device['params'] = {}): Device => ({ id, tenant: 'kalmar', kind, site, params });
    expect(hasCooling([dev('k1', 'cooling_meter', 'hus-a')], 'kalmar', ['hus-a'])).toBe(true);
    expect(hasCooling([dev('e1', 'electricity_meter', 'hus-a', { cooling: true })], 'kalmar', ['hus-a'])).toBe(true);
    expect(hasCooling([dev('e1', 'electricity_meter', 'hus-a'), dev('k2', 'cooling_meter', 'hus-b')], 'kalmar', ['hus-a'])).toBe(false);
  });
});

describe('ASHRAE Guideline 14 statistics, by hand', () => {
  it('CV(RMSE) and NMBE with n − p, n′ from the lag-1 autocorrelation, and the savings uncertainty', () => {
    const observed = [10, 12, 11, 13, 14, 12];
    const predicted = [11, 11, 11, 12, 13, 13];
    // residuals −1, 1, 0, 1, 1, −1: SSE 5, Σ = 1, ȳ = 12, n = 6, p = 2
    const s = fitStatistics(observed, predicted, 2);
    expect(s.cvrmse).toBeCloseTo(Math.sqrt(5 / 4) / 12, 12);
    expect(s.nmbe).toBeCloseTo(1 / (4 * 12), 12);
    // lag products: −1·1 + 1·0 + 0·1 + 1·1 + 1·−1 = −1 → ρ = −0.2; n′ = 6 · 1.2 / 0.8 = 9, capped at n = 6
    expect(s.rho).toBeCloseTo(-0.2, 12);
    expect(s.nEffective).toBe(6);
    // ΔE = t(0.68, n′ − p = 4) · 1.26 · CV · √((n/n′)(1 + 2/n)/m) · E_baseline, m = 30 days, E_baseline = 3000 kWh
    const t68 = twoSidedQuantile(0.68, 4);
    expect(savingsUncertainty(s, 30, 3000, 0.68)).toBeCloseTo(t68 * 1.26 * s.cvrmse * Math.sqrt((1 + 2 / 6) / 30) * 3000, 9);
    const positive = fitStatistics([1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 2, 3, 6, 7, 8, 9], 1); // residuals 1,1,1,1,−1,−1,−1,−1: lag products 1+1+1−1+1+1+1 = 5, ρ = 5/8
    expect(s.rho).toBeLessThan(0);
    expect(positive.rho).toBeCloseTo(0.625, 12);
    expect(positive.nEffective).toBeCloseTo((8 * 0.375) / 1.625, 12);
  });
});
