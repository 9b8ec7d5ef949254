import type { BusRecord } from '../bus/types.js';
import { murmur2 } from '../bus/murmur2.js';

/**
 * The record formats of the readings topic.
 *
 * - v1: one canonical reading as JSON (`{...}`), keyed `tenant/deviceId`.
 * - v2: many readings of one partition in one record: the byte 0x02, then the
 *   readings' JSON, one per line (`\n`; JSON text never holds a raw newline). Keyed
 *   by its first reading, produced to the partition every one of its readings' keys
 *   maps to (Java's murmur2, as for v1), so a device's readings stay on one partition,
 *   in order.
 *
 * Each line of a v2 record is byte for byte the v1 record of its reading, so the
 * writer checks it, and dead-letters it, exactly as a v1 record. A v2 record is one
 * Kafka offset: it is committed once all its readings are stored or dead-lettered,
 * and redelivered whole otherwise (at-least-once; the points are idempotent).
 *
 * Why: Kafka clients pay per record (kafkajs encodes and decodes each one in
 * JavaScript: attributes, varints, key, headers, a message object per record on
 * consume). One record per partition and produce request instead of one per reading
 * takes that out of both the gateway and the writer.
 */
export const READINGS_V2 = 0x02;
const NEWLINE = 0x0a;

/** The readings of one record value: the value itself (v1), or the lines of a v2 batch (slices, not copies). */
export function recordReadings(value: Buffer | null): Array<Buffer | null> {
  if (!value || value.length === 0 || value[0] !== READINGS_V2) return [value];
  const out: Buffer[] = [];
  let start = 1;
  while (start <= value.length) {
    let end = value.indexOf(NEWLINE, start);
    if (end < 0) end = value.length;
    if (end > start) out.push(value.subarray(start, end));
    start = end + 1;
  }
  // A v2 marker without readings is no record Klimatpuls writes: checked (and dead-lettered) as it is.
  return out.length > 0 ? out : [value];
}

/** A v2 record value of readings' JSON texts (each a v1 record value). */
export function encodeReadingBatch(jsons: string[]): string {
  return `\u0002${jsons.join('\n')}`;
}

/**
 * Packs the v1 records of `topic` in `records` into one v2 record per partition
 * (`partitions` of the topic); records of other topics pass unchanged, first.
 * A partition with a single reading keeps its v1 record (nothing to save).
 */
export function packReadings(records: BusRecord[], topic: string, partitions: number): BusRecord[] {
  const out: BusRecord[] = [];
  const byPartition = new Map<number, { key: string; values: string[] }>();
  for (const r of records) {
    if (r.topic !== topic || typeof r.value !== 'string' || r.value.charCodeAt(0) !== 0x7b /* { */) {
      out.push(r);
      continue;
    }
    const p = (murmur2(r.key) & 0x7fffffff) % partitions;
    const group = byPartition.get(p);
    if (group) group.values.push(r.value);
    else byPartition.set(p, { key: r.key, values: [r.value] });
  }
  for (const [partition, g] of byPartition) {
    out.push(g.values.length === 1
      ? { topic, key: g.key, value: g.values[0]!, partition }
      : { topic, key: g.key, value: encodeReadingBatch(g.values), partition });
  }
  return out;
}
