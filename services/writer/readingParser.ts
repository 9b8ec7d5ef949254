import { CANONICAL_UNITS, METRIC_NAMES, SENSOR_KINDS } from '../core/metrics.js';
import { TENANT_RE, canonicalReadingSchema, type CanonicalReading } from '../core/reading.js';
import { readingFromCompact } from '../core/readingRecords.js';

export type ParsedRecord = { ok: true; reading: CanonicalReading } | { ok: false; field: string; message: string };

/**
 * A Kafka record (or a line of a v2 record; `compact`: of a v3 record) → a canonical
 * reading, or the field and rule it broke.
 *
 * Every record passes a hand-written check of exactly the rules of
 * `canonicalReadingSchema` (or stricter) first; only a record that fails it goes
 * through zod, which then gives the usual error (field + message), or accepts a
 * record the quick check was too strict for. Why by hand: zod per record was the
 * writer's largest cost after JSON.parse (tens of thousands of records per second).
 * readingParser.test.ts checks the two agree on generated good and bad records.
 */
export function parseReading(value: Buffer | null, compact = false): ParsedRecord {
  if (!value) return { ok: false, field: '(record)', message: 'empty record' };
  let json = safeJson(value);
  if (json === undefined) return { ok: false, field: '(record)', message: 'not JSON' };
  if (compact) {
    // a v3 line (services/core/readingRecords.ts): the reading's values in a JSON array
    json = readingFromCompact(json);
    if (json === undefined) return { ok: false, field: '(record)', message: 'not a compact reading (a JSON array of 14 values)' };
  }
  if (isCanonicalReading(json)) return { ok: true, reading: json };
  const r = canonicalReadingSchema.safeParse(json);
  if (r.success) return { ok: true, reading: r.data };
  const issue = r.error.issues[0]!;
  return { ok: false, field: issue.path.join('.') || '(record)', message: issue.message };
}

/** The record's JSON, or undefined when it is not JSON. */
export function safeJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}

const ID_RE = /^[0-9a-f]{32}$/;
// The shape z.iso.datetime() accepts (UTC `Z`, optional fraction), with the same field ranges.
const ISO_UTC_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?Z$/;
const KINDS = new Set<string>(SENSOR_KINDS);
const METRIC_SET = new Set<string>(METRIC_NAMES);
const UNITS = new Set<string>(CANONICAL_UNITS);
const REQUIRED_KEYS = 10; // id tenant deviceId kind metric value unit observedAt receivedAt source

/** zod also checks the day against the month (and leap years): 2025-02-29 is refused. */
function isoUtc(v: unknown): boolean {
  if (!str(v) || !ISO_UTC_RE.test(v)) return false;
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  return d <= 28 || new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
}

const str = (v: unknown, max = Infinity, min = 0): v is string => typeof v === 'string' && v.length >= min && v.length <= max;

/** True only for an object zod would accept unchanged (no unknown keys, which zod would strip). */
export function isCanonicalReading(j: unknown): j is CanonicalReading {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return false;
  const r = j as Record<string, unknown>;
  let keys = 0;
  for (const _ in r) keys++;
  const optional = (r.site !== undefined ? 1 : 0) + (r.channel !== undefined ? 1 : 0);
  if (keys !== REQUIRED_KEYS + optional) return false;
  if (!str(r.id) || !ID_RE.test(r.id)) return false;
  if (!str(r.tenant) || !TENANT_RE.test(r.tenant)) return false;
  if (!str(r.deviceId, 128, 1)) return false;
  if (r.site !== undefined && !str(r.site, 128)) return false;
  if (r.channel !== undefined && !str(r.channel, 64)) return false;
  if (!str(r.kind) || !KINDS.has(r.kind)) return false;
  if (!str(r.metric) || !METRIC_SET.has(r.metric)) return false;
  if (!str(r.unit) || !UNITS.has(r.unit)) return false;
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) return false;
  if (!isoUtc(r.observedAt) || !isoUtc(r.receivedAt)) return false;
  const s = r.source as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return false;
  let sourceKeys = 0;
  for (const _ in s) sourceKeys++;
  return sourceKeys === 3 && str(s.format) && str(s.decoderVersion) && str(s.topic);
}
