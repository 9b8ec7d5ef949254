import { hoursIn } from '../periods.js';
import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, DAY, cmp, fillCoverage, isEmptying, containerDevices, forEachContainer, type Container } from './common.js';
import { makeValue, mean } from '../indicatorValue.js';

/**
 * waste_per_household — litres of waste per household and week, per bin room
 * (site) and for the tenant.
 *
 * Method, per container: the volume added in the period is the sum of the
 * changes of fill_volume (L; from fill_level × volume_l when the sensor only
 * gives a level) between consecutive readings, leaving out emptyings (a drop of
 * more than 20 percentage points: not negative waste). Small drops are kept
 * (subtracted), so that sensor noise and settling cancel out instead of adding
 * up; a container's total is never below 0. An interval that crosses a period
 * boundary counts for the part inside the period (linear), so readings just
 * outside the period are loaded too. Waste put in between the last reading
 * before an emptying and the emptying itself is not seen (small with 15-60 min
 * readings).
 *
 * Per site: Σ litres of its containers / Σ params.households of its containers /
 * weeks in the period (calendar days / 7; a DST month still has its 30/31 days).
 * Containers without `households` are left out (listed in details); a container
 * without a volume (no fill_volume and no volume_l) has coverage 0. Note that
 * households are summed per container: register the households a container
 * serves on that container.
 *
 * Coverage = mean over the site's containers of the share of the period covered
 * by readings (gaps over 3 h are holes). '*' = pooled over all containers.
 *
 * details: litres, households, weeks, containers, containers_without_households.
 */
export const WASTE_PER_HOUSEHOLD_ID = 'waste_per_household';

const UNIT = 'L/household/week';
const MARGIN = DAY;

/** Litres put into the container in [from, to). */
export function litresAdded(c: Container, from: number, to: number): number {
  let sum = 0;
  for (let i = 1; i < c.points.length; i++) {
    const a = c.points[i - 1]!;
    const b = c.points[i]!;
    if (b.t <= from || a.t >= to || a.litres === undefined || b.litres === undefined) continue;
    if (isEmptying(c, a, b)) continue;
    const overlap = Math.min(b.t, to) - Math.max(a.t, from);
    sum += (b.litres - a.litres) * (overlap / (b.t - a.t));
  }
  return Math.max(0, sum);
}

interface Acc {
  litres: number;
  households: number;
  coverages: number[];
  containers: number;
  without: string[];
}

export const wastePerHousehold: Indicator = {
  id: WASTE_PER_HOUSEHOLD_ID,
  name: { sv: 'Avfall per hushåll', en: 'Waste per household' },
  description: {
    sv: 'Hur många liter avfall varje hushåll slänger per vecka, mätt med nivågivare i kärlen i miljörummen. Tömningar räknas inte som minskat avfall. Kommunkoncernens mål är 30 % mindre avfall 2025 jämfört med 2018. Täckningen visar hur stor del av perioden givarna rapporterade.',
    en: 'How many litres of waste each household throws away per week, measured by fill-level sensors in the containers of the bin rooms. Emptyings do not count as less waste. The municipal group\'s target is 30 % less waste in 2025 than in 2018. Coverage shows how much of the period the sensors reported.',
  },
  unit: UNIT,
  needs: { metrics: ['fill_level', 'fill_volume'], kinds: ['waste_fill'] },
  periods: ['week', 'month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'lower',
  async compute(ctx) {
    const { start, end } = ctx.period;
    const containers = containerDevices(ctx);
    if (containers.length === 0) return [];
    const weeks = Math.round(hoursIn(ctx.period) / 24) / 7;
    const sites = new Map<string, Acc>();
    const total: Acc = { litres: 0, households: 0, coverages: [], containers: 0, without: [] };
    await forEachContainer(ctx, start - MARGIN, end + MARGIN, (c) => {
      let acc = sites.get(c.site);
      if (!acc) sites.set(c.site, (acc = { litres: 0, households: 0, coverages: [], containers: 0, without: [] }));
      if (!c.households) {
        acc.without.push(c.device.id);
        total.without.push(c.device.id);
        return;
      }
      const litres = litresAdded(c, start, end);
      const cov = c.points.some((p) => p.litres !== undefined) ? fillCoverage(ctx, c, start, end) : 0;
      for (const a of [acc, total]) {
        a.containers++;
        a.households += c.households;
        a.litres += litres;
        a.coverages.push(cov);
      }
    });
    const value = (entity: string, a: Acc): IndicatorValue =>
      makeValue(ctx, WASTE_PER_HOUSEHOLD_ID, UNIT, entity, a.households > 0 ? a.litres / a.households / weeks : Number.NaN, a.households > 0 ? mean(a.coverages) : 0, {
        litres: a.litres,
        households: a.households,
        weeks,
        containers: a.containers,
        ...(a.without.length ? { containers_without_households: a.without.join(',') } : {}),
      });
    return [...[...sites.keys()].sort(cmp).map((s) => value(s, sites.get(s)!)), value(ALL, total)];
  },
};
