/**
 * The finance-style view of one target: the quarter's outcome, year to date,
 * the year's "budget" (the trajectory), the deviation and a full-year forecast,
 * like a municipality's quarterly report against the year's budget. Pure
 * functions of the report points; generic over targets (nothing per target).
 *
 * Aggregation over the year: `sum` for flows (kWh, t CO2e, counts: the year is
 * the sum of its quarters), `mean` for levels (shares, per-household rates,
 * indices: the year is the mean of its quarters). A target may set it
 * (`aggregate` in the targets file); otherwise defaultAggregate(unit) decides.
 *
 * Budget: the year's trajectory values per quarter, aggregated; YTD budget the
 * same over the quarters so far. Deviation = outcome − budget (absolute, and
 * as a share of |budget|); `favourable` says whether it is on the good side.
 *
 * Forecast ("year so far and last year's profile"): R = Σ this year ÷ Σ last
 * year over the quarters so far where both years have sufficient data (the
 * pace against last year). Each quarter of the year is then its own sufficient
 * outcome, or else last year's same quarter × R (the remaining quarters, and a
 * quarter so far that lacks data); the forecast is their sum or mean. The
 * interval repeats this with the lowest and the highest of the per-quarter
 * ratios r_q = this_q ÷ last_q (the spread of the year's pace so far; one
 * comparable quarter gives no spread, so low = high). Without a comparable
 * quarter, or with a needed quarter of last year missing, the forecast is
 * "not enough data": nothing is invented.
 */
import type { ReportPoint } from './reportData.js';

export type Aggregate = 'sum' | 'mean';

/** Why there is no forecast. */
export type NoForecast = 'no_comparable_quarter' | 'last_year_incomplete';

export interface Comparison {
  value?: number;
  budget?: number;
  deviation?: number;
  /** deviation ÷ |budget|. */
  deviationShare?: number;
  favourable?: boolean;
  /** Every quarter it rests on has sufficient data. */
  sufficient: boolean;
}

export interface Forecast {
  value: number;
  low: number;
  high: number;
  /** Pace against last year (R). */
  ratio: number;
  /** Quarters estimated from last year (not measured with sufficient data this year). */
  estimatedQuarters: string[];
  deviation?: number;
  deviationShare?: number;
  favourable?: boolean;
}

export interface TargetFinance {
  aggregate: Aggregate;
  year: number;
  /** Quarters of the year so far (1..4). */
  quartersElapsed: number;
  /** The year's four quarters: budget (trajectory) and, so far, the outcome. */
  quarters: Array<{ period: string; budget?: number; value?: number; sufficient: boolean }>;
  quarter: Comparison;
  ytd: Comparison;
  /** The full year's budget (trajectory), when every quarter of the year has one. */
  yearBudget?: number;
  forecast?: Forecast;
  noForecast?: NoForecast;
  /** Against the previous quarter. */
  sincePrevious: { period?: string; previousStatus?: ReportPoint['status']; status: ReportPoint['status']; statusChanged: boolean; valueChange?: number; valueChangeShare?: number };
}

const FLOW_UNIT = /^(k|M|G)?Wh$|CO2|^(t|kg)\b|^count$|^bikes$|^pedestrians$|^(L|l|m³)$/;

/** sum for flows (energy, emissions, counts), mean for levels (%, per-x rates, indices, kW). */
export function defaultAggregate(unit: string): Aggregate {
  return !unit.includes('/') && FLOW_UNIT.test(unit) ? 'sum' : 'mean';
}

function aggregate(values: number[], how: Aggregate): number {
  const s = values.reduce((a, b) => a + b, 0);
  return how === 'sum' ? s : s / values.length;
}

function compare(value: number | undefined, budget: number | undefined, better: 'lower' | 'higher', sufficient: boolean): Comparison {
  const out: Comparison = { sufficient };
  if (value !== undefined) out.value = value;
  if (budget !== undefined) out.budget = budget;
  if (value !== undefined && budget !== undefined) {
    out.deviation = value - budget;
    if (budget !== 0) out.deviationShare = out.deviation / Math.abs(budget);
    out.favourable = better === 'lower' ? out.deviation <= 1e-9 : out.deviation >= -1e-9;
  }
  return out;
}

const has = (p?: ReportPoint): p is ReportPoint & { value: number } => p?.value !== undefined && Number.isFinite(p.value);
const good = (p?: ReportPoint): p is ReportPoint & { value: number } => has(p) && p.sufficient;

/**
 * `history`: quarters oldest first, ending with the report's quarter and
 * holding all of last year; `ahead`: the trajectory of the year's remaining quarters;
 * `range`: the values the unit allows (0–100 for %), which estimated quarters keep to.
 */
export function financeOf(args: { history: ReportPoint[]; ahead: Array<number | undefined>; aggregate: Aggregate; better: 'lower' | 'higher'; range?: readonly [number, number] }): TargetFinance {
  const { history, better } = args;
  const how = args.aggregate;
  const current = history[history.length - 1]!;
  const previous = history[history.length - 2];
  const year = Number(current.period.slice(0, 4));
  const k = Number(current.period.slice(-1));
  const byQuarter = (y: number) => [1, 2, 3, 4].map((q) => history.find((p) => p.period === `${y}Q${q}`));
  const now = byQuarter(year).slice(0, k);
  const last = byQuarter(year - 1);

  const ytdValues = now.filter(has).map((p) => p.value);
  const ytdTraj = now.map((p) => p?.trajectory);
  const yearTraj = [...ytdTraj, ...args.ahead, undefined, undefined, undefined, undefined].slice(0, 4);
  const complete = args.ahead.length === 4 - k;
  const all = <T>(xs: Array<T | undefined>): xs is T[] => xs.length > 0 && xs.every((x) => x !== undefined);
  const ytdBudget = all(ytdTraj) ? aggregate(ytdTraj, how) : undefined;
  const yearBudget = complete && all(yearTraj) ? aggregate(yearTraj, how) : undefined;

  const finance: TargetFinance = {
    aggregate: how,
    year,
    quartersElapsed: k,
    quarters: yearTraj.map((b, i) => {
      const p = now[i];
      return { period: `${year}Q${i + 1}`, ...(b !== undefined ? { budget: b } : {}), ...(has(p) ? { value: p.value } : {}), sufficient: good(p) };
    }),
    quarter: compare(has(current) ? current.value : undefined, current.trajectory, better, good(current)),
    ytd: compare(ytdValues.length === k ? aggregate(ytdValues, how) : undefined, ytdBudget, better, now.every(good)),
    ...(yearBudget !== undefined ? { yearBudget } : {}),
    sincePrevious: {
      status: current.status,
      statusChanged: previous !== undefined && previous.status !== current.status,
      ...(previous ? { period: previous.period, previousStatus: previous.status } : {}),
      ...(has(current) && has(previous) ? { valueChange: current.value - previous.value, ...(previous.value !== 0 ? { valueChangeShare: (current.value - previous.value) / Math.abs(previous.value) } : {}) } : {}),
    },
  };

  const pairs = now.map((p, i) => [p, last[i]] as const).filter(([a, b]) => good(a) && good(b) && b.value !== 0) as Array<readonly [ReportPoint & { value: number }, ReportPoint & { value: number }]>;
  const lastSum = pairs.reduce((s, [, b]) => s + b.value, 0);
  if (!pairs.length || lastSum === 0) return { ...finance, noForecast: 'no_comparable_quarter' };
  const ratio = pairs.reduce((s, [a]) => s + a.value, 0) / lastSum;
  const ratios = pairs.map(([a, b]) => a.value / b.value);
  const rLow = Math.min(...ratios);
  const rHigh = Math.max(...ratios);
  const quarters: Array<{ fixed?: number; last?: number }> = [];
  const estimated: string[] = [];
  for (let q = 0; q < 4; q++) {
    const p = now[q];
    if (q < k && good(p)) quarters.push({ fixed: p.value });
    else {
      const l = last[q];
      if (!good(l)) return { ...finance, noForecast: 'last_year_incomplete' };
      quarters.push({ last: l.value });
      estimated.push(`${year}Q${q + 1}`);
    }
  }
  // An estimated quarter stays within what the unit allows (a share cannot pass 100 %).
  const [min, max] = args.range ?? [-Infinity, Infinity];
  const at = (r: number) => aggregate(quarters.map((x) => x.fixed ?? Math.min(max, Math.max(min, x.last! * r))), how);
  const [a, b] = [at(rLow), at(rHigh)];
  const value = at(ratio);
  const vs = compare(value, yearBudget, better, true);
  const forecast: Forecast = { value, low: Math.min(a, b), high: Math.max(a, b), ratio, estimatedQuarters: estimated };
  if (vs.deviation !== undefined) forecast.deviation = vs.deviation;
  if (vs.deviationShare !== undefined) forecast.deviationShare = vs.deviationShare;
  if (vs.favourable !== undefined) forecast.favourable = vs.favourable;
  return { ...finance, forecast };
}
