import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, cmp, countingPoint, devicesOf, expectedHours, hourCoverage, loadCounts } from './common.js';
import { makeValue, mean } from '../indicatorValue.js';

/**
 * bicycle_share — bicycles as a share (%) of bicycles + motor vehicles, at the
 * counting points where BOTH a bike counter and a vehicle counter are registered
 * (same params.counting_point, else same site).
 *
 * This is a PROXY for the mode share the climate contract follows up (Kalmar:
 * walking, cycling and public transport 45 % of trips in 2025; car/sustainable
 * 40/60 in 2035). It counts passages, not trips, only where both are counted
 * (typically main cycle routes next to roads), leaves out walking and public
 * transport, and vehicle counters may include buses. Its level is therefore not
 * the contract's mode share; its trend at the same points is the signal.
 *
 * Per point: 100 × bikes / (bikes + vehicles) in the period (NaN when nothing
 * passed). '*' = pooled over the qualifying points (100 × Σ bikes / Σ both).
 * Coverage per point = share of the period's hours in which BOTH counters
 * reported; '*' = mean over the points.
 *
 * details: bikes, vehicles; '*' also points.
 */
export const BICYCLE_SHARE_ID = 'bicycle_share';

const UNIT = '%';
const share = (bikes: number, vehicles: number) => (bikes + vehicles > 0 ? (100 * bikes) / (bikes + vehicles) : Number.NaN);

export const bicycleShare: Indicator = {
  id: BICYCLE_SHARE_ID,
  name: { sv: 'Cykelandel', en: 'Bicycle share' },
  description: {
    sv: 'Andelen cyklar av alla cyklar och motorfordon som passerat de platser där både cyklar och motorfordon räknas. Det är en indikator på färdmedelsfördelningen som klimatkontraktet följer upp (hållbara resor 45 % 2025 och 60 % 2035), inte samma mått: den räknar passager och inte resor, bara på några platser, och utan gång och kollektivtrafik. Följ därför främst utvecklingen över tid.',
    en: 'The share of bicycles among all bicycles and motor vehicles that passed the places where both are counted. It indicates the mode split the climate contract follows up (sustainable trips 45 % in 2025 and 60 % in 2035) but is not the same measure: it counts passages, not trips, at a few places only, without walking and public transport. Follow mainly its trend over time.',
  },
  unit: UNIT,
  needs: { metrics: ['count'], kinds: ['bike_counter', 'vehicle_counter'] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'higher',
  async compute(ctx) {
    const kinds = ['bike_counter', 'vehicle_counter'] as const;
    const bikePoints = new Set(devicesOf(ctx, ['bike_counter']).map(countingPoint));
    const points = [...new Set(devicesOf(ctx, ['vehicle_counter']).map(countingPoint))].filter((p) => bikePoints.has(p)).sort(cmp);
    if (points.length === 0) return [];
    const counts = await loadCounts(ctx, kinds);
    const expected = expectedHours(ctx, kinds);
    const out: IndicatorValue[] = [];
    const coverages: number[] = [];
    let bikes = 0;
    let vehicles = 0;
    for (const point of points) {
      const b = counts.get('bike_counter')!.get(point);
      const v = counts.get('vehicle_counter')!.get(point);
      const both = b && v ? [...b.hours].filter((h) => v.hours.has(h)).length : 0;
      const c = hourCoverage(both, expected);
      coverages.push(c);
      const nb = b?.total ?? 0;
      const nv = v?.total ?? 0;
      bikes += nb;
      vehicles += nv;
      out.push(makeValue(ctx, BICYCLE_SHARE_ID, UNIT, point, share(nb, nv), c, { bikes: nb, vehicles: nv, hours_with_both: both }));
    }
    out.push(makeValue(ctx, BICYCLE_SHARE_ID, UNIT, ALL, share(bikes, vehicles), mean(coverages), { bikes, vehicles, points: points.length }));
    return out;
  },
};
