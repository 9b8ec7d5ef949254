// Reference copy of the raw-sample engine (before rollups), the oracle of test/helpers/compareEngines.ts. Not used at runtime.
import { hourlyMeans } from '../../../../services/indicators/series.js';
import type { Indicator, IndicatorValue } from '../../../../services/indicators/types.js';
import { ALL, byEntity, devicesOf, entityOf, HOUR, isoLocal, loadSeries, makeValue, mean, registerPerHour } from './common.js';

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
 * hours, which equals the maximum of their months.
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
    const set = await loadSeries(ctx, ['power', 'energy_total'], ['electricity_meter']);
    const hours = Math.round((p.end - p.start) / HOUR);

    const byEntity_ = new Map<string, { sums: Map<number, number>; coverages: number[] }>();
    const allCoverages: number[] = [];
    for (const d of meters) {
      const power = new Map<number, number>();
      for (const s of set.get(d, 'power')) for (const [h, v] of hourlyMeans(s.samples, p.start, p.end)) power.set(h, (power.get(h) ?? 0) + v);
      const energy = new Map<number, number>();
      const registers = set.get(d, 'energy_total');
      const perChannel = registers.map((s) => registerPerHour(s.samples, p.start, p.end));
      for (const [h] of perChannel[0] ?? new Map<number, unknown>()) {
        let kwh = 0;
        let complete = true;
        for (const m of perChannel) {
          const e = m.get(h);
          if (!e || e.covered < HOUR - 1) complete = false;
          else kwh += e.kwh;
        }
        if (complete) energy.set(h, kwh);
      }
      const acc = byEntity_.get(entityOf(d)) ?? { sums: new Map<number, number>(), coverages: [] };
      byEntity_.set(entityOf(d), acc);
      let n = 0;
      for (let h = p.start; h < p.end; h += HOUR) {
        const v = power.get(h) ?? energy.get(h);
        if (v === undefined) continue;
        n++;
        acc.sums.set(h, (acc.sums.get(h) ?? 0) + v);
      }
      acc.coverages.push(n / hours);
      allCoverages.push(n / hours);
    }

    const out: IndicatorValue[] = [];
    let top: { entity: string; kw: number; hour: number } | undefined;
    for (const [entity, acc] of byEntity_) {
      let peak: { kw: number; hour: number } | undefined;
      // Hours in time order: the first of equal peaks wins (deterministic).
      for (const h of [...acc.sums.keys()].sort((a, b) => a - b)) {
        const kw = acc.sums.get(h)!;
        if (!peak || kw > peak.kw) peak = { kw, hour: h };
      }
      const details: Record<string, number | string> = { hours_with_data: acc.sums.size, meters: acc.coverages.length };
      if (peak) {
        details.peak_hour = isoLocal(peak.hour);
        if (!top || peak.kw > top.kw || (peak.kw === top.kw && entity < top.entity)) top = { entity, ...peak };
      } else details.note = 'no power or energy readings in the period';
      out.push(makeValue(ctx, { indicator: PEAK_POWER_ID, unit: 'kW', entity, value: peak?.kw ?? 0, coverage: mean(acc.coverages), details }));
    }
    const details: Record<string, number | string> = { meters: meters.length };
    if (top) {
      details.peak_entity = top.entity;
      details.peak_hour = isoLocal(top.hour);
    } else details.note = meters.length === 0 ? 'no electricity meters registered' : 'no power or energy readings in the period';
    out.push(makeValue(ctx, { indicator: PEAK_POWER_ID, unit: 'kW', entity: ALL, value: top?.kw ?? 0, coverage: mean(allCoverages), details }));
    return out.sort(byEntity);
  },
};
