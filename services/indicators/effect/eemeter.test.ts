import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fitBaseline, predict, DEFAULT_FIT } from './baselineModel.js';
import { syntheticDays, type SyntheticBuilding } from './syntheticDays.js';

/**
 * The baseline model against OpenEEmeter (eemeter 4.1.1, PyPI) on the same days:
 * a seeded generator writes two years of daily temperature and energy to CSV,
 * test/python/eemeter_daily.py fits eemeter's CalTRACK daily model ("legacy":
 * one model for the year, squared loss, its L1 penalty off) to the first year and
 * predicts the second; our fit must give the same balance point, coefficients and
 * predicted totals.
 *
 * Tolerances, and why: eemeter optimises the balance point continuously (nlopt
 * SBPLX, stopping when a step improves the loss by less than its tolerance); we
 * search a 0.05 °C grid. The sum of squares is flat near its minimum, so both
 * stop within a few hundredths of a degree of each other (0.02 °C measured) — 0.1 °C allowed. The
 * slope and intercept follow the balance point (a higher balance point means a
 * lower intercept and a flatter slope): 0.1 % measured, 1 % allowed. The predicted totals barely
 * move along that flat valley (0.01 % measured): 0.1 % allowed for the reporting year and the
 * baseline year.
 * A wrong HDD definition, a missed balance point (1 °C off) or a wrong slope
 * fails these (checked by breaking the model: see the report of this change).
 *
 * Needs eemeter: `bash test/python/setup-eemeter.sh` (.ci/run does it, cached in
 * ~/.cache/klimatpuls/venv-eemeter); EEMETER_PYTHON names another interpreter.
 * Without it the test fails: it does not skip.
 */
const here = dirname(fileURLToPath(import.meta.url));
const script = resolve(here, '../../../test/python/eemeter_daily.py');
const python = process.env.EEMETER_PYTHON ?? join(homedir(), '.cache/klimatpuls/venv-eemeter/bin/python');
const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-eemeter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface EemeterResult {
  submodels: number;
  model_type: string;
  intercept: number;
  balance_point_c?: number;
  hdd_slope_per_c?: number;
  baseline_predicted_kwh: number;
  reporting_predicted_kwh: number;
  reporting_observed_kwh: number;
  reporting_days: number;
}

function eemeter(csv: string): EemeterResult {
  if (!existsSync(python)) throw new Error(`eemeter is not installed: run \`bash test/python/setup-eemeter.sh\` (or set EEMETER_PYTHON); looked for ${python}`);
  const out = execFileSync(python, [script, csv], { cwd: tmpdir(), encoding: 'utf8', timeout: 170_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as EemeterResult;
}

const FINE = { ...DEFAULT_FIT, balancePoints: Array.from({ length: 401 }, (_, i) => 5 + i * 0.05) };

const cases: Array<{ name: string; seed: number; building: SyntheticBuilding }> = [
  { name: 'district-heated school, balance point 15.5 °C', seed: 11, building: { intercept: 200, slope: 15, balancePoint: 15.5, noiseKwh: 20, saving: 0.15 } },
  { name: 'well-insulated block, balance point 12 °C, noisier', seed: 29, building: { intercept: 420, slope: 9, balancePoint: 12, noiseKwh: 45, saving: 0.08 } },
];

describe('baseline model against eemeter (CalTRACK daily)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const days = syntheticDays(c.seed, '2023-01-01', 730, c.building, 365);
      const csv = join(dir, `${c.seed}.csv`);
      writeFileSync(csv, ['day,period,temperature_c,kwh', ...days.map((d, i) => `${d.date},${i < 365 ? 'baseline' : 'reporting'},${d.temperature},${d.kwh}`)].join('\n') + '\n');
      const ee = eemeter(csv);
      const base = days.slice(0, 365);
      const rep = days.slice(365);
      const ours = fitBaseline(base, FINE);
      const ourBaseline = base.reduce((s, d) => s + predict(ours, d.temperature), 0);
      const ourReporting = rep.reduce((s, d) => s + predict(ours, d.temperature), 0);
      console.log(c.name, JSON.stringify({ eemeter: ee, ours: { balancePoint: ours.balancePoint, slope: ours.hddSlope, intercept: ours.intercept, baseline: ourBaseline, reporting: ourReporting } }));

      expect(ee.submodels).toBe(1);
      expect(ee.model_type).toBe('hdd_tidd');
      expect(ours.kind).toBe('hdd');
      expect(Math.abs(ours.balancePoint! - ee.balance_point_c!)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(ours.hddSlope! / ee.hdd_slope_per_c! - 1)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(ours.intercept / ee.intercept - 1)).toBeLessThanOrEqual(0.01);
      expect(ee.reporting_days).toBe(365);
      expect(Math.abs(ourBaseline / ee.baseline_predicted_kwh - 1)).toBeLessThanOrEqual(0.001);
      expect(Math.abs(ourReporting / ee.reporting_predicted_kwh - 1)).toBeLessThanOrEqual(0.001);
      // and both find the saving that was put in
      const actual = rep.reduce((s, d) => s + d.kwh, 0);
      expect(Math.abs(actual - ee.reporting_observed_kwh)).toBeLessThan(1e-6 * actual);
      expect((ourReporting - actual) / ourReporting).toBeCloseTo(c.building.saving, 1);
    }, 180_000);
  }
});
