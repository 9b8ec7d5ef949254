import { twoSidedQuantile } from './studentT.js';

/**
 * ASHRAE Guideline 14-2014 statistics of a baseline model and the uncertainty of
 * the savings it gives.
 *
 *   CV(RMSE) = √( Σ (y_i − ŷ_i)² / (n − p) ) / ȳ
 *   NMBE     = Σ (y_i − ŷ_i) / ((n − p) · ȳ)
 *
 * over the n baseline days, p = the model's parameters (1 intercept-only, 3 for
 * the HDD change-point model: intercept, slope, balance point). An OLS fit with
 * an intercept has Σ (y − ŷ) = 0, so its NMBE is 0 up to rounding: shown because
 * Guideline 14 asks for it, and it catches a model that is not an OLS fit.
 *
 * Thresholds: Guideline 14 gives CV(RMSE) ≤ 15 % and |NMBE| ≤ 5 % for monthly
 * data and CV(RMSE) ≤ 30 % and |NMBE| ≤ 10 % for hourly data; it has no daily
 * figure. Daily data is sub-monthly, so the hourly thresholds are applied
 * (DAILY_THRESHOLDS). Guideline 14 also requires the savings uncertainty to be
 * below 50 % of the savings at 68 % confidence; a model "passes" when it meets
 * both thresholds and that (see effect.ts).
 *
 * Savings uncertainty (Guideline 14 Annex B, fractional savings uncertainty):
 *
 *   ΔE_save / E_save = t · 1.26 · CV · √( (n / n′) · (1 + 2/n) · (1/m) ) / F
 *
 * with m reporting days, F = E_save / E_baseline (the savings fraction),
 * n′ = n (1 − ρ) / (1 + ρ) the effective number of baseline points for residuals
 * with lag-1 autocorrelation ρ (capped at n), and t Student's t for the
 * confidence level at n′ − p degrees of freedom. Multiplied out, the absolute
 * uncertainty ΔE_save = t · 1.26 · CV · √(…) · E_baseline does not depend on F.
 */

export const DAILY_THRESHOLDS = { cvrmse: 0.3, nmbe: 0.1, savingsUncertaintyAt68: 0.5 } as const;

export interface FitStatistics {
  n: number;
  p: number;
  mean: number;
  cvrmse: number;
  nmbe: number;
  /** Lag-1 autocorrelation of the residuals (days in order). */
  rho: number;
  /** Effective number of points n′. */
  nEffective: number;
}

export function fitStatistics(observed: number[], predicted: number[], p: number): FitStatistics {
  const n = observed.length;
  const mean = observed.reduce((s, v) => s + v, 0) / n;
  const res = observed.map((y, i) => y - predicted[i]!);
  const sse = res.reduce((s, e) => s + e * e, 0);
  const bias = res.reduce((s, e) => s + e, 0);
  let lag = 0;
  for (let i = 1; i < n; i++) lag += res[i]! * res[i - 1]!;
  const rho = sse > 0 ? lag / sse : 0;
  const nEffective = Math.min(n, (n * (1 - rho)) / (1 + rho));
  return { n, p, mean, cvrmse: Math.sqrt(sse / (n - p)) / mean, nmbe: bias / ((n - p) * mean), rho, nEffective };
}

/** Absolute uncertainty (kWh) of savings over m reporting days whose baseline prediction totals `predictedTotal`. */
export function savingsUncertainty(s: FitStatistics, m: number, predictedTotal: number, confidence: number): number {
  if (m <= 0 || s.nEffective <= s.p) return Number.POSITIVE_INFINITY;
  const t = twoSidedQuantile(confidence, s.nEffective - s.p);
  return t * 1.26 * s.cvrmse * Math.sqrt((s.n / s.nEffective) * (1 + 2 / s.n) * (1 / m)) * Math.abs(predictedTotal);
}
