import { METRICS, type MetricName } from '../core/metrics.js';
import { readingIdOf, type CanonicalReading } from '../core/reading.js';
import type { Device } from '../registry/deviceRegistry.js';
import type { Rejection, RowEntry } from './rowParser.js';

export const HOUR = 3_600_000;
/** Register readings further apart than this are not filled in hour by hour (a quarterly or yearly reading stays a gap). */
export const MAX_FILL_MS = 32 * 24 * HOUR;

/**
 * The rows of one import, per series (device, metric, channel), as a few
 * numbers per row (never the rows), turned into readings once the file is read:
 *
 * - register metrics (energy_total, heat_energy_total, water_total) from
 *   interval values (a portal's hourly or monthly consumption): a register that
 *   starts at `base` (the stored register at the first interval's start, else 0)
 *   and rises by each interval's value at the interval's end. Gaps stay flat.
 * - register metrics from meter readings: the readings as they are.
 * - Both: between two register readings more than an hour and at most 32 days
 *   apart, a reading at every whole hour, linear (what the indicators assume
 *   between readings anyway), so that a month from monthly data is covered and
 *   its energy_use sufficient. A day or week from monthly data is a pro-rata share.
 * - other metrics (waste_weight, fuel_volume, charging_energy): one reading per
 *   interval at its start; rows of the same series and start are added up (two
 *   refuellings on one day).
 */

export interface SeriesPoint {
  t: number;
  v: number;
  /** The file's row, or the rows a filled-in reading lies between. */
  rows: [number] | [number, number];
  /** The start of interval data after a gap: nothing is known between the point before and this one. */
  gapBefore?: boolean;
}

interface Buffered {
  device: Device;
  metric: MetricName;
  channel?: string;
  starts: number[];
  ends: number[];
  values: number[];
  rows: number[];
}

export class SeriesBuffer {
  private readonly series = new Map<string, Buffered>();
  rows = 0;

  add(e: RowEntry): void {
    const key = `${e.device.id}\u0000${e.metric}\u0000${e.channel ?? ''}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { device: e.device, metric: e.metric, ...(e.channel ? { channel: e.channel } : {}), starts: [], ends: [], values: [], rows: [] }));
    s.starts.push(e.start);
    s.ends.push(e.end);
    s.values.push(e.value);
    s.rows.push(e.row);
    this.rows++;
  }

  get count(): number {
    return this.series.size;
  }

  /** Each series once, with its first time (for the base lookup). */
  list(): Array<{ device: Device; metric: MetricName; channel?: string; first: number }> {
    return [...this.series.values()].map((s) => ({ device: s.device, metric: s.metric, ...(s.channel ? { channel: s.channel } : {}), first: s.starts.reduce((m, t) => (t < m ? t : m), Infinity) }));
  }

  /** The series' points; rows that cannot be used (overlapping intervals, two readings at one time) go to `reject`. */
  *points(valuesAre: 'interval' | 'register', repeats: 'add' | 'reject', base: (device: Device, metric: MetricName, channel: string | undefined) => number | undefined, reject: (row: number, r: Rejection) => void): Generator<{ device: Device; metric: MetricName; channel?: string; points: SeriesPoint[] }> {
    for (const s of this.series.values()) {
      const order = s.starts.map((_, i) => i).sort((a, b) => s.starts[a]! - s.starts[b]! || s.rows[a]! - s.rows[b]!);
      const cumulative = METRICS[s.metric].cumulative;
      const pts = !cumulative ? sums(s, order, repeats, reject) : valuesAre === 'interval' ? registerOfIntervals(s, order, repeats, base(s.device, s.metric, s.channel) ?? 0, reject) : registerReadings(s, order, reject);
      yield { device: s.device, metric: s.metric, ...(s.channel ? { channel: s.channel } : {}), points: cumulative ? fillHours(pts) : pts };
    }
  }
}

function sums(s: Buffered, order: number[], repeats: 'add' | 'reject', reject: (row: number, r: Rejection) => void): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const i of order) {
    const last = out[out.length - 1];
    if (last && last.t === s.starts[i] && repeats === 'reject') reject(s.rows[i]!, { reason: 'bad_record', field: 'time', message: `row ${last.rows[0]} has the same series and time (set "repeats": "add" to add them up)` });
    else if (last && last.t === s.starts[i]) last.v = Number((last.v + s.values[i]!).toPrecision(15));
    else out.push({ t: s.starts[i]!, v: s.values[i]!, rows: [s.rows[i]!] });
  }
  return out;
}

function registerOfIntervals(s: Buffered, order: number[], repeats: 'add' | 'reject', base: number, reject: (row: number, r: Rejection) => void): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  let r = base;
  let prevStart: number | undefined;
  let prevEnd: number | undefined;
  let prevRow = 0;
  for (const i of order) {
    const start = s.starts[i]!;
    if (repeats === 'add' && start === prevStart && s.ends[i] === prevEnd) {
      r = Number((r + s.values[i]!).toPrecision(15));
      out[out.length - 1]!.v = r;
      continue;
    }
    if (prevEnd !== undefined && start < prevEnd) {
      reject(s.rows[i]!, { reason: 'bad_record', field: 'time', message: `overlaps the interval of row ${prevRow} (${new Date(start).toISOString()})${start === prevStart ? '; set "repeats": "add" to add such rows up' : ''}` });
      continue;
    }
    if (prevEnd === undefined || start > prevEnd) out.push({ t: start, v: r, rows: [s.rows[i]!], gapBefore: true });
    r = Number((r + s.values[i]!).toPrecision(15));
    out.push({ t: s.ends[i]!, v: r, rows: [s.rows[i]!] });
    prevStart = start;
    prevEnd = s.ends[i]!;
    prevRow = s.rows[i]!;
  }
  return out;
}

function registerReadings(s: Buffered, order: number[], reject: (row: number, r: Rejection) => void): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const i of order) {
    const last = out[out.length - 1];
    if (last && last.t === s.starts[i]) {
      if (last.v !== s.values[i]) reject(s.rows[i]!, { reason: 'bad_record', field: 'value', message: `row ${last.rows[0]} has another reading (${last.v}) at the same time` });
      continue;
    }
    out.push({ t: s.starts[i]!, v: s.values[i]!, rows: [s.rows[i]!] });
  }
  return out;
}

/** Readings at the whole hours between two register readings 1 h to 32 days apart that do not drop (a drop is a replaced meter). */
function fillHours(pts: SeriesPoint[]): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (let i = 0; i < pts.length; i++) {
    const b = pts[i]!;
    const a = pts[i - 1];
    if (a && !b.gapBefore && b.t - a.t > HOUR && b.t - a.t <= MAX_FILL_MS && b.v >= a.v) {
      for (let h = Math.floor(a.t / HOUR) * HOUR + HOUR; h < b.t; h += HOUR) {
        out.push({ t: h, v: Number((a.v + ((b.v - a.v) * (h - a.t)) / (b.t - a.t)).toPrecision(15)), rows: [a.rows[0], b.rows[0]] });
      }
    }
    out.push(b);
  }
  return out;
}

/** A point as a canonical reading of the import (`source.topic` names the file and rows). */
export function readingOf(p: SeriesPoint, s: { device: Device; metric: MetricName; channel?: string }, file: string, receivedAt: string): CanonicalReading {
  const { tenant, id: deviceId, site, kind } = s.device;
  const observedAt = new Date(p.t).toISOString();
  return {
    id: readingIdOf(tenant, deviceId, s.metric, s.channel, p.t),
    tenant, deviceId, ...(site ? { site } : {}), kind, metric: s.metric, ...(s.channel ? { channel: s.channel } : {}),
    value: p.v, unit: METRICS[s.metric].unit, observedAt, receivedAt,
    source: { format: 'import', decoderVersion: IMPORT_VERSION, topic: p.rows.length === 1 ? `import/${file}#row=${p.rows[0]}` : `import/${file}#rows=${p.rows[0]}-${p.rows[1]}:interpolated` },
  };
}

export const IMPORT_VERSION = '1';
