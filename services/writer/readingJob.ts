import type { ConsumedMessage } from '../bus/types.js';
import { makeDeadLetter, type DeadLetter } from '../core/deadLetter.js';
import type { CanonicalReading } from '../core/reading.js';
import type { ReadingWireFormat } from '../core/storePorts.js';
import { parseReading } from './readingParser.js';

/**
 * One write job's worth of Kafka records, parsed and checked, in the form the
 * writer holds while the write is in flight.
 *
 * With a store that has a wire form (InfluxDB line protocol) the valid readings are
 * encoded at once and joined into one string; the reading objects die young. Only
 * the record values (slices of the fetched Kafka buffer) are kept, to dead-letter a
 * reading the store refuses. Without a wire form, or when `keepReadings` is set
 * (the embedded app marks indicator periods dirty from what was written), the
 * reading objects are kept too.
 */
export interface ReadingJob {
  /** Valid readings in the job. */
  count: number;
  /** The valid readings' wire forms joined by `\n` (stores with a wire form). */
  encoded?: string;
  /** The valid readings (stores without a wire form, or `keepReadings`). */
  readings?: CanonicalReading[];
  /** The valid records as fetched, in the same order. */
  values: Buffer[];
  /** compact[i]: values[i] is a v3 line (absent when none is). */
  compact?: boolean[];
  /** Records that are not readings, as dead letters. */
  bad: DeadLetter[];
}

export interface ReadingJobOptions {
  wire?: ReadingWireFormat;
  keepReadings: boolean;
  /** Where the records are on the bus, for the dead letters (`topic/partition`). */
  position: string;
}

/** One reading to check: a v1 record, or line `line` of a v2 or (`compact`) v3 record (services/core/readingRecords.ts). */
export type JobItem = Pick<ConsumedMessage, 'offset' | 'value'> & { line?: number; compact?: boolean };

/** `messages`: one entry per reading; a dead letter names it `position@offset` (`#line` in a v2 record). */
export function buildReadingJob(messages: JobItem[], o: ReadingJobOptions): ReadingJob {
  const values: Buffer[] = [];
  const bad: DeadLetter[] = [];
  const lines: string[] | undefined = o.wire ? [] : undefined;
  const readings: CanonicalReading[] | undefined = !o.wire || o.keepReadings ? [] : undefined;
  let compact: boolean[] | undefined;
  for (const m of messages) {
    const parsed = parseReading(m.value, m.compact === true);
    if (!parsed.ok) {
      bad.push(makeDeadLetter({
        rejected: [{ reason: 'bad_record', field: parsed.field, message: parsed.message }],
        stage: 'writer', topic: m.line === undefined ? `${o.position}@${m.offset}` : `${o.position}@${m.offset}#${m.line}`, payload: m.value ?? Buffer.alloc(0),
        decoder: null, receivedAt: new Date(),
      }));
      continue;
    }
    if (m.compact === true && !compact) compact = values.map(() => false);
    compact?.push(m.compact === true);
    values.push(m.value!);
    lines?.push(o.wire!.encode(parsed.reading));
    readings?.push(parsed.reading);
  }
  return {
    count: values.length,
    ...(lines ? { encoded: lines.join('\n') } : {}),
    ...(readings ? { readings } : {}),
    values,
    ...(compact ? { compact } : {}),
    bad,
  };
}

/**
 * Writes the readings of `items` (indexes into the job) through the wire form when
 * the job has one, else as reading objects. A part of a job (the writer splits a
 * batch the store refuses) is cut out of the joined string.
 */
export function jobWriter(job: ReadingJob, store: { wire?: ReadingWireFormat; writeReadings(rs: CanonicalReading[]): Promise<void> }): (items: number[]) => Promise<void> {
  let lines: string[] | undefined;
  return (items) => {
    if (job.encoded !== undefined && store.wire) {
      if (items.length === job.count) return store.wire.write(job.encoded);
      lines ??= job.encoded.split('\n');
      return store.wire.write(items.map((i) => lines![i]!).join('\n'));
    }
    return store.writeReadings(items.map((i) => job.readings![i]!));
  };
}
