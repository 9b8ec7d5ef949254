import type { BusRecord } from '../bus/types.js';
import { murmur2 } from '../bus/murmur2.js';
import type { CanonicalReading } from './reading.js';

/**
 * The record formats of the readings topic.
 *
 * - v1: one canonical reading as JSON (`{...}`), keyed `tenant/deviceId`.
 * - v2: many readings of one partition in one record: the byte 0x02, then the
 *   readings' JSON, one per line (`\n`; JSON text never holds a raw newline). Keyed
 *   by its first reading, produced to the partition every one of its readings' keys
 *   maps to (Java's murmur2, as for v1), so a device's readings stay on one partition,
 *   in order. Each line is byte for byte the v1 record of its reading.
 * - v3: as v2 with the byte 0x03, each line a reading as a JSON array of its values
 *   in a fixed order (compactReading: no property names, a third fewer bytes, and
 *   cheaper to write and parse than the object), even for a single reading.
 *
 * The writer turns a v3 line into the object of the reading and then checks it, and
 * dead-letters it, exactly as a v1 record. A v2 or v3 record is one Kafka offset: it
 * is committed once all its readings are stored or dead-lettered, and redelivered
 * whole otherwise (at-least-once; the points are idempotent).
 *
 * Why: Kafka clients pay per record (kafkajs encodes and decodes each one in
 * JavaScript: attributes, varints, key, headers, a message object per record on
 * consume). One record per partition and produce request instead of one per reading
 * takes that out of both the gateway and the writer.
 */
export const READINGS_V2 = 0x02;
export const READINGS_V3 = 0x03;
const NEWLINE = 0x0a;

/** True for a v3 record: its lines are compactReading arrays. */
export function isCompactRecord(value: Buffer | null): boolean {
  return value !== null && value.length > 0 && value[0] === READINGS_V3;
}

/** The readings of one record value: the value itself (v1), or the lines of a v2 or v3 batch (slices, not copies). */
export function recordReadings(value: Buffer | null): Array<Buffer | null> {
  if (!value || value.length === 0 || (value[0] !== READINGS_V2 && value[0] !== READINGS_V3)) return [value];
  const out: Buffer[] = [];
  let start = 1;
  while (start <= value.length) {
    let end = value.indexOf(NEWLINE, start);
    if (end < 0) end = value.length;
    if (end > start) out.push(value.subarray(start, end));
    start = end + 1;
  }
  // A v2/v3 marker without readings is no record Klimatpuls writes: checked (and dead-lettered) as it is.
  return out.length > 0 ? out : [value];
}

/** A v2 record value of readings' JSON texts (each a v1 record value); with `format` 3, a v3 value of compactReading lines. */
export function encodeReadingBatch(jsons: string[], format: 2 | 3 = 2): string {
  return `${format === 3 ? '\u0003' : '\u0002'}${jsons.join('\n')}`;
}

/** Values in a v3 line. */
const COMPACT_VALUES = 14;

/**
 * A reading as a v3 line: [id, tenant, deviceId, metric, observedAt, channel, site, kind,
 * value, unit, receivedAt, source.format, source.decoderVersion, source.topic], null for
 * a channel or site it does not have.
 */
export function compactReading(r: CanonicalReading): string {
  return JSON.stringify([r.id, r.tenant, r.deviceId, r.metric, r.observedAt, r.channel ?? null, r.site ?? null, r.kind, r.value, r.unit, r.receivedAt, r.source.format, r.source.decoderVersion, r.source.topic]);
}

/**
 * The reading object of a parsed v3 line (properties in the order of the v1 JSON),
 * unchecked: its values are whatever the line held. Undefined when the line is not an
 * array of 14 values.
 */
export function readingFromCompact(a: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(a) || a.length !== COMPACT_VALUES) return undefined;
  const v = a as unknown[];
  const id = v[0], tenant = v[1], deviceId = v[2], metric = v[3], observedAt = v[4], channel = v[5], site = v[6];
  const kind = v[7], value = v[8], unit = v[9], receivedAt = v[10];
  const source = { format: v[11], decoderVersion: v[12], topic: v[13] };
  // one literal per combination of the optional ones (allocated in one piece, as normalize.ts builds them)
  if (channel === null) {
    return site === null
      ? { id, tenant, deviceId, metric, observedAt, kind, value, unit, receivedAt, source }
      : { id, tenant, deviceId, metric, observedAt, site, kind, value, unit, receivedAt, source };
  }
  return site === null
    ? { id, tenant, deviceId, metric, observedAt, channel, kind, value, unit, receivedAt, source }
    : { id, tenant, deviceId, metric, observedAt, channel, site, kind, value, unit, receivedAt, source };
}

/** A reading's line of a record as the v1 JSON text (`compact`: a v3 line); a line that is not a reading as it is. */
export function readingJson(line: Buffer, compact: boolean): string {
  const text = line.toString('utf8');
  if (!compact) return text;
  try {
    const r = readingFromCompact(JSON.parse(text));
    return r ? JSON.stringify(r) : text;
  } catch {
    return text;
  }
}

/**
 * Packs the v1 records of `topic` in `records` into one v2 record per partition
 * (`partitions` of the topic); records of other topics pass unchanged, first.
 * A partition with a single reading keeps its v1 record (nothing to save).
 * With `format` 3 it packs the records of compactReading lines into v3 records, also a single one.
 */
export function packReadings(records: BusRecord[], topic: string, partitions: number, format: 2 | 3 = 2): BusRecord[] {
  const out: BusRecord[] = [];
  const byPartition = new Map<number, { key: string; values: string[] }>();
  const first = format === 3 ? 0x5b /* [ */ : 0x7b; /* { */
  for (const r of records) {
    if (r.topic !== topic || typeof r.value !== 'string' || r.value.charCodeAt(0) !== first) {
      out.push(r);
      continue;
    }
    const p = (murmur2(r.key) & 0x7fffffff) % partitions;
    const group = byPartition.get(p);
    if (group) group.values.push(r.value);
    else byPartition.set(p, { key: r.key, values: [r.value] });
  }
  for (const [partition, g] of byPartition) {
    out.push(g.values.length === 1 && format === 2
      ? { topic, key: g.key, value: g.values[0]!, partition }
      : { topic, key: g.key, value: encodeReadingBatch(g.values, format), partition });
  }
  return out;
}
