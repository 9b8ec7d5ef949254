import { reject, type DecodeContext, type DecodeResult, type DecodedValue, type Decoder } from '../types.js';
import { parseJson } from '../zodIssue.js';

/**
 * Tasmota telemetry (https://tasmota.github.io/docs/): the periodic `tele/{device}/SENSOR`
 * message of the default FullTopic `%prefix%/%topic%/`.
 *
 *   {"Time":"2025-03-01T10:00:00",
 *    "ENERGY":{"TotalStartTime":"2024-01-01T00:00:00","Total":123.456,"Yesterday":1.2,
 *              "Today":0.5,"Power":230,"Voltage":231,"Current":1.02, ...},
 *    "SML":{"Total_in":1234.5,"Total_out":12.3,"Power_curr":456}}
 *
 * deviceRef = {device} (the Tasmota `Topic`).
 * Decoded keys (anything else is ignored, so are other sensors' blocks):
 *   ENERGY.Total        → energy_total, kWh
 *   ENERGY.ExportActive → energy_export_total, kWh
 *   ENERGY.Power        → power, W
 *   SML.Total_in        → energy_total, kWh         (Smart Meter Interface; the names and
 *   SML.Total_out       → energy_export_total, kWh   scaling are set in the device's meter
 *   SML.Power_curr      → power, W                   script: kWh and W are assumed)
 * ENERGY values may be arrays (multi-channel devices, e.g. "Power":[12,0]): one value per
 * element with channel "1", "2" ... Today/Yesterday/Period and the electrical extras are
 * ignored. `null` = absent; any other non-number in a decoded key is a `schema` rejection.
 * The same metric and channel from both blocks is rejected (it would be one reading twice).
 *
 * Time: Tasmota writes the device's local time without an offset (unless SetOption52 adds
 * one, which is honoured). It is read as Europe/Stockholm (or the IANA zone in the registry
 * device's `timezone` param), DST-correct. A local time that occurs twice (autumn fold) is
 * the earlier instant; one that does not exist (spring gap) is read with the offset in
 * force before the gap (02:30 → 01:30Z on 2025-03-30). No Time → observedAt absent.
 */

export const DEFAULT_TIME_ZONE = 'Europe/Stockholm';

const TOPIC_RE = /^tele\/([^/]+)\/SENSOR$/;
const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:\d{2})?$/;

interface KeyRule {
  key: string;
  metric: string;
  unit: string;
}
const BLOCKS: ReadonlyArray<{ block: string; keys: KeyRule[]; arrays: boolean }> = [
  {
    block: 'ENERGY',
    arrays: true,
    keys: [
      { key: 'Total', metric: 'energy_total', unit: 'kWh' },
      { key: 'ExportActive', metric: 'energy_export_total', unit: 'kWh' },
      { key: 'Power', metric: 'power', unit: 'W' },
    ],
  },
  {
    block: 'SML',
    arrays: false,
    keys: [
      { key: 'Total_in', metric: 'energy_total', unit: 'kWh' },
      { key: 'Total_out', metric: 'energy_export_total', unit: 'kWh' },
      { key: 'Power_curr', metric: 'power', unit: 'W' },
    ],
  },
];

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

export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset in ms at an instant (whole seconds). */
function offsetAt(zone: string, epochMs: number): number {
  const at = Math.floor(epochMs / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(at))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return local - at;
}

const DAY = 86_400_000;

/**
 * The instant of a wall-clock time in `zone`, given as epoch ms "as if UTC". Ambiguous
 * (fold) → the earlier instant; nonexistent (gap) → read with the offset before the gap.
 */
export function zonedTimeToInstant(localAsUtc: number, zone: string): number {
  const before = offsetAt(zone, localAsUtc - DAY);
  const after = offsetAt(zone, localAsUtc + DAY);
  const candidates = [...new Set([before, after, offsetAt(zone, localAsUtc)])]
    .map((o) => localAsUtc - o)
    .filter((t) => offsetAt(zone, t) === localAsUtc - t);
  if (candidates.length > 0) return Math.min(...candidates);
  return localAsUtc - before;
}

/** Tasmota `Time` → instant; undefined when it is not a valid date-time. */
export function parseTasmotaTime(raw: string, zone: string): Date | undefined {
  const m = TIME_RE.exec(raw);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const localAsUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(localAsUtc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  const offset = m[8];
  if (offset !== undefined) {
    if (offset === 'Z') return new Date(localAsUtc + ms);
    const sign = offset.startsWith('-') ? -1 : 1;
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    return new Date(localAsUtc - sign * (oh * 60 + om) * 60_000 + ms);
  }
  return new Date(zonedTimeToInstant(localAsUtc, zone) + ms);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const tasmotaDecoder: Decoder = {
  name: 'tasmota',
  version: '1.0.0',
  decode(payload: Buffer, ctx: DecodeContext): DecodeResult {
    const t = TOPIC_RE.exec(ctx.topic);
    if (!t) return reject('unsupported_topic', 'topic', 'expected tele/{device}/SENSOR');
    const deviceRef = t[1]!;
    const json = parseJson(payload);
    if (!json.ok) return reject('not_json', '(payload)', json.message);
    const msg = json.value;
    if (!isPlainObject(msg)) return reject('schema', '(root)', 'a JSON object');

    let observedAt: Date | undefined;
    if (msg.Time !== undefined && msg.Time !== null) {
      if (typeof msg.Time !== 'string') return reject('schema', 'Time', 'a date-time string like 2025-03-01T10:00:00');
      const param = ctx.lookupDevice?.(deviceRef)?.params.timezone;
      const zone = typeof param === 'string' && param !== '' ? param : DEFAULT_TIME_ZONE;
      if (!isTimeZone(zone)) return reject('decode_error', 'Time', `the device's timezone param ${JSON.stringify(zone)} is not an IANA time zone`);
      observedAt = parseTasmotaTime(msg.Time, zone);
      if (!observedAt) return reject('schema', 'Time', `a date-time like 2025-03-01T10:00:00 (optionally with an offset), got ${JSON.stringify(msg.Time)}`);
    }

    const values: DecodedValue[] = [];
    const seen = new Map<string, string>();
    const add = (metric: string, unit: string, value: number, field: string, channel?: string): DecodeResult | undefined => {
      const key = `${metric}/${channel ?? ''}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) return reject('schema', field, `${metric} is also reported in ${earlier}`);
      seen.set(key, field);
      values.push({ deviceRef, metric, value, unit, observedAt, field, ...(channel !== undefined ? { channel } : {}) });
      return undefined;
    };

    for (const { block, keys, arrays } of BLOCKS) {
      const b = msg[block];
      if (b === undefined || b === null) continue;
      if (!isPlainObject(b)) return reject('schema', block, 'an object');
      for (const rule of keys) {
        const v = b[rule.key];
        const field = `${block}.${rule.key}`;
        if (v === undefined || v === null) continue;
        if (typeof v === 'number') {
          const r = add(rule.metric, rule.unit, v, field);
          if (r) return r;
          continue;
        }
        if (arrays && Array.isArray(v)) {
          for (const [i, x] of v.entries()) {
            if (x === null) continue;
            if (typeof x !== 'number') return reject('schema', `${field}[${i}]`, `a number in ${rule.unit}, got ${JSON.stringify(x)}`);
            const r = add(rule.metric, rule.unit, x, `${field}[${i}]`, String(i + 1));
            if (r) return r;
          }
          continue;
        }
        return reject('schema', field, `a number in ${rule.unit}${arrays ? ' or an array of numbers' : ''}, got ${JSON.stringify(v)}`);
      }
    }
    return { ok: true, values };
  },
};
