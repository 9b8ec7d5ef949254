import type { IndicatorContext, IndicatorValue } from './types.js';

/*
 * Building the values of the count-, fill- and reading-based indicator families
 * (mobility, waste, quality): one value per entity with its coverage, and the
 * tenant's '*' value that averages them. Energy builds its own (it also marks values
 * insufficient when the caller says they cannot stand, or when they are not finite).
 */

/** Arithmetic mean; 0 for no numbers. */
export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** One IndicatorValue of the context's period; sufficient = coverage >= settings.minCoverage. */
export function makeValue(
  ctx: IndicatorContext,
  indicator: string,
  unit: string,
  entity: string,
  value: number,
  coverage: number,
  details?: Record<string, number | string>,
): IndicatorValue {
  const c = Number.isFinite(coverage) ? Math.max(0, Math.min(1, coverage)) : 0;
  return {
    indicator,
    period: ctx.period.label,
    periodKind: ctx.period.kind,
    tenant: ctx.tenant,
    entity,
    value,
    unit,
    coverage: c,
    sufficient: c >= ctx.settings.minCoverage,
    ...(details ? { details } : {}),
  };
}
