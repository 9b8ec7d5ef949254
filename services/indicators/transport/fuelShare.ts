import type { MetricName, SensorKind } from '../../core/metrics.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { ALL, byEntity, entityOf, makeValue } from '../energy/common.js';
import { coverage, registerConsumption } from '../series.js';
import type { IndicatorContext, IndicatorValue, Series } from '../types.js';
import { fuelFactors, fuelOf, type FuelOverrides } from './fuels.js';

/**
 * The shared computation of the fossil-free fuel shares (fleet, aviation):
 * energy of each fuel in the period and the fossil-free part of it, in %.
 *
 * Per series (device, metric, channel): the register increase inside the period
 * (fuel_volume_total L, ev_charging_energy_total kWh; linear between readings, a
 * drop is a reset — what energy_use does with a meter), × the fuel's kWh per unit.
 * Fuel records arrive per refuelling, not per hour, so a device counts as covered
 * between two of its readings at most 35 days apart (the importer fills monthly
 * records hour by hour, telematics report often): coverage = the share of the
 * period so covered, mean over the devices (a registered device without any
 * record in the window counts 0).
 * Energy of a series whose fuel is unknown (no fuel channel, no params.fuel) is
 * left out and reported in details (unknown_kwh is its volume or charge).
 *
 * value = Σ fossil-free kWh / Σ kWh × 100 per entity (the device's site, else the
 * device) and for '*'. Without any fuel energy in the period: '*' only, value 0,
 * insufficient, with a note.
 */
export const FUEL_MAX_GAP_MS = 35 * 24 * 3_600_000;
const METRICS: MetricName[] = ['fuel_volume_total', 'ev_charging_energy_total'];
export const FUEL_KINDS: SensorKind[] = ['vehicle', 'fuel_meter', 'ev_charger'];

interface Acc {
  kwh: number;
  fossilFree: number;
  byFuel: Map<string, number>;
  unknown: number;
  coverages: number[];
}
const newAcc = (): Acc => ({ kwh: 0, fossilFree: 0, byFuel: new Map(), unknown: 0, coverages: [] });

function detailsOf(a: Acc): Record<string, number | string> {
  const d: Record<string, number | string> = { total_kwh: a.kwh, fossil_free_kwh: a.fossilFree };
  for (const [f, kwh] of [...a.byFuel].sort()) d[`${f}_kwh`] = kwh;
  if (a.unknown > 0) d.unknown_fuel_units = a.unknown;
  return d;
}

/** Whether a device without records belongs to the aviation or the road indicator: by params.fuel, else params.aviation. */
function belongs(d: Device, aviation: boolean, overrides: FuelOverrides): boolean {
  const fuel = fuelOf(d, d.kind === 'ev_charger' ? 'ev_charging_energy_total' : 'fuel_volume_total');
  return fuel ? fuelFactors(fuel, d, overrides).aviation === aviation : (d.params?.aviation === true) === aviation;
}

export async function fuelShareValues(ctx: IndicatorContext, o: { indicator: string; aviation: boolean }): Promise<IndicatorValue[]> {
  const p = ctx.period;
  const overrides = (ctx.settings.fuels ?? {}) as FuelOverrides;
  const series: Series[] = await ctx.source.series({ tenant: ctx.tenant, metrics: METRICS, kinds: FUEL_KINDS, from: p.start - FUEL_MAX_GAP_MS, to: p.end + FUEL_MAX_GAP_MS });
  const perDevice = new Map<string, { device: Device; series: Series[] }>();
  for (const s of series) {
    const fuel = fuelOf(s.device, s.metric, s.channel);
    if (fuel && fuelFactors(fuel, s.device, overrides).aviation !== o.aviation) continue;
    if (!fuel && (s.device.params?.aviation === true) !== o.aviation) continue;
    const e = perDevice.get(s.device.id) ?? { device: s.device, series: [] };
    e.series.push(s);
    perDevice.set(s.device.id, e);
  }

  const entities = new Map<string, Acc>();
  const total = newAcc();
  // Registered devices of this indicator without any record in the window: covered 0 (a silent vehicle is missing data, not a fossil-free one).
  const silent = ctx.devices.filter((d) => d.tenant === ctx.tenant && FUEL_KINDS.includes(d.kind) && !perDevice.has(d.id) && belongs(d, o.aviation, overrides));
  for (const d of silent) total.coverages.push(0);
  for (const { device, series: list } of [...perDevice.values()].sort((a, b) => (a.device.id < b.device.id ? -1 : 1))) {
    const acc = entities.get(entityOf(device)) ?? newAcc();
    entities.set(entityOf(device), acc);
    const times = [...new Set(list.flatMap((s) => s.samples.map((x) => x.t)))].sort((a, b) => a - b).map((t) => ({ t, v: 0 }));
    const cov = coverage(times, p.start, p.end, FUEL_MAX_GAP_MS);
    acc.coverages.push(cov);
    total.coverages.push(cov);
    for (const s of list) {
      const units = registerConsumption(s.samples, p.start, p.end).value;
      const fuel = fuelOf(device, s.metric, s.channel);
      for (const a of [acc, total]) {
        if (!fuel) {
          a.unknown += units;
          continue;
        }
        const f = fuelFactors(fuel, device, overrides);
        a.kwh += units * f.kwhPerUnit;
        a.fossilFree += units * f.kwhPerUnit * f.fossilFreeShare;
        a.byFuel.set(fuel, (a.byFuel.get(fuel) ?? 0) + units * f.kwhPerUnit);
      }
    }
  }

  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  const out: IndicatorValue[] = [];
  for (const [entity, a] of entities) {
    if (a.kwh <= 0) continue;
    out.push(makeValue(ctx, { indicator: o.indicator, unit: '%', entity, value: (100 * a.fossilFree) / a.kwh, coverage: mean(a.coverages), details: detailsOf(a) }));
  }
  const details = detailsOf(total);
  details.devices = perDevice.size;
  if (silent.length) details.silent_devices = silent.map((d) => d.id).join(',');
  if (total.kwh <= 0) details.note = perDevice.size === 0 ? 'no fuel or charging records in the period' : 'no fuel energy of a known fuel in the period';
  out.push(makeValue(ctx, { indicator: o.indicator, unit: '%', entity: ALL, value: total.kwh > 0 ? (100 * total.fossilFree) / total.kwh : 0, coverage: mean(total.coverages), details, insufficient: total.kwh <= 0 }));
  return out.sort(byEntity);
}
