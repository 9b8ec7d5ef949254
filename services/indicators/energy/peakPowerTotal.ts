import type { Indicator } from '../types.js';
import { ALL, makeValue, mean } from './common.js';
import { PEAK_POWER_ID } from './peakPower.js';

/**
 * peak_power_total — the sum of the buildings' peak power (kW) in the period:
 * the power the municipal group's grid connections are charged for (each has its
 * own effekttaxa), followed against a baseline for the contract's "effekttoppar
 * ... behöver kapas". Reuses peak_power: Σ over the buildings of each building's
 * highest hourly mean (not the coincident peak of all buildings, which no tariff
 * charges). Coverage = mean of the buildings' coverage; a building without
 * readings adds 0 kW and lowers coverage. '*' only; details: buildings,
 * largest_entity, largest_kw.
 */
export const PEAK_POWER_TOTAL_ID = 'peak_power_total';

export const peakPowerTotal: Indicator = {
  id: PEAK_POWER_TOTAL_ID,
  name: { sv: 'Summa effekttoppar', en: 'Sum of peak power' },
  description: {
    sv: 'Summan av byggnadernas högsta timmedeleffekt för el (kW) under perioden — det nättarifferna tar betalt för. Följs mot ett basår: effekttopparna ska kapas.',
    en: 'The sum of the buildings’ highest hourly mean electric power (kW) in the period — what the grid tariffs charge for. Followed against a baseline year: the peaks are to be shaved.',
  },
  unit: 'kW',
  needs: { metrics: ['power', 'energy_total'], kinds: ['electricity_meter'] },
  periods: ['month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'lower',
  uses: [PEAK_POWER_ID],
  async compute(ctx) {
    const buildings = (await ctx.compute(PEAK_POWER_ID, ctx.period)).filter((v) => v.entity !== ALL);
    const largest = [...buildings].sort((a, b) => b.value - a.value || (a.entity < b.entity ? -1 : 1))[0];
    const details: Record<string, number | string> = { buildings: buildings.length };
    if (largest) Object.assign(details, { largest_entity: largest.entity, largest_kw: largest.value });
    else details.note = 'no electricity meters registered';
    const kw = buildings.reduce((s, v) => s + v.value, 0);
    return [makeValue(ctx, { indicator: PEAK_POWER_TOTAL_ID, unit: 'kW', entity: ALL, value: kw, coverage: mean(buildings.map((v) => v.coverage)), details, insufficient: buildings.length === 0 })];
  },
};
