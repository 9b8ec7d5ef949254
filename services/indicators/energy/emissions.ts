import type { Indicator, IndicatorValue } from '../types.js';
import { byEntity, makeValue } from './common.js';
import { ENERGY_USE_ID } from './energyUse.js';

/**
 * emissions — greenhouse-gas emissions of the energy bought, t CO2e per building
 * and period (and the tenant's total, '*').
 *
 *   t CO2e = Σ over carriers  kWh_carrier × factor_carrier [kg CO2e/kWh] / 1000
 *
 * kWh per carrier come from energy_use (details kwh_<carrier>; a meter's carrier
 * is params.carrier, default `electricity` for electricity meters and
 * `district_heating` for heat meters). Factors are settings.emissionFactors, in
 * kg CO2e per kWh delivered, configurable per city (targets file `settings`):
 *   - electricity 0.036: an average for electricity used in Sweden (mostly hydro
 *     and nuclear). Cities that report with the Nordic residual mix or a
 *     market-based factor (green electricity contracts) set their own;
 *   - district_heating 0.05: roughly the Swedish average of district-heating
 *     networks' environmental values (miljövärden, Energiföretagen). Each network
 *     publishes its own yearly value, which a city should use instead.
 * Defaults are averages for comparison, not the city's climate accounting.
 *
 * A carrier without a factor cannot be converted: its kWh are left out, noted in
 * details.missing_factor, and the coverage is scaled by the share of kWh that
 * could be converted (so a large unconvertible share makes the value insufficient).
 *
 * details: t_<carrier>, kwh_<carrier>, factor_<carrier> (kg CO2e/kWh), energy_coverage.
 */
export const EMISSIONS_ID = 'emissions';

export const emissions: Indicator = {
  id: EMISSIONS_ID,
  name: { sv: 'Utsläpp från energianvändning', en: 'Emissions from energy use' },
  description: {
    sv: 'Växthusgasutsläpp i ton koldioxidekvivalenter från byggnadernas köpta el och fjärrvärme, beräknade med emissionsfaktorer per energibärare som staden kan ställa in.',
    en: 'Greenhouse-gas emissions in tonnes of CO2 equivalents from the electricity and district heating the buildings bought, computed with emission factors per energy carrier that the city can set.',
  },
  unit: 't CO2e',
  needs: { metrics: ['energy_total', 'heat_energy_total'], kinds: ['electricity_meter', 'heat_meter'] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'sum',
  better: 'lower',
  uses: [ENERGY_USE_ID],
  async compute(ctx) {
    const use = await ctx.compute(ENERGY_USE_ID, ctx.period);
    const factors = ctx.settings.emissionFactors;
    const out: IndicatorValue[] = [];
    for (const u of [...use].sort(byEntity)) {
      let tonnes = 0;
      let kwhAll = 0;
      let kwhConverted = 0;
      const missing: string[] = [];
      const details: Record<string, number | string> = {};
      for (const key of Object.keys(u.details ?? {}).sort()) {
        if (!key.startsWith('kwh_')) continue;
        const carrier = key.slice(4);
        const kwh = Number(u.details![key]);
        kwhAll += kwh;
        details[key] = kwh;
        const f = Object.prototype.hasOwnProperty.call(factors, carrier) ? factors[carrier] : undefined;
        if (typeof f !== 'number' || !Number.isFinite(f)) {
          missing.push(carrier);
          continue;
        }
        const t = (kwh * f) / 1000;
        tonnes += t;
        kwhConverted += kwh;
        details[`t_${carrier}`] = t;
        details[`factor_${carrier}`] = f;
      }
      details.energy_coverage = u.coverage;
      if (missing.length > 0) details.missing_factor = missing.join(',');
      const converted = kwhAll > 0 ? kwhConverted / kwhAll : missing.length > 0 ? 0 : 1;
      if (u.details?.note) details.note = u.details.note;
      out.push(makeValue(ctx, { indicator: EMISSIONS_ID, unit: 't CO2e', entity: u.entity, value: tonnes, coverage: u.coverage * converted, details }));
    }
    return out;
  },
};
