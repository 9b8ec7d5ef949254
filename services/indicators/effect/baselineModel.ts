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
 * Cooling (CDD) terms are left out: Swedish district-heated buildings have little
 * cooling load in their meters; a building with one shows a poor fit (CV(RMSE)).
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
  /** °C·d. */
  minTotalHdd: number;
}

/** CalTRACK's defaults in °C: balance points 30–90 °F in 1 °F steps would be −1.1…32.2 °C; heating only needs the lower part, 0–25 °C in 0.5 °C steps. */
export const DEFAULT_FIT: FitOptions = {
  balancePoints: Array.from({ length: 51 }, (_, i) => i * 0.5),
  maxPValue: 0.1,
  minNonZeroDays: 10,
  minTotalHdd: 20 / 1.8,
};

export interface BaselineModel {
  kind: 'intercept_only' | 'hdd';
  intercept: number;
  /** kWh per °C·d (HDD model). */
  hddSlope?: number;
  /** °C (HDD model). */
  balancePoint?: number;
  /** Two-sided p-value of the slope. */
  slopePValue?: number;
  r2: number;
  adjR2: number;
  /** Parameters for ASHRAE Guideline 14's n − p: 1 (intercept) or 3 (intercept, slope, balance point: a 3-parameter change-point model). */
  parameters: number;
  /** Candidates tried and qualified (for the details). */
  candidates: number;
  qualified: number;
}

export const hdd = (balancePoint: number, t: number): number => Math.max(0, balancePoint - t);

export function predict(m: BaselineModel, temperature: number): number {
  return m.kind === 'hdd' ? m.intercept + m.hddSlope! * hdd(m.balancePoint!, temperature) : m.intercept;
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
  return { ...best, candidates: o.balancePoints.length + 1, qualified };
}
