import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, DAY, HOUR, fillCoverage, containerDevices, forEachContainer, maxGapMs, type Container } from './common.js';
import { makeValue, mean } from '../indicatorValue.js';

/**
 * overflows — overflow episodes: times a container was fuller than
 * settings.overflowThreshold (default 95 %).
 *
 * Method, per container: consecutive fill_level readings above the threshold
 * form one episode (however long, and also across a hole in the data); an
 * episode belongs to the period of its first reading above. Readings from two
 * days before the period are loaded, so an episode that started before the
 * period is not counted again.
 *
 * Entity = container (device id, details.site = its bin room); '*' = sum over
 * containers. Coverage = share of the period covered by readings (gaps over 3 h
 * are holes); '*' = mean over containers.
 *
 * details: hours_above (hours of the period spent above the threshold, between
 * readings at most 3 h apart), site; '*' containers, containers_overflowing.
 */
export const OVERFLOWS_ID = 'overflows';

const UNIT = 'count';

function episodes(c: Container, threshold: number, from: number, to: number, maxGap: number): { count: number; hoursAbove: number } {
  let count = 0;
  let above = 0;
  const pts = c.points.filter((p) => p.level !== undefined);
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    const isAbove = p.level! > threshold;
    const prevAbove = i > 0 && pts[i - 1]!.level! > threshold;
    if (isAbove && !prevAbove && p.t >= from && p.t < to) count++;
    const next = pts[i + 1];
    if (isAbove && next && next.t - p.t <= maxGap) above += Math.max(0, Math.min(next.t, to) - Math.max(p.t, from));
  }
  return { count, hoursAbove: above / HOUR };
}

export const overflows: Indicator = {
  id: OVERFLOWS_ID,
  name: { sv: 'Överfulla kärl', en: 'Overflowing containers' },
  description: {
    sv: 'Antal gånger ett kärl blev överfullt (över 95 % som standard). Ett kärl som är överfullt flera timmar i sträck räknas en gång. Överfulla kärl betyder nedskräpning och att hämtningen kom för sent.',
    en: 'How many times a container became overfull (above 95 % by default). A container that stays overfull for hours counts once. Overfull containers mean litter and a collection that came too late.',
  },
  unit: UNIT,
  needs: { metrics: ['fill_level', 'fill_volume'], kinds: ['waste_fill'] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'sum',
  better: 'lower',
  async compute(ctx) {
    const { start, end } = ctx.period;
    const containers = containerDevices(ctx);
    if (containers.length === 0) return [];
    const gap = maxGapMs(ctx);
    const out: IndicatorValue[] = [];
    const coverages: number[] = [];
    let count = 0;
    let hours = 0;
    let overflowing = 0;
    await forEachContainer(ctx, start - 2 * DAY, end + 6 * HOUR, (c) => {
      const e = episodes(c, ctx.settings.overflowThreshold, start, end, gap);
      count += e.count;
      hours += e.hoursAbove;
      if (e.count > 0) overflowing++;
      const cov = fillCoverage(ctx, c, start, end);
      coverages.push(cov);
      out.push(makeValue(ctx, OVERFLOWS_ID, UNIT, c.device.id, e.count, cov, { site: c.site, hours_above: e.hoursAbove }));
    });
    out.push(makeValue(ctx, OVERFLOWS_ID, UNIT, ALL, count, mean(coverages), { hours_above: hours, containers: containers.length, containers_overflowing: overflowing }));
    return out;
  },
};
