import { HOUR, registerPerHour } from '../energy/common.js';
import { hourlyMeans } from '../series.js';
import type { Sample } from '../types.js';
import { packSamples } from './packedHours.js';
import { KINDS_WITH_RAW_DAYS, SHORT_MS, type DeviceBucket, type HourlySeries, type RawDeviceSeries, type RollupRow, type SeriesBucket } from './types.js';

/**
 * The day rollup of one device from its raw readings of the day and 3 h on either
 * side (the context that intervals crossing midnight need). Returns undefined when
 * the device has no reading inside the day.
 */
export function dayRollup(raw: RawDeviceSeries, day: { start: number; end: number }): RollupRow | undefined {
  const { start, end } = day;
  const s: SeriesBucket[] = [];
  const times = new Set<number>();
  let readings = 0;
  for (const x of raw.series) {
    const b = seriesBucket(x.samples, start, end);
    if (!b) continue;
    s.push({ metric: x.metric, channel: x.channel, ...b });
    readings += b.n;
    for (const p of x.samples) if (p.t >= start && p.t < end) times.add(p.t);
  }
  if (s.length === 0) return undefined;
  s.sort((a, b) => (a.metric === b.metric ? cmp(a.channel, b.channel) : cmp(a.metric, b.metric)));
  const sorted = [...times].sort((a, b) => a - b);
  const silences: number[] = [];
  for (let i = 1; i < sorted.length; i++) if (sorted[i]! - sorted[i - 1]! > SHORT_MS) silences.push(sorted[i]! - sorted[i - 1]!);
  const d: DeviceBucket = { readings, times: sorted.length, firstT: sorted[0]!, lastT: sorted[sorted.length - 1]!, silences };
  if (raw.kind === 'electricity_meter') {
    const hourly = hourlyPower(raw, start, end);
    if (hourly.every((x) => x.channel === '')) d.kw = combined(hourly);
    else d.hourly = hourly;
  }
  if (KINDS_WITH_RAW_DAYS.includes(raw.kind))
    d.raw = raw.series.map((x) => ({ metric: x.metric, channel: x.channel, tv: packSamples(x.samples.filter((p) => p.t >= start && p.t < end)) }));
  return { device: raw.device, kind: raw.kind, span: 'day', start, d, s };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A series' bucket of [from, to) from its samples (which may reach 3 h beyond). */
export function seriesBucket(samples: Sample[], from: number, to: number): Omit<SeriesBucket, 'metric' | 'channel'> | undefined {
  let n = 0;
  let first: Sample | undefined;
  let last: Sample | undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of samples) {
    if (x.t < from || x.t >= to) continue;
    n++;
    first ??= x;
    last = x;
    if (x.v < min) min = x.v;
    if (x.v > max) max = x.v;
    sum += x.v;
  }
  if (!first || !last) return undefined;
  let inc = 0;
  let resets = 0;
  let crossReset = 0;
  let coveredMs = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (b.t <= from || a.t >= to) continue;
    const inside = a.t >= from && b.t < to;
    const short = b.t - a.t <= SHORT_MS;
    if (!inside && !short) continue; // a long interval across the edge: the reducer's
    const drop = b.v < a.v;
    const step = drop ? b.v : b.v - a.v;
    const overlap = Math.min(b.t, to) - Math.max(a.t, from);
    inc += step * (overlap / (b.t - a.t));
    if (drop) resets++;
    if (drop && a.t < from) crossReset = 1;
    if (short) coveredMs += overlap;
  }
  return { n, firstT: first.t, firstV: first.v, lastT: last.t, lastV: last.v, min, max, sum, inc, resets, crossReset, coveredMs };
}

/** peak_power's inputs of one electricity meter for each hour of the day, per series. */
function hourlyPower(raw: RawDeviceSeries, start: number, end: number): HourlySeries[] {
  const out: HourlySeries[] = [];
  const hours = Math.round((end - start) / HOUR);
  for (const x of raw.series) {
    if (x.metric !== 'power' && x.metric !== 'energy_total') continue;
    const v = new Array<number | null>(hours).fill(null);
    if (x.metric === 'power') {
      for (const [h, mean] of hourlyMeans(x.samples, start, end)) v[(h - start) / HOUR] = mean;
    } else {
      for (const [h, e] of registerPerHour(x.samples, start, end)) if (e.covered >= HOUR - 1) v[(h - start) / HOUR] = e.kwh;
    }
    out.push({ metric: x.metric, channel: x.channel, v });
  }
  return out;
}

/** The plain power and energy series of a day combined as peak_power takes them (power mean, else the register's complete hour). */
function combined(hourly: HourlySeries[]): Array<number | null> {
  const power = hourly.find((x) => x.metric === 'power')?.v;
  const energy = hourly.find((x) => x.metric === 'energy_total')?.v;
  const n = (power ?? energy)?.length ?? 0;
  const out: Array<number | null> = [];
  for (let i = 0; i < n; i++) out.push(power?.[i] ?? energy?.[i] ?? null);
  return out;
}
