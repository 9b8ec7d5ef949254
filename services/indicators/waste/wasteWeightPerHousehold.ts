import { hoursIn, periodOf, periodsBetween } from '../periods.js';
import type { Indicator, IndicatorValue } from '../types.js';
import { makeValue, mean } from '../indicatorValue.js';
import { ALL, cmp, numParam } from './common.js';

/**
 * waste_weight_per_household — kilograms of collected waste per household and
 * week, from the waste contractor's weights (`waste_weight` of `waste_collection`
 * devices: `klimatpuls import` of the monthly weights per collection point and
 * fraction), per collection site and for the tenant.
 *
 * A weight record is the waste of its interval, stored at the interval's start
 * (services/import), so a period's weight is the sum of the records that start in
 * it (every fraction, channel, added up): exact for months, quarters and years of
 * monthly records, which is why the indicator has no days or weeks.
 *
 * Per site: Σ kg of its collection points / Σ params.households / weeks (calendar
 * days / 7). Points without `households` are left out (listed in details).
 * Coverage = mean over the points of the share of the period's months with at
 * least one record (a month without one is a hole, not zero waste). '*' = pooled.
 *
 * details: kg, households, weeks, points, points_without_households.
 */
export const WASTE_WEIGHT_PER_HOUSEHOLD_ID = 'waste_weight_per_household';

const UNIT = 'kg/household/week';

interface Acc {
  kg: number;
  households: number;
  coverages: number[];
  without: string[];
}

const newAcc = (): Acc => ({ kg: 0, households: 0, coverages: [], without: [] });

export const wasteWeightPerHousehold: Indicator = {
  id: WASTE_WEIGHT_PER_HOUSEHOLD_ID,
  name: { sv: 'Insamlat avfall per hushåll (vikt)', en: 'Collected waste per household (weight)' },
  description: {
    sv: 'Kilo insamlat avfall per hushåll och vecka enligt avfallsentreprenörens vägningar per hämtställe (alla fraktioner). En månad utan vägning räknas som saknad, inte som noll.',
    en: 'Kilograms of collected waste per household and week from the waste contractor’s weights per collection point (all fractions). A month without a weight counts as missing, not as zero.',
  },
  unit: UNIT,
  needs: { metrics: ['waste_weight'], kinds: ['waste_collection'] },
  periods: ['month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'lower',
  async compute(ctx) {
    const { start, end } = ctx.period;
    const points = ctx.devices.filter((d) => d.tenant === ctx.tenant && d.kind === 'waste_collection').sort((a, b) => cmp(a.id, b.id));
    if (points.length === 0) return [];
    const months = periodsBetween('month', start, end);
    const weeks = Math.round(hoursIn(ctx.period) / 24) / 7;
    const series = await ctx.source.series({ tenant: ctx.tenant, metrics: ['waste_weight'], kinds: ['waste_collection'], from: start, to: end });
    const kg = new Map<string, number>();
    const seen = new Map<string, Set<string>>();
    for (const s of series) {
      for (const p of s.samples) {
        if (p.t < start || p.t >= end) continue;
        kg.set(s.device.id, (kg.get(s.device.id) ?? 0) + p.v);
        let m = seen.get(s.device.id);
        if (!m) seen.set(s.device.id, (m = new Set()));
        m.add(periodOf('month', p.t).label);
      }
    }
    const sites = new Map<string, Acc>();
    const total = newAcc();
    for (const d of points) {
      const site = d.site ?? d.id;
      let acc = sites.get(site);
      if (!acc) sites.set(site, (acc = newAcc()));
      const households = numParam(d, 'households');
      if (!households) {
        acc.without.push(d.id);
        total.without.push(d.id);
        continue;
      }
      const coverage = (seen.get(d.id)?.size ?? 0) / months.length;
      for (const a of [acc, total]) {
        a.kg += kg.get(d.id) ?? 0;
        a.households += households;
        a.coverages.push(coverage);
      }
    }
    const value = (entity: string, a: Acc): IndicatorValue =>
      makeValue(ctx, WASTE_WEIGHT_PER_HOUSEHOLD_ID, UNIT, entity, a.households > 0 ? a.kg / a.households / weeks : Number.NaN, a.households > 0 ? mean(a.coverages) : 0, {
        kg: a.kg,
        households: a.households,
        weeks,
        points: a.coverages.length,
        ...(a.without.length ? { points_without_households: a.without.join(',') } : {}),
      });
    return [...[...sites.keys()].sort(cmp).map((s) => value(s, sites.get(s)!)), value(ALL, total)];
  },
};
