import type { Family, SimDevice } from '../city/devices.js';
import type { WireValue } from '../city/model.js';

/** Every device family the city simulator knows. */
export const ALL_FAMILIES: readonly Family[] = ['electricity_meter', 'heat_meter', 'waste_fill', 'bike_counter', 'vehicle_counter', 'temperature'];

/** Throws a clear error when `format` cannot carry the device's family. */
export function assertFamily(format: string, families: readonly Family[], d: SimDevice): void {
  if (!families.includes(d.family)) {
    throw new Error(
      `encoder ${format} cannot carry ${d.family} (device ${d.registry.id}): the ${format} format/decoder has no field for it; ` +
        `${format} carries ${families.join(', ')}`,
    );
  }
}

/**
 * The value of `metric` (and `channel`) in what the device sends, checked to be in
 * the unit the encoder writes. Throws when it is missing or in another unit: an
 * encoder never guesses.
 */
export function valueOf(format: string, values: WireValue[], metric: string, unit: string, channel?: string): number {
  const v = values.find((x) => x.metric === metric && x.channel === channel);
  if (!v) throw new Error(`encoder ${format}: no ${metric}${channel ? ` (${channel})` : ''} in ${JSON.stringify(values)}`);
  if (v.unit !== unit) throw new Error(`encoder ${format}: ${metric} in ${v.unit}, expected ${unit}`);
  if (!Number.isFinite(v.value)) throw new Error(`encoder ${format}: ${metric} is not finite (${v.value})`);
  return v.value;
}

/** Throws when `values` holds anything the encoder did not write (nothing is dropped silently). */
export function assertOnly(format: string, values: WireValue[], known: Array<[metric: string, channel?: string]>): void {
  for (const v of values) {
    if (!known.some(([m, c]) => m === v.metric && c === v.channel)) {
      throw new Error(`encoder ${format}: cannot carry ${v.metric}${v.channel ? ` (${v.channel})` : ''}`);
    }
  }
}

/** ISO 8601 UTC, without the fraction when it is .000 (as most devices and servers print it). */
export function isoUtc(t: Date): string {
  const s = t.toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}

/** 32-bit FNV-1a, for deterministic made-up ids (application UUIDs, gateway EUIs). */
export function fnv1a(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function hex32(s: string): string {
  return fnv1a(s).toString(16).padStart(8, '0');
}

/** A stable UUID-shaped id derived from `s` (not a real UUID v4, but the same shape). */
export function fakeUuid(s: string): string {
  const h = hex32(`a${s}`) + hex32(`b${s}`) + hex32(`c${s}`) + hex32(`d${s}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A JSON payload. */
export function json(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v));
}

// ---------------------------------------------------------------------------
// Swedish local time (Europe/Stockholm), computed independently of the decoders.

export const STOCKHOLM = 'Europe/Stockholm';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** UTC offset in force at the instant, minutes (60 = CET, 120 = CEST). */
  offsetMinutes: number;
}

/** Wall-clock time of an instant in `zone`, with the offset in force. */
export function localTime(t: Date, zone = STOCKHOLM): LocalTime {
  const epoch = t.getTime();
  const wholeSeconds = Math.floor(epoch / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(wholeSeconds))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const localAsUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return {
    year: p.year!,
    month: p.month!,
    day: p.day!,
    hour: p.hour!,
    minute: p.minute!,
    second: p.second!,
    ms: epoch - wholeSeconds,
    offsetMinutes: Math.round((localAsUtc - wholeSeconds) / 60_000),
  };
}

/**
 * True when the instant's wall-clock time also occurred earlier (the second pass
 * through the hour repeated when DST ends): a local time without an offset read
 * "earlier instant wins" names the other instant.
 */
export function isRepeatedLocalTime(t: Date, zone = STOCKHOLM): boolean {
  const here = localTime(t, zone);
  // Zones shift by at most a few hours; look for the same wall clock up to 3 h earlier.
  for (const back of [30, 60, 90, 120, 180]) {
    const other = localTime(new Date(t.getTime() - back * 60_000), zone);
    if (wallKey(other) === wallKey(here)) return true;
  }
  return false;
}

function wallKey(l: LocalTime): string {
  return `${l.year}-${l.month}-${l.day} ${l.hour}:${l.minute}:${l.second}.${l.ms}`;
}

export const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
