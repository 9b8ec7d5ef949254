import { hourlyMeans } from '../series.js';
import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, byEntity, devicesOf, entityOf, HOUR, isoLocal, makeValue } from './common.js';
import { peaksFromMonthRows, peaksFromMonths, peaksFromRaw, peaksFromRollups, type Peaks } from './peakSources.js';

/**
 * peak_power — the building's highest hourly mean electric power (kW) in the
 * period: the peak that grid tariffs (effekttaxa) charge for and that the
 * contracts want shaved.
 *
 * Method: for every hour of the period (Stockholm hours are whole UTC hours, DST
 * included), each electricity meter of the building contributes
 *   - the mean of its `power` readings in that hour (channels/phases added), or,
 *     when it has no power reading in that hour,
 *   - its `energy_total` register difference over the hour (kWh in one hour =
 *     mean kW), provided readings no more than 3 h apart span the whole hour;
 * the contributions of the building's meters are added up per hour and the
 * highest hour is the peak. A meter missing in an hour lowers that hour's sum, so
 * gaps can hide a peak but never invent one: coverage = mean over the building's
 * meters of the share of the period's hours they contributed to.
 * Month is the natural period; quarter and year are computed over their own
 * hours, which equals the maximum of their months (with rollups they are taken
 * from the months: peakSources.ts).
 *
 * '*' = the highest building peak of the tenant (aggregate 'max': each building
 * has its own grid connection), not the coincident peak of all buildings.
 *
 * details: peak_hour (local ISO start of the hour), hours_with_data, meters;
 * for '*' also peak_entity.
 */
export const PEAK_POWER_ID = 'peak_power';

export const peakPower: Indicator = {
  id: PEAK_POWER_ID,
  name: { sv: 'Effekttopp', en: 'Peak power' },
  description: {
    sv: 'Byggnadens högsta timmedeleffekt för el (kW) under perioden, och vilken timme den inträffade. Effekttoppar kostar i nättariffen och belastar elnätet; avtalet vill att de kapas.',
    en: 'The building’s highest hourly mean electric power (kW) in the period, and the hour it happened. Peaks cost in the grid tariff and strain the grid; the contract wants them shaved.',
  },
  unit: 'kW',
  needs: { metrics: ['power', 'energy_total'], kinds: ['electricity_meter'] },
  periods: ['month', 'quarter', 'year'],
  aggregate: 'max',
  better: 'lower',
  async compute(ctx) {
    const p = ctx.period;
    const meters = devicesOf(ctx, ['electricity_meter']);
    let peaks: Peaks;
    if (!ctx.source.rollups) peaks = await peaksFromRaw(ctx, meters);
    else if (p.kind === 'month') peaks = (await peaksFromMonthRows(ctx, meters)) ?? (await peaksFromRollups(ctx, meters));
    else peaks = await peaksFromMonths(ctx, PEAK_POWER_ID);

    const out: IndicatorValue[] = [];
    let top: { entity: string; kw: number; hour: number } | undefined;
    for (const [entity, acc] of peaks.entities) {
      const peak = acc.peak;
      const details: Record<string, number | string> = { hours_with_data: acc.hoursWithData, meters: acc.meters };
      if (peak) {
        details.peak_hour = isoLocal(peak.hour);
        if (!top || peak.kw > top.kw || (peak.kw === top.kw && entity < top.entity)) top = { entity, ...peak };
      } else details.note = 'no power or energy readings in the period';
      out.push(makeValue(ctx, { indicator: PEAK_POWER_ID, unit: 'kW', entity, value: peak?.kw ?? 0, coverage: acc.coverage, details }));
    }
    const details: Record<string, number | string> = { meters: meters.length };
    if (top) {
      details.peak_entity = top.entity;
      details.peak_hour = isoLocal(top.hour);
    } else details.note = meters.length === 0 ? 'no electricity meters registered' : 'no power or energy readings in the period';
    out.push(makeValue(ctx, { indicator: PEAK_POWER_ID, unit: 'kW', entity: ALL, value: top?.kw ?? 0, coverage: peaks.coverage, details }));
    return out.sort(byEntity);
  },
};
