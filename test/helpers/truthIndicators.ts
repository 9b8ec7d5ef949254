import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { TruthRecord } from '../../simulators/city/citySimulator.js';
import type { Device } from '../../services/registry/deviceRegistry.js';

/**
 * Reference values computed straight from a simulation's ground truth
 * (truth.ndjson: what every device measured), with plain code independent of the
 * indicator modules: the yardstick the pipeline + indicators are held to.
 */
export interface Truth {
  devices: Map<string, Device>;
  /** device|metric|channel → samples sorted by time */
  series: Map<string, Array<{ t: number; v: number }>>;
}

export function loadTruth(dir: string): Truth {
  const devices = new Map<string, Device>((JSON.parse(readFileSync(join(dir, 'registry.json'), 'utf8')).devices as Device[]).map((d) => [d.id, d]));
  const series = new Map<string, Array<{ t: number; v: number }>>();
  for (const line of readFileSync(join(dir, 'truth.ndjson'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as TruthRecord;
    const key = `${r.deviceId}|${r.metric}|${r.channel ?? ''}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = []));
    s.push({ t: Date.parse(r.observedAt), v: r.value });
  }
  for (const s of series.values()) s.sort((a, b) => a.t - b.t);
  return { devices, series };
}

export function months(year: number): Array<{ label: string; start: number; end: number }> {
  return Array.from({ length: 12 }, (_, i) => {
    const d = DateTime.fromObject({ year, month: i + 1, day: 1 }, { zone: 'Europe/Stockholm' });
    return { label: d.toFormat('yyyy-LL'), start: d.toMillis(), end: d.plus({ months: 1 }).toMillis() };
  });
}

const bySite = (truth: Truth, kinds: string[]) => {
  const out = new Map<string, Device[]>();
  for (const d of truth.devices.values()) if (kinds.includes(d.kind)) out.set(d.site ?? d.id, [...(out.get(d.site ?? d.id) ?? []), d]);
  return out;
};

/** Register value at time t (readings are hourly on whole hours: exact, else linear). */
function registerAt(s: Array<{ t: number; v: number }>, t: number): number | undefined {
  let lo = 0;
  let hi = s.length - 1;
  if (hi < 0 || t < s[0]!.t || t > s[hi]!.t) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  if (s[lo]!.t === t) return s[lo]!.v;
  const a = s[lo - 1]!;
  const b = s[lo]!;
  return a.v + ((b.v - a.v) * (t - a.t)) / (b.t - a.t);
}

/** kWh used per building in [start, end): register differences, a drop being a new meter from 0. */
export function energyUse(truth: Truth, start: number, end: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [site, devices] of bySite(truth, ['electricity_meter', 'heat_meter'])) {
    let total = 0;
    for (const d of devices) {
      const s = truth.series.get(`${d.id}|${d.kind === 'heat_meter' ? 'heat_energy_total' : 'energy_total'}|`) ?? [];
      const inside = s.filter((x) => x.t >= start && x.t <= end);
      const a = registerAt(s, start);
      const b = registerAt(s, end);
      if (a === undefined || b === undefined) continue;
      let used = 0;
      let prev = a;
      for (const x of inside) {
        used += x.v >= prev ? x.v - prev : x.v; // reset: the new meter started at 0
        prev = x.v;
      }
      used += b >= prev ? b - prev : b;
      total += used;
    }
    out.set(site, total);
  }
  return out;
}

/** Highest hourly sum of the building's electricity meters' power (kW). */
export function peakPower(truth: Truth, start: number, end: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [site, devices] of bySite(truth, ['electricity_meter'])) {
    const hours = new Map<number, number>();
    for (const d of devices) for (const x of truth.series.get(`${d.id}|power|`) ?? []) if (x.t >= start && x.t < end) hours.set(x.t, (hours.get(x.t) ?? 0) + x.v);
    out.set(site, Math.max(...hours.values()));
  }
  return out;
}

/** Degree-days (base 17 °C) from the daily mean outdoor temperature, Stockholm days. */
export function degreeDays(truth: Truth, start: number, end: number): number {
  const days = new Map<string, number[]>();
  for (const d of truth.devices.values()) {
    if (d.kind !== 'temperature') continue;
    for (const x of truth.series.get(`${d.id}|temperature|`) ?? []) {
      if (x.t < start || x.t >= end) continue;
      const day = DateTime.fromMillis(x.t, { zone: 'Europe/Stockholm' }).toISODate()!;
      days.set(day, [...(days.get(day) ?? []), x.v]);
    }
  }
  let dd = 0;
  for (const vs of days.values()) dd += Math.max(0, 17 - vs.reduce((a, b) => a + b, 0) / vs.length);
  return dd;
}

/** Counts (in + out) per counting point for one counter kind. */
export function flows(truth: Truth, kind: string, start: number, end: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of truth.devices.values()) {
    if (d.kind !== kind) continue;
    const point = String(d.params.counting_point ?? d.site ?? d.id);
    let n = 0;
    for (const ch of ['in', 'out']) for (const x of truth.series.get(`${d.id}|count|${ch}`) ?? []) if (x.t >= start && x.t < end) n += x.v;
    out.set(point, (out.get(point) ?? 0) + n);
  }
  return out;
}

/** Litres added per household and week, all containers pooled: the true fill has no noise, so every rise is waste put in and every drop an emptying. */
export function wastePerHousehold(truth: Truth, start: number, end: number): number {
  let litres = 0;
  let households = 0;
  for (const d of truth.devices.values()) {
    if (d.kind !== 'waste_fill') continue;
    households += Number(d.params.households);
    const vol = truth.series.get(`${d.id}|fill_volume|`) ?? [];
    for (let i = 1; i < vol.length; i++) {
      const a = vol[i - 1]!;
      const b = vol[i]!;
      if (b.t <= start || a.t >= end) continue;
      if (b.v < a.v) continue;
      litres += (b.v - a.v) * ((Math.min(b.t, end) - Math.max(a.t, start)) / (b.t - a.t));
    }
  }
  return litres / households / (Math.round((end - start) / 86_400_000) / 7); // calendar days, DST or not
}
