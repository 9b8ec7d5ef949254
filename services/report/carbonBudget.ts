/**
 * The carbon budget view: for every target that follows emissions (a CO2 unit,
 * summed over the year), the emissions the trajectory allows this year, what
 * has been emitted so far this year (YTD), what remains, and where the
 * full-year forecast lands against the allowance. Derived from TargetFinance
 * only, so a new emissions target gets its carbon budget without code.
 */
import type { ReportTarget } from './reportData.js';

export interface CarbonBudget {
  targetId: string;
  name: string;
  unit: string;
  year: number;
  /** Emissions the trajectory allows for the whole year. */
  allowed?: number;
  /** Allowed up to the report's quarter. */
  allowedYtd?: number;
  spentYtd?: number;
  /** allowed − spentYtd. */
  remaining?: number;
  /** spentYtd ÷ allowed. */
  spentShare?: number;
  /** The YTD figure rests on sufficient data in every quarter. */
  sufficient: boolean;
  forecast?: { value: number; low: number; high: number; remaining?: number };
  quarters: Array<{ period: string; allowed?: number; spent?: number; sufficient: boolean }>;
}

export const isEmissionsUnit = (unit: string): boolean => /CO2/i.test(unit);

export function carbonBudgetOf(targets: ReportTarget[]): CarbonBudget[] {
  return targets
    .filter((t) => isEmissionsUnit(t.unit) && t.finance.aggregate === 'sum')
    .map((t) => {
      const f = t.finance;
      const allowed = f.yearBudget;
      const spent = f.ytd.value;
      const out: CarbonBudget = {
        targetId: t.id,
        name: t.name,
        unit: t.unit,
        year: f.year,
        sufficient: f.ytd.sufficient,
        quarters: f.quarters.map((q) => ({ period: q.period, ...(q.budget !== undefined ? { allowed: q.budget } : {}), ...(q.value !== undefined ? { spent: q.value } : {}), sufficient: q.sufficient })),
      };
      if (allowed !== undefined) out.allowed = allowed;
      if (f.ytd.budget !== undefined) out.allowedYtd = f.ytd.budget;
      if (spent !== undefined) out.spentYtd = spent;
      if (allowed !== undefined && spent !== undefined) {
        out.remaining = allowed - spent;
        if (allowed !== 0) out.spentShare = spent / allowed;
      }
      if (f.forecast) out.forecast = { value: f.forecast.value, low: f.forecast.low, high: f.forecast.high, ...(allowed !== undefined ? { remaining: allowed - f.forecast.value } : {}) };
      return out;
    });
}
