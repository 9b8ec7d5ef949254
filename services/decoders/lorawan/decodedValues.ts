import { SOURCE_UNITS } from '../../core/units.js';
import type { DecodedValue, Rejection } from '../types.js';

/**
 * Shared by the LoRaWAN network-server decoders (ttn-v3, chirpstack-v4, chirpstack-v3):
 * turns a network server's *decoded object* (TTS `uplink_message.decoded_payload`,
 * ChirpStack v4 `object`, ChirpStack v3 `objectJSON`) into decoded values.
 *
 * The object's keys are whatever the device's payload formatter (usually the vendor's
 * JavaScript codec) produced. Only the keys below are read; any other key is ignored
 * (not an error: vendor codecs emit firmware versions, alarms, RSSI ...). Keys are
 * matched after camelCase → snake_case and lower-casing (`batteryLevel`, `Battery_Level`
 * and `battery_level` are one key); `field` keeps the key as the payload spells it.
 *
 * | key(s)                                                            | metric            | unit when the value is a bare number |
 * | ----------------------------------------------------------------- | ----------------- | ------------------------------------ |
 * | battery, battery_level, battery_percent, battery_pct              | battery           | %                                    |
 * | distance, distance_mm                                             | distance          | mm                                   |
 * | distance_cm                                                       | distance          | cm (reported as mm)                  |
 * | temperature, temp, temperature_c, temp_c, air_temperature         | temperature       | °C                                   |
 * | flow_temperature, flow_temp, supply_temperature                   | flow_temperature  | °C                                   |
 * | energy, energy_total, total_energy, energy_kwh                    | energy_total      | kWh                                  |
 * | energy_wh                                                         | energy_total      | Wh                                   |
 * | energy_export, energy_export_total, export_energy                 | energy_export_total | kWh                                |
 * | heat_energy, heat_energy_total, heat_energy_kwh                   | heat_energy_total | kWh                                  |
 * | heat_energy_mwh                                                   | heat_energy_total | MWh                                  |
 * | power, power_w, active_power                                      | power             | W (see below)                        |
 * | power_kw                                                          | power             | kW                                   |
 * | water_total, water_l                                              | water_total       | L                                    |
 * | water_m3                                                          | water_total       | m3                                   |
 * | fill_level, fill_level_pct, fill_percent                          | fill_level        | %                                    |
 * | fill_volume, fill_volume_l                                        | fill_volume       | L                                    |
 * | humidity, relative_humidity, rh                                   | humidity          | %                                    |
 * | co2, co2_ppm                                                      | co2               | ppm                                  |
 * | count                                                             | count             | count (no channel)                   |
 * | in, count_in, people_in, period_in, line_1_period_in              | count, channel `in`  | count                             |
 * | out, count_out, people_out, period_out, line_1_period_out         | count, channel `out` | count                             |
 * | line_N_period_in / line_N_period_out, N = 2..4 (Milesight VS133)  | count, channel `lineN_in` / `lineN_out` | count          |
 *
 * Choices:
 * - `power` without a unit in its name is taken as W: the vendor codecs that emit a
 *   plain `power` key (Milesight, Dragino, Elsys ...) report watts. A codec reporting kW
 *   must use `power_kw` or a string with a unit ("2.5 kW").
 * - Plain `water`, `volume`, `level` and `voltage`-style keys are deliberately not read:
 *   their unit differs between vendors, and a silent 1000× error is worse than no value.
 * - Cumulative people/bike totals (`line_1_total_in`, `total_in` ...) are not read: the
 *   canonical `count` is passages *in the interval* (not cumulative), see metrics.ts.
 * - `in`/`out` are directions of a counting line; line 1 (or a single-line counter) uses
 *   `in`/`out`, further lines `line2_in` ... so that their readings do not collide.
 *
 * Value forms:
 * - a JSON number → the value in the key's unit;
 * - a string "number [unit]" ("3.384 V", "21.5 °C", "21.5°C", "98%", "42") → the number
 *   with the given unit, or the key's unit when none is given. The unit must be one the
 *   normalizer converts (services/core/units.ts; plus `℃`/`degC` for °C) — for `distance`
 *   mm, cm or m, reported in mm. Another unit ("3.384 V" for battery) is a `schema`
 *   rejection naming the field: the message is dead-lettered rather than guessed at;
 * - `null` → no value (as if the key were absent);
 * - anything else (boolean, object, array, a string that is not a number) → `schema`
 *   rejection naming the field.
 * Two keys that give the same metric and channel in one object (`energy` and
 * `energy_kwh`) are a `schema` rejection: neither is silently preferred.
 */

export interface KeySpec {
  metric: string;
  /** Unit assumed for a bare number. */
  unit: string;
  channel?: string;
}

const spec = (metric: string, unit: string, channel?: string): KeySpec =>
  channel === undefined ? { metric, unit } : { metric, unit, channel };

function keys(names: string[], s: KeySpec): Array<[string, KeySpec]> {
  return names.map((n) => [n, s]);
}

/** Exact keys (after normalizeKey). */
export const DECODED_KEY_MAP: ReadonlyMap<string, KeySpec> = new Map<string, KeySpec>([
  ...keys(['battery', 'battery_level', 'battery_percent', 'battery_pct'], spec('battery', '%')),
  ...keys(['distance', 'distance_mm'], spec('distance', 'mm')),
  ...keys(['distance_cm'], spec('distance', 'cm')),
  ...keys(['temperature', 'temp', 'temperature_c', 'temp_c', 'air_temperature'], spec('temperature', '°C')),
  ...keys(['flow_temperature', 'flow_temp', 'supply_temperature'], spec('flow_temperature', '°C')),
  ...keys(['energy', 'energy_total', 'total_energy', 'energy_kwh'], spec('energy_total', 'kWh')),
  ...keys(['energy_wh'], spec('energy_total', 'Wh')),
  ...keys(['energy_export', 'energy_export_total', 'export_energy'], spec('energy_export_total', 'kWh')),
  ...keys(['heat_energy', 'heat_energy_total', 'heat_energy_kwh'], spec('heat_energy_total', 'kWh')),
  ...keys(['heat_energy_mwh'], spec('heat_energy_total', 'MWh')),
  ...keys(['power', 'power_w', 'active_power'], spec('power', 'W')),
  ...keys(['power_kw'], spec('power', 'kW')),
  ...keys(['water_total', 'water_l'], spec('water_total', 'L')),
  ...keys(['water_m3'], spec('water_total', 'm3')),
  ...keys(['fill_level', 'fill_level_pct', 'fill_percent'], spec('fill_level', '%')),
  ...keys(['fill_volume', 'fill_volume_l'], spec('fill_volume', 'L')),
  ...keys(['humidity', 'relative_humidity', 'rh'], spec('humidity', '%')),
  ...keys(['co2', 'co2_ppm'], spec('co2', 'ppm')),
  ...keys(['count'], spec('count', 'count')),
  ...keys(['in', 'count_in', 'people_in', 'period_in'], spec('count', 'count', 'in')),
  ...keys(['out', 'count_out', 'people_out', 'period_out'], spec('count', 'count', 'out')),
]);

/** Channel of a counting line's direction: line 1 is plain `in`/`out`. */
export function lineChannel(line: number, direction: 'in' | 'out'): string {
  return line === 1 ? direction : `line${line}_${direction}`;
}

const LINE_PERIOD_RE = /^line_([1-4])_period_(in|out)$/;

/** camelCase → snake_case, lower case: `batteryLevel` → `battery_level`. */
export function normalizeKey(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function lookupKey(key: string): KeySpec | undefined {
  const k = normalizeKey(key);
  const exact = DECODED_KEY_MAP.get(k);
  if (exact) return exact;
  const m = LINE_PERIOD_RE.exec(k);
  if (m) return spec('count', 'count', lineChannel(Number(m[1]), m[2] as 'in' | 'out'));
  return undefined;
}

// Maps, not object literals: a unit string like "constructor" must not find Object.prototype.
const UNIT_ALIASES: ReadonlyMap<string, string> = new Map([
  ['℃', '°C'],
  ['degC', '°C'],
  ['deg C', '°C'],
]);
const DISTANCE_TO_MM: ReadonlyMap<string, number> = new Map([
  ['mm', 1],
  ['cm', 10],
  ['m', 1000],
]);
const KNOWN_UNITS = new Set(SOURCE_UNITS);

const NUMBER_WITH_UNIT_RE = /^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$/;

export type ParsedValue = { ok: true; value: number; unit: string } | { ok: false; message: string };

/**
 * A decoded value as a number in a unit: a JSON number in `defaultUnit`, or a string
 * "number [unit]". `distance` is always returned in mm.
 */
export function parseValueWithUnit(raw: unknown, defaultUnit: string, metric: string): ParsedValue {
  let value: number;
  let unit = defaultUnit;
  if (typeof raw === 'number') {
    value = raw;
  } else if (typeof raw === 'string') {
    const m = NUMBER_WITH_UNIT_RE.exec(raw);
    if (!m) return { ok: false, message: `${JSON.stringify(raw)} is not a number with an optional unit` };
    value = Number(m[1]);
    if (m[2]) unit = UNIT_ALIASES.get(m[2]) ?? m[2];
  } else {
    return { ok: false, message: `expected a number or a string like "21.5 °C", got ${describeType(raw)}` };
  }
  if (!Number.isFinite(value)) return { ok: false, message: `${JSON.stringify(raw)} is not a finite number` };
  if (metric === 'distance') {
    const f = DISTANCE_TO_MM.get(unit);
    if (f === undefined) return { ok: false, message: `${JSON.stringify(raw)}: a distance must be in mm, cm or m` };
    return { ok: true, value: f === 1 ? value : Number((value * f).toPrecision(15)), unit: 'mm' };
  }
  if (!KNOWN_UNITS.has(unit)) {
    return { ok: false, message: `${JSON.stringify(raw)}: unknown unit ${JSON.stringify(unit)} (known: ${SOURCE_UNITS.join(', ')})` };
  }
  return { ok: true, value, unit };
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** What every value of one uplink shares. */
export interface UplinkMeta {
  deviceRef: string;
  observedAt?: Date;
  frameCounter?: number;
}

export type ValuesResult = { ok: true; values: DecodedValue[] } | { ok: false; rejection: Rejection };

/**
 * Decoded values from a network server's decoded object, by the key map above.
 * `path` is the object's JSON path (`uplink_message.decoded_payload`), the prefix of
 * each value's `field`.
 */
export function valuesFromDecodedObject(obj: Record<string, unknown>, path: string, meta: UplinkMeta): ValuesResult {
  const values: DecodedValue[] = [];
  const seen = new Map<string, string>();
  for (const [key, raw] of Object.entries(obj)) {
    const s = lookupKey(key);
    if (!s || raw === null) continue;
    const field = `${path}.${key}`;
    const parsed = parseValueWithUnit(raw, s.unit, s.metric);
    if (!parsed.ok) return { ok: false, rejection: { reason: 'schema', field, message: parsed.message } };
    const slot = `${s.metric}\u0000${s.channel ?? ''}`;
    const other = seen.get(slot);
    if (other !== undefined) {
      return {
        ok: false,
        rejection: { reason: 'schema', field, message: `${key} and ${other} both give ${s.metric}${s.channel ? ` (${s.channel})` : ''}` },
      };
    }
    seen.set(slot, key);
    values.push(withMeta({ metric: s.metric, value: parsed.value, unit: parsed.unit, channel: s.channel, field }, meta));
  }
  return { ok: true, values };
}

/** A DecodedValue without undefined optional properties (keeps test expectations exact). */
export function withMeta(
  v: { metric: string; value: number; unit?: string; channel?: string; field: string; observedAt?: Date },
  meta: UplinkMeta,
  opts: { frameCounter?: boolean } = {},
): DecodedValue {
  const out: DecodedValue = { deviceRef: meta.deviceRef, metric: v.metric, value: v.value, field: v.field };
  if (v.unit !== undefined) out.unit = v.unit;
  if (v.channel !== undefined) out.channel = v.channel;
  const observedAt = v.observedAt ?? meta.observedAt;
  if (observedAt !== undefined) out.observedAt = observedAt;
  if (meta.frameCounter !== undefined && opts.frameCounter !== false) out.frameCounter = meta.frameCounter;
  return out;
}
