import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, DAY, HOUR, emptyings, fillCoverage, containerDevices, forEachContainer } from './common.js';
import { makeValue, mean } from '../indicatorValue.js';

/**
 * emptyings_low_fill — emptyings of containers that were less than
 * settings.lowFillThreshold (default 50 %) full just before: collection trips
 * that could have waited.
 *
 * Method, per container: an emptying is a drop of more than 20 percentage points
 * of fill_level between consecutive readings; the fill level "just before" is
 * the last reading before the drop. An emptying belongs to the period of the
 * first reading after it. Readings from two days before the period are loaded so
 * that an emptying right at its start is seen.
 *
 * Entity = container (device id, details.site = its bin room); '*' = sum.
 * Coverage = share of the period covered by the container's readings (gaps over
 * 3 h are holes: an emptying inside a long hole is still seen as a drop, but its
 * "before" level is old); '*' = mean over containers.
 *
 * details: emptyings (all), low_fill_share_pct (when there were emptyings),
 * unknown_fill (emptyings whose level is unknown: volume only, no volume_l).
 */
export const EMPTYINGS_LOW_FILL_ID = 'emptyings_low_fill';

const UNIT = 'count';

export const emptyingsAtLowFill: Indicator = {
  id: EMPTYINGS_LOW_FILL_ID,
  name: { sv: 'Tömningar vid låg fyllnad', en: 'Emptyings at low fill' },
  description: {
    sv: 'Antal gånger ett kärl tömdes fast det var mindre än halvfullt (gränsen kan ställas in): onödiga hämtningar som kostar pengar och ger utsläpp. Andelen visar hur stor del av alla tömningar som var onödiga. Färre är bättre.',
    en: 'How many times a container was emptied although it was less than half full (the threshold is configurable): unnecessary collection trips that cost money and cause emissions. The share shows how many of all emptyings were unnecessary. Fewer is better.',
  },
  unit: UNIT,
  needs: { metrics: ['fill_level', 'fill_volume'], kinds: ['waste_fill'] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'sum',
  better: 'lower',
  async compute(ctx) {
    const { start, end } = ctx.period;
    const threshold = ctx.settings.lowFillThreshold;
    const containers = containerDevices(ctx);
    if (containers.length === 0) return [];
    const out: IndicatorValue[] = [];
    const coverages: number[] = [];
    const total = { low: 0, all: 0, unknown: 0 };
    const details = (a: typeof total, extra: Record<string, string | number> = {}) => ({
      ...extra,
      emptyings: a.all,
      ...(a.all > 0 ? { low_fill_share_pct: (100 * a.low) / a.all } : {}),
      ...(a.unknown > 0 ? { unknown_fill: a.unknown } : {}),
    });
    await forEachContainer(ctx, start - 2 * DAY, end + 6 * HOUR, (c) => {
      const es = emptyings(c, start, end);
      const a = {
        low: es.filter((e) => e.before !== undefined && e.before < threshold).length,
        all: es.length,
        unknown: es.filter((e) => e.before === undefined).length,
      };
      total.low += a.low;
      total.all += a.all;
      total.unknown += a.unknown;
      const cov = fillCoverage(ctx, c, start, end);
      coverages.push(cov);
      out.push(makeValue(ctx, EMPTYINGS_LOW_FILL_ID, UNIT, c.device.id, a.low, cov, details(a, { site: c.site })));
    });
    out.push(makeValue(ctx, EMPTYINGS_LOW_FILL_ID, UNIT, ALL, total.low, mean(coverages), details(total, { containers: containers.length })));
    return out;
  },
};
