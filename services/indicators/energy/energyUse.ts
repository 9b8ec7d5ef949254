import type { Device } from '../../registry/deviceRegistry.js';
import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, byEntity, carrierOf, devicesOf, entityOf, loadRegisters, makeValue, mean } from './common.js';

/**
 * energy_use — kWh bought per building and period (electricity + district heating).
 *
 * Method: each meter's cumulative register is differenced over the period
 * (registerConsumption: readings on both sides of a boundary are interpolated
 * linearly, so a period gets exactly its share; a register that drops is a
 * replaced or rolled-over meter and the new meter counts from 0 — never negative).
 * Electricity meters: `energy_total` (import). Heat meters: `heat_energy_total`,
 * or `energy_total` when a heat meter reports only that. Channels of one register
 * (tariffs) are added up.
 *
 * Entity = the device's site (the building), else the device id; '*' = the tenant
 * (sum). Coverage = mean over the entity's meters of the share of the period
 * covered by readings (gaps over 3 h are holes); a registered meter that sent
 * nothing counts as 0 coverage.
 *
 * details: electricity_kwh, heat_kwh, resets, meters, meters_reporting and
 * kwh_<carrier> per energy carrier (params.carrier, default electricity /
 * district_heating) — used by `emissions`.
 */
export const ENERGY_USE_ID = 'energy_use';

const KINDS = ['electricity_meter', 'heat_meter'] as const;

interface Acc {
  electricity: number;
  heat: number;
  resets: number;
  coverages: number[];
  reporting: number;
  byCarrier: Map<string, number>;
}

const newAcc = (): Acc => ({ electricity: 0, heat: 0, resets: 0, coverages: [], reporting: 0, byCarrier: new Map() });

function details(a: Acc): Record<string, number | string> {
  const d: Record<string, number | string> = {
    electricity_kwh: a.electricity,
    heat_kwh: a.heat,
    resets: a.resets,
    meters: a.coverages.length,
    meters_reporting: a.reporting,
  };
  for (const c of [...a.byCarrier.keys()].sort()) d[`kwh_${c}`] = a.byCarrier.get(c)!;
  return d;
}

export const energyUse: Indicator = {
  id: ENERGY_USE_ID,
  name: { sv: 'Energianvändning', en: 'Energy use' },
  description: {
    sv: 'Köpt energi (el och fjärrvärme) i kWh per byggnad och period, räknat från mätarnas ställningar. Ett mätarbyte ger aldrig negativ förbrukning. Täckningen visar hur stor del av perioden mätarna rapporterade.',
    en: 'Energy bought (electricity and district heating) in kWh per building and period, from the meter registers. A replaced meter never gives negative use. Coverage shows how much of the period the meters reported.',
  },
  unit: 'kWh',
  needs: { metrics: ['energy_total', 'heat_energy_total'], kinds: [...KINDS] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'sum',
  better: 'lower',
  async compute(ctx) {
    const meters = devicesOf(ctx, KINDS);
    const set = await loadRegisters(ctx, ['energy_total', 'heat_energy_total'], [...KINDS]);
    const byEntity_ = new Map<string, Acc>();
    const total = newAcc();
    const metricOf = (d: Device) => (d.kind === 'heat_meter' && (set.has(d, 'heat_energy_total') || !set.has(d, 'energy_total')) ? 'heat_energy_total' : 'energy_total');
    for (const d of meters) {
      const r = set.get(d, metricOf(d));
      const e = entityOf(d);
      const acc = byEntity_.get(e) ?? newAcc();
      byEntity_.set(e, acc);
      for (const a of [acc, total]) {
        if (d.kind === 'heat_meter') a.heat += r.kwh;
        else a.electricity += r.kwh;
        a.resets += r.resets;
        a.coverages.push(r.coverage);
        if (r.found && r.coverage > 0) a.reporting++;
        const c = carrierOf(d);
        a.byCarrier.set(c, (a.byCarrier.get(c) ?? 0) + r.kwh);
      }
    }
    const out: IndicatorValue[] = [];
    for (const [entity, a] of byEntity_) {
      out.push(makeValue(ctx, { indicator: ENERGY_USE_ID, unit: 'kWh', entity, value: a.electricity + a.heat, coverage: mean(a.coverages), details: details(a) }));
    }
    const td = details(total);
    if (meters.length === 0) td.note = 'no electricity or heat meters registered';
    out.push(makeValue(ctx, { indicator: ENERGY_USE_ID, unit: 'kWh', entity: ALL, value: total.electricity + total.heat, coverage: mean(total.coverages), details: td }));
    return out.sort(byEntity);
  },
};
