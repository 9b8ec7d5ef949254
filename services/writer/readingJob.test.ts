import { describe, expect, it } from 'vitest';
import type { CanonicalReading } from '../core/reading.js';
import { readingToLine } from '../sinks/influx/influxStore.js';
import type { ReadingWireFormat } from '../core/storePorts.js';
import { buildReadingJob, jobWriter } from './readingJob.js';
import { meterReading } from './testing.js';

const reading = (i: number) => meterReading(i, i, `el ${i},x`); // tag values that need escaping
const message = (offset: number, value: string | Buffer) => ({ offset: String(offset), key: null, value: Buffer.from(value) });

/** A wire form that records what was written: line protocol, as InfluxDB's. */
function recordingWire() {
  const writes: string[] = [];
  const wire: ReadingWireFormat = { encode: (r) => readingToLine(r, 'readings'), write: async (s) => void writes.push(s) };
  return { wire, writes, writeReadings: async () => { throw new Error('objects must not be written when there is a wire form'); } };
}

describe('buildReadingJob', () => {
  const rs = [reading(0), reading(1), reading(2)];
  const messages = [message(10, JSON.stringify(rs[0])), message(11, 'not json'), message(12, JSON.stringify(rs[1])), message(13, JSON.stringify(rs[2]))];

  it('keeps only the wire forms and the record values when the store has a wire form', () => {
    const { wire } = recordingWire();
    const job = buildReadingJob(messages, { wire, keepReadings: false, position: 'readings/2' });
    expect(job.count).toBe(3);
    expect(job.readings).toBeUndefined();
    expect(job.encoded).toBe(rs.map((r) => readingToLine(r, 'readings')).join('\n'));
    expect(job.values.map((v) => JSON.parse(v.toString()).id)).toEqual(rs.map((r) => r.id));
    expect(job.bad.map((d) => [d.reason, d.field, d.topic])).toEqual([['bad_record', '(record)', 'readings/2@11']]);
  });

  it('keeps the reading objects without a wire form, or when asked to', () => {
    expect(buildReadingJob(messages, { keepReadings: false, position: 'p' }).readings).toEqual(rs);
    const { wire } = recordingWire();
    const both = buildReadingJob(messages, { wire, keepReadings: true, position: 'p' });
    expect(both.readings).toEqual(rs);
    expect(both.encoded).toBeDefined();
  });
});

describe('jobWriter', () => {
  it('writes the whole job as joined, and any part of it cut out by index', async () => {
    const store = recordingWire();
    const rs = Array.from({ length: 5 }, (_, i) => reading(i));
    const job = buildReadingJob(rs.map((r, i) => message(i, JSON.stringify(r))), { wire: store.wire, keepReadings: false, position: 'p' });
    const write = jobWriter(job, store);
    await write([0, 1, 2, 3, 4]);
    await write([1, 3]);
    await write([4]);
    const line = (i: number) => readingToLine(rs[i]!, 'readings');
    expect(store.writes).toEqual([job.encoded, `${line(1)}\n${line(3)}`, line(4)]);
  });

  it('writes reading objects for a store without a wire form', async () => {
    const written: CanonicalReading[][] = [];
    const rs = [reading(0), reading(1)];
    const job = buildReadingJob(rs.map((r, i) => message(i, JSON.stringify(r))), { keepReadings: false, position: 'p' });
    await jobWriter(job, { writeReadings: async (x) => void written.push(x) })([1]);
    expect(written).toEqual([[rs[1]]]);
  });
});
