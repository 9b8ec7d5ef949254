import { sameLastYear } from '../periods.js';
import type { Indicator, IndicatorValue } from '../types.js';
import { CYCLE_FLOW_ID } from './cycleFlow.js';
import { ALL, cmp } from './common.js';
import { makeValue, mean } from '../indicatorValue.js';

/**
 * cycling_index — bicycles this period against the same period one year earlier
 * (sameLastYear: the same date, ISO week, month, quarter or year), as an index
 * with the earlier period = 100.
 *
 * Method: uses cycle_flow of both periods (ctx.compute). Only counting points
 * with sufficient data in BOTH periods are compared ("common points"), so that a
 * new counter, a removed one or one that was down for weeks does not show up as
 * a change in cycling. '*' = 100 × Σ bikes now / Σ bikes a year ago over the
 * common points.
 *
 * Coverage = mean over the common points of the smaller of the two periods'
 * coverages (each is >= minCoverage by construction), 0 when there is no common
 * point — then the value is NaN and insufficient. A point that is not common
 * gets its own value (when computable) with coverage = the smaller of its two
 * coverages, so it is marked insufficient. A baseline of 0 bikes gives NaN.
 *
 * details: bikes, baseline_bikes, baseline_period; '*' also points (common),
 * points_excluded (comma-separated), note.
 */
export const CYCLING_INDEX_ID = 'cycling_index';

const UNIT = 'index';

export const cyclingIndex: Indicator = {
  id: CYCLING_INDEX_ID,
  name: { sv: 'Cykelindex', en: 'Cycling index' },
  description: {
    sv: 'Hur mycket det cyklas jämfört med samma period året innan (året innan = 100; 110 betyder 10 % fler cyklar). Bara mätpunkter med tillräckligt data båda åren jämförs, så att nya eller trasiga räknare inte ser ut som en förändring i cyklandet.',
    en: 'How much people cycle compared with the same period one year earlier (the earlier year = 100; 110 means 10 % more bikes). Only counting points with enough data in both years are compared, so that new or broken counters do not look like a change in cycling.',
  },
  unit: UNIT,
  needs: { metrics: ['count'], kinds: ['bike_counter'] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'higher',
  uses: [CYCLE_FLOW_ID],
  async compute(ctx) {
    const basePeriod = sameLastYear(ctx.period);
    const [now, then] = await Promise.all([ctx.compute(CYCLE_FLOW_ID, ctx.period), ctx.compute(CYCLE_FLOW_ID, basePeriod)]);
    const byPoint = (vs: IndicatorValue[]) => new Map(vs.filter((v) => v.entity !== ALL).map((v) => [v.entity, v]));
    const nowBy = byPoint(now);
    const thenBy = byPoint(then);
    const points = [...new Set([...nowBy.keys(), ...thenBy.keys()])].sort(cmp);
    if (points.length === 0) return [];

    const out: IndicatorValue[] = [];
    const common: string[] = [];
    const excluded: string[] = [];
    const commonCoverage: number[] = [];
    let bikes = 0;
    let baseline = 0;
    for (const point of points) {
      const a = nowBy.get(point);
      const b = thenBy.get(point);
      const isCommon = Boolean(a?.sufficient && b?.sufficient);
      const cov = Math.min(a?.coverage ?? 0, b?.coverage ?? 0);
      const details: Record<string, number | string> = { baseline_period: basePeriod.label };
      if (a) details.bikes = a.value;
      if (b) details.baseline_bikes = b.value;
      const index = a && b && b.value > 0 ? (100 * a.value) / b.value : Number.NaN;
      if (isCommon) {
        common.push(point);
        commonCoverage.push(cov);
        bikes += a!.value;
        baseline += b!.value;
      } else {
        excluded.push(point);
        details.note = !a || !b ? 'no counter in one of the periods' : 'not enough data in one of the periods';
      }
      if (b && b.value <= 0) details.note = 'no bikes in the baseline period';
      // Not common: its own (insufficient) coverage. Common but no baseline bikes: nothing to index against.
      out.push(makeValue(ctx, CYCLING_INDEX_ID, UNIT, point, index, Number.isFinite(index) ? cov : Math.min(cov, isCommon ? 0 : cov), details));
    }
    const ok = common.length > 0 && baseline > 0;
    const total: Record<string, number | string> = {
      bikes,
      baseline_bikes: baseline,
      baseline_period: basePeriod.label,
      points: common.length,
      points_excluded: excluded.join(','),
    };
    if (common.length === 0) total.note = 'no counting point with enough data in both periods';
    else if (baseline <= 0) total.note = 'no bikes in the baseline period';
    out.push(makeValue(ctx, CYCLING_INDEX_ID, UNIT, ALL, ok ? (100 * bikes) / baseline : Number.NaN, ok ? mean(commonCoverage) : 0, total));
    return out;
  },
};
