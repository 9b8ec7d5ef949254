import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, byEntity, entityOf, makeValue, numParam } from './common.js';
import { ENERGY_USE_ID } from './energyUse.js';

/**
 * specific_energy — kWh per m² heated floor area (Atemp, as in the building code
 * BBR) per building and period: energy_use of the building / its Atemp.
 *
 * Atemp comes from the devices' params.atemp_m2. Every meter of a building may
 * carry it; the building's area is counted once, as the largest atemp_m2 among
 * the building's devices (of any kind). Buildings without an Atemp get no value
 * and are listed in the tenant's details.
 *
 * '*' = the tenant's buildings with a known Atemp together: Σ kWh / Σ Atemp (an
 * area-weighted mean, not a mean of the buildings' figures — hence aggregate
 * 'none': the entities' values must not be added or averaged naively). Coverage
 * is the building's energy_use coverage; for '*' weighted by area.
 *
 * Values are per period (a month's kWh/m², not annualized); the BBR comparison
 * (kWh/m²·year) is the year period.
 */
export const SPECIFIC_ENERGY_ID = 'specific_energy';

export const specificEnergy: Indicator = {
  id: SPECIFIC_ENERGY_ID,
  name: { sv: 'Energianvändning per kvadratmeter (Atemp)', en: 'Energy use per square metre (Atemp)' },
  description: {
    sv: 'Köpt energi i kWh per kvadratmeter uppvärmd golvarea (Atemp) per byggnad och period. Gör byggnader av olika storlek jämförbara, och jämförbara med Boverkets byggregler (BBR) för helår.',
    en: 'Energy bought in kWh per square metre of heated floor area (Atemp) per building and period. Makes buildings of different size comparable, and comparable with the building code (BBR) over a full year.',
  },
  unit: 'kWh/m²',
  needs: { metrics: ['energy_total', 'heat_energy_total'], kinds: ['electricity_meter', 'heat_meter'] },
  periods: ['month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'lower',
  uses: [ENERGY_USE_ID],
  async compute(ctx) {
    const use = await ctx.compute(ENERGY_USE_ID, ctx.period);
    const atemp = new Map<string, number>();
    for (const d of ctx.devices) {
      if (d.tenant !== ctx.tenant) continue;
      const a = numParam(d, 'atemp_m2');
      if (a !== undefined) atemp.set(entityOf(d), Math.max(atemp.get(entityOf(d)) ?? 0, a));
    }
    const out: IndicatorValue[] = [];
    let kwh = 0;
    let area = 0;
    let weightedCov = 0;
    const without: string[] = [];
    for (const u of [...use].sort(byEntity)) {
      if (u.entity === ALL) continue;
      const a = atemp.get(u.entity);
      if (a === undefined) {
        without.push(u.entity);
        continue;
      }
      kwh += u.value;
      area += a;
      weightedCov += u.coverage * a;
      out.push(makeValue(ctx, { indicator: SPECIFIC_ENERGY_ID, unit: 'kWh/m²', entity: u.entity, value: u.value / a, coverage: u.coverage, details: { energy_kwh: u.value, atemp_m2: a } }));
    }
    const details: Record<string, number | string> = { energy_kwh: kwh, atemp_m2: area, buildings: out.length, buildings_without_atemp: without.length };
    if (without.length > 0) details.without_atemp = without.join(',');
    if (area === 0) details.note = 'no building with both meters and params.atemp_m2';
    out.push(makeValue(ctx, { indicator: SPECIFIC_ENERGY_ID, unit: 'kWh/m²', entity: ALL, value: area > 0 ? kwh / area : 0, coverage: area > 0 ? weightedCov / area : 0, details }));
    return out;
  },
};
