import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, byEntity, makeValue, mean } from './common.js';
import { PRIMARY_ENERGY_ID } from './primaryEnergy.js';

/**
 * new_buildings_below_code — share (%) of the municipality's new buildings whose
 * primary energy number is at least 25 % below the building code's requirement
 * (Kalmar: "krav på 25 % lägre energiförbrukning än Boverkets byggregler").
 *
 * From primary_energy_number (the 12 months ending with the period; BBR 9:2
 * weighting): a building counts when it is new (params.new_building, or
 * params.building_year ≥ settings.newBuildingsFrom, default 2019) and has its limit
 * (params.ep_limit). Per new building: 100 when EPpet ≤ (1 − requiredMargin) ×
 * limit, else 0 (details: ep, ep_limit, margin_pct), so '*' is their mean over the
 * buildings whose EPpet is sufficient; coverage of '*' = the share of the new
 * buildings with a sufficient EPpet. Without new buildings with a limit: '*'
 * only, insufficient, with a note.
 */
export const NEW_BUILDINGS_BELOW_CODE_ID = 'new_buildings_below_code';
/** The contract's 25 % below BBR. */
export const REQUIRED_MARGIN = 0.25;

export const newBuildingsBelowCode: Indicator = {
  id: NEW_BUILDINGS_BELOW_CODE_ID,
  name: { sv: 'Nya byggnader minst 25 % under BBR:s energikrav', en: 'New buildings at least 25 % below the building code’s energy requirement' },
  description: {
    sv: 'Andel (%) av kommunens nya byggnader vars primärenergital de senaste tolv månaderna ligger minst 25 % under byggnadens krav i Boverkets byggregler.',
    en: 'Share (%) of the municipality’s new buildings whose primary energy number over the last twelve months is at least 25 % below the building’s requirement in the building code (BBR).',
  },
  unit: '%',
  needs: { metrics: ['energy_total', 'heat_energy_total', 'cooling_energy_total', 'gas_energy_total'], kinds: ['electricity_meter', 'heat_meter', 'cooling_meter', 'gas_meter'] },
  periods: ['quarter', 'year'],
  aggregate: 'mean',
  better: 'higher',
  uses: [PRIMARY_ENERGY_ID],
  async compute(ctx) {
    const ep = (await ctx.compute(PRIMARY_ENERGY_ID, ctx.period)).filter((v) => v.entity !== ALL && v.details?.new_building === 1 && typeof v.details.ep_limit === 'number');
    const out: IndicatorValue[] = [];
    for (const v of ep) {
      const limit = v.details!.ep_limit as number;
      const below = v.value <= (1 - REQUIRED_MARGIN) * limit;
      out.push(makeValue(ctx, { indicator: NEW_BUILDINGS_BELOW_CODE_ID, unit: '%', entity: v.entity, value: below ? 100 : 0, coverage: v.coverage, details: { ep: v.value, ep_limit: limit, margin_pct: v.details!.margin_pct!, required_margin_pct: REQUIRED_MARGIN * 100 } }));
    }
    const counted = out.filter((v) => v.sufficient);
    const details: Record<string, number | string> = { new_buildings: out.length, counted: counted.length, below: counted.filter((v) => v.value === 100).length };
    if (counted.length > 0) details.mean_margin_pct = mean(counted.map((v) => v.details!.margin_pct as number));
    if (out.length === 0) details.note = 'no new building with params.ep_limit (and new_building or building_year) in the registry';
    const coverage = out.length ? counted.length / out.length : 0;
    out.push(makeValue(ctx, { indicator: NEW_BUILDINGS_BELOW_CODE_ID, unit: '%', entity: ALL, value: mean(counted.map((v) => v.value)), coverage, details, insufficient: counted.length === 0 }));
    return out.sort(byEntity);
  },
};
