import { nextMonth } from './days.js';
import { packHours } from './packedHours.js';
import { SHORT_MS, type DeviceBucket, type RollupRow, type SeriesBucket } from './types.js';

/**
 * A device's month row from its day rows of that month (sorted by start): the
 * same figures as a day row built over the whole month, because each day holds
 * its share of the short intervals across midnight and the long ones between two
 * days are added here, whole (both readings lie in the month).
 */
export function monthRollup(days: RollupRow[], month: number): RollupRow {
  const bySeries = new Map<string, Array<{ start: number; b: SeriesBucket }>>();
  for (const r of days) {
    for (const b of r.s) {
      const key = `${b.metric}\u0000${b.channel}`;
      const list = bySeries.get(key) ?? [];
      list.push({ start: r.start, b });
      bySeries.set(key, list);
    }
  }
  const s = [...bySeries.values()].map((list) => mergeSeries(list, month));
  const d = mergeDevices(days.map((r) => r.d));
  return { device: days[0]!.device, kind: days[0]!.kind, span: 'month', start: month, d, s };
}

/**
 * An electricity meter's `month_hours` row from its day rows of the month (undefined
 * for other kinds): `kwm` when every day has plain `kw`, else none (peak_power then
 * takes the days). Written for every meter with a month row, so a month without
 * these rows is one from before them.
 */
export function monthHoursRollup(days: RollupRow[], month: number): RollupRow | undefined {
  const first = days[0]!;
  if (first.kind !== 'electricity_meter') return undefined;
  const kwm = monthHours(days, month);
  return { device: first.device, kind: first.kind, span: 'month_hours', start: month, d: { readings: 0, times: 0, firstT: first.d.firstT, lastT: days[days.length - 1]!.d.lastT, silences: [], ...(kwm ? { kwm } : {}) }, s: [] };
}

const HOUR = 3_600_000;

/**
 * The month's peak_power inputs, hour by hour, when every day has them combined
 * (`kw`: plain series only) or has none: these do not depend on the window, so
 * the month's hours are the days' hours one after another. Undefined when a day
 * has tariff or phase channels (`hourly`): which of them count depends on the
 * window, and peak_power reads that month's days.
 */
function monthHours(days: RollupRow[], month: number): string | undefined {
  if (days.some((r) => r.d.hourly)) return undefined;
  const hours = new Array<number | null>(Math.round((nextMonth(month) - month) / HOUR)).fill(null);
  for (const r of days) {
    const offset = Math.round((r.start - month) / HOUR);
    r.d.kw?.forEach((v, i) => {
      if (offset + i < hours.length) hours[offset + i] = v;
    });
  }
  return packHours(hours);
}

function mergeSeries(list: Array<{ start: number; b: SeriesBucket }>, month: number): SeriesBucket {
  const first = list[0]!.b;
  const out: SeriesBucket = { ...first, crossReset: list[0]!.start === month ? first.crossReset : 0 };
  for (let i = 1; i < list.length; i++) {
    const { b } = list[i]!;
    const prev = out;
    const gap = b.firstT - prev.lastT;
    if (gap > SHORT_MS) {
      const drop = b.firstV < prev.lastV;
      out.inc += drop ? b.firstV : b.firstV - prev.lastV;
      if (drop) out.resets++;
    }
    out.inc += b.inc;
    // The day's crossing drop was counted by the day before too (it lies in the month).
    out.resets += b.resets - b.crossReset;
    out.coveredMs += b.coveredMs;
    out.n += b.n;
    out.sum += b.sum;
    if (b.min < out.min) out.min = b.min;
    if (b.max > out.max) out.max = b.max;
    out.lastT = b.lastT;
    out.lastV = b.lastV;
  }
  return out;
}

function mergeDevices(list: DeviceBucket[]): DeviceBucket {
  const out: DeviceBucket = { readings: 0, times: 0, firstT: list[0]!.firstT, lastT: list[0]!.lastT, silences: [] };
  for (let i = 0; i < list.length; i++) {
    const d = list[i]!;
    if (i > 0 && d.firstT - out.lastT > SHORT_MS) out.silences.push(d.firstT - out.lastT);
    out.silences.push(...d.silences);
    out.readings += d.readings;
    out.times += d.times;
    out.lastT = d.lastT;
  }
  return out;
}
