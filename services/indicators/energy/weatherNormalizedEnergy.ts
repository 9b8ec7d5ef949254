import { DateTime } from 'luxon';
import { sameLastYear, ZONE, type Period } from '../periods.js';
import type { Indicator, IndicatorContext, IndicatorValue } from '../types.js';
import { ALL, byEntity, makeValue } from './common.js';
import { DEGREE_DAYS_ID } from './degreeDays.js';
import { ENERGY_USE_ID } from './energyUse.js';

/**
 * energy_weather_normalized — energy use per building with the heating part
 * corrected for the weather (graddagskorrigering), so that a cold winter does
 * not look like a failure and a mild one like a success.
 *
 *   E_norm = E_el + E_heat × DD_ref / DD_actual
 *
 * E_el, E_heat: energy_use's electricity_kwh and heat_kwh (heat meters) of the
 * building in the period; DD_actual: degree_days of the period; DD_ref: degree_days
 * of the same period in the reference ("normal") year. The reference year is the
 * year before, unless the city's settings carry an integer `weatherBaselineYear` (the
 * targets file's free-form `settings` are merged into the indicator settings):
 * then every year is normalized to the weather of that year's same period, which
 * is what a comparison against a baseline year needs (with the rolling "year
 * before" each year gets a different reference weather).
 * Simplifications: the whole district-heating energy is scaled (hot tap water,
 * which does not depend on the weather, is not split off), and electricity is
 * not scaled (buildings heated by electricity are not corrected).
 *
 * When both degree-day figures are 0 (a warm summer month) the factor is 1. The
 * value is marked insufficient when either degree-day figure is insufficient, or
 * when DD_actual is 0 while DD_ref is not (no way to scale). Coverage = the
 * smallest of the energy coverage and the two degree-day coverages.
 *
 * details: electricity_kwh, heat_kwh, dd_actual, dd_baseline, baseline_period,
 * factor, energy_coverage, dd_actual_coverage, dd_baseline_coverage.
 */
export const ENERGY_WEATHER_NORMALIZED_ID = 'energy_weather_normalized';

/** The period whose weather `p` is normalized to. */
export function referencePeriod(ctx: IndicatorContext, p: Period): Period {
  const y: unknown = ctx.settings.weatherBaselineYear;
  if (typeof y === 'number' && Number.isInteger(y)) {
    const year = DateTime.fromMillis(p.start, { zone: ZONE }).year;
    return y === year ? p : sameLastYear(p, year - y);
  }
  return sameLastYear(p);
}

export const weatherNormalizedEnergy: Indicator = {
  id: ENERGY_WEATHER_NORMALIZED_ID,
  name: { sv: 'Energianvändning, normalårskorrigerad', en: 'Energy use, weather-normalized' },
  description: {
    sv: 'Energianvändning per byggnad där fjärrvärmen räknats om med graddagar till jämförelseårets väder. Visar om byggnaderna faktiskt blivit effektivare, oberoende av om vintern var kall eller mild.',
    en: 'Energy use per building with district heating rescaled by degree-days to the weather of the reference year. Shows whether buildings really became more efficient, whether the winter was cold or mild.',
  },
  unit: 'kWh',
  needs: { metrics: ['energy_total', 'heat_energy_total', 'temperature'], kinds: ['electricity_meter', 'heat_meter', 'temperature'] },
  periods: ['month', 'quarter', 'year'],
  aggregate: 'sum',
  better: 'lower',
  uses: [ENERGY_USE_ID, DEGREE_DAYS_ID],
  async compute(ctx) {
    const p = ctx.period;
    const ref = referencePeriod(ctx, p);
    const [use, ddNow, ddRef] = await Promise.all([ctx.compute(ENERGY_USE_ID, p), ctx.compute(DEGREE_DAYS_ID, p), ctx.compute(DEGREE_DAYS_ID, ref)]);
    const now = ddNow.find((v) => v.entity === ALL);
    const then = ddRef.find((v) => v.entity === ALL);

    let factor = 1;
    let ddOk = true;
    let note: string | undefined;
    if (!now || !then) {
      ddOk = false;
      note = 'degree-days missing';
    } else {
      if (now.value > 0) factor = then.value / now.value;
      else if (then.value > 0) {
        ddOk = false;
        note = 'no degree-days in the period, cannot scale to the reference';
      }
      if (!now.sufficient || !then.sufficient) {
        ddOk = false;
        note ??= 'degree-days insufficient';
      }
    }
    const ddCoverage = Math.min(now?.coverage ?? 0, then?.coverage ?? 0);

    const out: IndicatorValue[] = [];
    for (const u of [...use].sort(byEntity)) {
      const el = Number(u.details?.electricity_kwh ?? 0);
      const heat = Number(u.details?.heat_kwh ?? 0);
      const details: Record<string, number | string> = {
        electricity_kwh: el,
        heat_kwh: heat,
        dd_actual: now?.value ?? 0,
        dd_baseline: then?.value ?? 0,
        baseline_period: ref.label,
        factor,
        energy_coverage: u.coverage,
        dd_actual_coverage: now?.coverage ?? 0,
        dd_baseline_coverage: then?.coverage ?? 0,
      };
      if (note) details.note = note;
      out.push(
        makeValue(ctx, { indicator: ENERGY_WEATHER_NORMALIZED_ID, unit: 'kWh', entity: u.entity, value: el + heat * factor, coverage: Math.min(u.coverage, ddCoverage), details, insufficient: !ddOk }),
      );
    }
    return out;
  },
};
