import { twoSidedP } from './studentT.js';

/**
 * The CalTRACK daily baseline model (CalTRACK 2.0 §3, IPMVP Option C), heating
 * side: energy per day against heating degree-days of the day's mean outdoor
 * temperature T_d,
 *
 *   intercept-only:  E_d = β0
 *   HDD model:       E_d = β0 + βH · max(0, b − T_d)   for a balance point b
 *
 * fitted by ordinary least squares. The balance point is searched over a grid of
 * candidates; a candidate qualifies when it has enough heating days (at least
 * `minNonZeroDays` days with HDD > 0 and `minTotalHdd` °C·d in all — CalTRACK's
 * 10 days and 20 °F·d) and its slope is positive and significant (two-sided
 * p < `maxPValue`, 0.1). Of the intercept-only model (adjusted R² = 0) and the
 * qualifying candidates, the one with the highest adjusted R² is chosen
 * (ties: the intercept-only model, then the lowest balance point).
 *
 * Cooling (`cooling: true`, a building with cooling: a `cooling_meter` or
 * `params.cooling` in the registry, see groupModel.ts) adds CalTRACK's cooling
 * models with cooling degree-days max(0, T_d − c):
 *
 *   CDD model:       E_d = β0 + βC · max(0, T_d − c)
 *   HDD + CDD model: E_d = β0 + βH · max(0, b − T_d) + βC · max(0, T_d − c),  b ≤ c
 *
 * each term qualifying like the heating one (days, degree-days, a positive slope
 * with p < 0.1); the highest adjusted R² of all qualifying models wins. Without
 * cooling only the heating side is tried: Swedish district-heated buildings have
 * little cooling load in their meters, and a cooling term fitted to noise would
 * only add parameters.
 */

export interface DayPoint {
  /** Start of the Stockholm day, epoch ms. */
  day: number;
  kwh: number;
  /** Mean outdoor temperature of the day, °C. */
  temperature: number;
}

export interface FitOptions {
  /** Candidate balance points, °C. */
  balancePoints: number[];
  maxPValue: number;
  minNonZeroDays: number;
  /** °C·d (also the minimum of cooling degree-days for a cooling term). */
  minTotalHdd: number;
  /** The building has cooling: also try the CDD and HDD + CDD models. */
  cooling?: boolean;
  /** Candidate cooling balance points, °C. */
  coolingBalancePoints?: number[];
}

/** CalTRACK's defaults in °C: balance points 30–90 °F in 1 °F steps would be −1.1…32.2 °C; heating only needs the lower part, 0–25 °C in 0.5 °C steps. */
export const DEFAULT_FIT: FitOptions = {
  balancePoints: Array.from({ length: 51 }, (_, i) => i * 0.5),
  maxPValue: 0.1,
  minNonZeroDays: 10,
  minTotalHdd: 20 / 1.8,
  coolingBalancePoints: Array.from({ length: 41 }, (_, i) => 10 + i * 0.5),
};

export interface BaselineModel {
  kind: 'intercept_only' | 'hdd' | 'cdd' | 'hdd_cdd';
  intercept: number;
  /** kWh per °C·d (HDD model). */
  hddSlope?: number;
  /** °C (HDD model). */
  balancePoint?: number;
  /** Two-sided p-value of the slope. */
  slopePValue?: number;
  /** kWh per cooling °C·d (CDD and HDD + CDD models). */
  cddSlope?: number;
  /** °C (CDD and HDD + CDD models). */
  coolingBalancePoint?: number;
  cddSlopePValue?: number;
  r2: number;
  adjR2: number;
  /** Parameters for ASHRAE Guideline 14's n − p: 1 (intercept), 3 (intercept, slope, balance point: a 3-parameter change-point model), 5 (HDD + CDD: two slopes and two balance points). */
  parameters: number;
  /** Candidates tried and qualified (for the details). */
  candidates: number;
  qualified: number;
}

export const hdd = (balancePoint: number, t: number): number => Math.max(0, balancePoint - t);

export const cdd = (balancePoint: number, t: number): number => Math.max(0, t - balancePoint);

export function predict(m: BaselineModel, temperature: number): number {
  const heating = m.hddSlope !== undefined ? m.hddSlope * hdd(m.balancePoint!, temperature) : 0;
  const cooling = m.cddSlope !== undefined ? m.cddSlope * cdd(m.coolingBalancePoint!, temperature) : 0;
  return m.intercept + heating + cooling;
}

/** OLS of y on one regressor x: coefficients, residual sum of squares, R², adjusted R², the slope's t-test. */
export function ols(x: number[], y: number[]): { intercept: number; slope: number; sse: number; sst: number; r2: number; adjR2: number; pValue: number } {
  const n = y.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
    sst += (y[i]! - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i]! - intercept - slope * x[i]!) ** 2;
  const r2 = sst > 0 ? 1 - sse / sst : 0;
  const adjR2 = 1 - ((1 - r2) * (n - 1)) / (n - 2);
  const se = Math.sqrt(sse / (n - 2) / sxx);
  // A perfect fit (se = 0) is significant unless its slope is zero (rounding: constant data gives ±1e-16).
  const flat = Math.abs(slope) * Math.sqrt(sxx) <= 1e-12 * (Math.abs(my) * Math.sqrt(n) + Math.sqrt(sst) + 1e-300);
  const pValue = sxx > 0 && n > 2 && !flat ? (se > 0 ? twoSidedP(slope / se, n - 2) : 0) : 1;
  return { intercept, slope, sse, sst, r2, adjR2, pValue };
}

/** OLS of y on two regressors: coefficients, R², adjusted R² and both slopes' t-tests (from the centred normal equations). */
export function ols2(x1: number[], x2: number[], y: number[]): { intercept: number; slope1: number; slope2: number; r2: number; adjR2: number; p1: number; p2: number } {
  const n = y.length;
  const m = (v: number[]) => v.reduce((a, b) => a + b, 0) / n;
  const [m1, m2, my] = [m(x1), m(x2), m(y)];
  let s11 = 0, s22 = 0, s12 = 0, s1y = 0, s2y = 0, sst = 0;
  for (let i = 0; i < n; i++) {
    const a = x1[i]! - m1, b = x2[i]! - m2, c = y[i]! - my;
    s11 += a * a; s22 += b * b; s12 += a * b; s1y += a * c; s2y += b * c; sst += c * c;
  }
  const det = s11 * s22 - s12 * s12;
  if (!(det > 1e-12 * (s11 * s22 + 1e-300)) || n < 4) return { intercept: my, slope1: 0, slope2: 0, r2: 0, adjR2: 0, p1: 1, p2: 1 };
  const slope1 = (s22 * s1y - s12 * s2y) / det;
  const slope2 = (s11 * s2y - s12 * s1y) / det;
  const intercept = my - slope1 * m1 - slope2 * m2;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i]! - intercept - slope1 * x1[i]! - slope2 * x2[i]!) ** 2;
  const r2 = sst > 0 ? 1 - sse / sst : 0;
  const adjR2 = 1 - ((1 - r2) * (n - 1)) / (n - 3);
  const s2 = sse / (n - 3);
  const p = (slope: number, v: number) => (v > 0 ? twoSidedP(slope / Math.sqrt(v), n - 3) : slope !== 0 ? 0 : 1);
  return { intercept, slope1, slope2, r2, adjR2, p1: p(slope1, (s2 * s22) / det), p2: p(slope2, (s2 * s11) / det) };
}

/** Whether a degree-day regressor has enough days and degree-days to be fitted (CalTRACK's sufficiency). */
function enough(x: number[], o: FitOptions): boolean {
  return x.filter((v) => v > 0).length >= o.minNonZeroDays && x.reduce((s, v) => s + v, 0) >= o.minTotalHdd;
}

/** Fits the baseline model to the baseline period's days. */
export function fitBaseline(points: DayPoint[], o: FitOptions = DEFAULT_FIT): BaselineModel {
  const y = points.map((p) => p.kwh);
  const mean = y.reduce((s, v) => s + v, 0) / Math.max(1, y.length);
  let best: BaselineModel = { kind: 'intercept_only', intercept: mean, r2: 0, adjR2: 0, parameters: 1, candidates: o.balancePoints.length + 1, qualified: 1 };
  let qualified = 1;
  for (const b of [...o.balancePoints].sort((p, q) => p - q)) {
    const x = points.map((p) => hdd(b, p.temperature));
    const nonZero = x.filter((v) => v > 0).length;
    const total = x.reduce((s, v) => s + v, 0);
    if (nonZero < o.minNonZeroDays || total < o.minTotalHdd || points.length < 4) continue;
    const f = ols(x, y);
    if (!(f.slope > 0) || !(f.pValue < o.maxPValue)) continue;
    qualified++;
    if (f.adjR2 > best.adjR2) best = { kind: 'hdd', intercept: f.intercept, hddSlope: f.slope, balancePoint: b, slopePValue: f.pValue, r2: f.r2, adjR2: f.adjR2, parameters: 3, candidates: 0, qualified: 0 };
  }
  let candidates = o.balancePoints.length + 1;
  if (o.cooling && points.length >= 5) {
    const cbs = [...(o.coolingBalancePoints ?? DEFAULT_FIT.coolingBalancePoints!)].sort((p, q) => p - q);
    const hx = new Map(o.balancePoints.map((b) => [b, points.map((p) => hdd(b, p.temperature))]));
    for (const c of cbs) {
      const x = points.map((p) => cdd(c, p.temperature));
      candidates++;
      if (!enough(x, o)) continue;
      const f = ols(x, y);
      if (f.slope > 0 && f.pValue < o.maxPValue) {
        qualified++;
        if (f.adjR2 > best.adjR2) best = { kind: 'cdd', intercept: f.intercept, cddSlope: f.slope, coolingBalancePoint: c, cddSlopePValue: f.pValue, r2: f.r2, adjR2: f.adjR2, parameters: 3, candidates: 0, qualified: 0 };
      }
      for (const b of [...o.balancePoints].sort((p, q) => p - q)) {
        if (b > c) continue;
        candidates++;
        const h = hx.get(b)!;
        if (!enough(h, o)) continue;
        const g = ols2(h, x, y);
        if (!(g.slope1 > 0 && g.slope2 > 0 && g.p1 < o.maxPValue && g.p2 < o.maxPValue)) continue;
        qualified++;
        if (g.adjR2 > best.adjR2) best = { kind: 'hdd_cdd', intercept: g.intercept, hddSlope: g.slope1, balancePoint: b, slopePValue: g.p1, cddSlope: g.slope2, coolingBalancePoint: c, cddSlopePValue: g.p2, r2: g.r2, adjR2: g.adjR2, parameters: 5, candidates: 0, qualified: 0 };
      }
    }
  }
  return { ...best, candidates, qualified };
}
