import { describe, expect, it } from 'vitest';
import { murmur2 } from '../bus/murmur2.js';
import type { BusRecord } from '../bus/types.js';
import { meterReading } from '../writer/testing.js';
import { READINGS_V2, READINGS_V3, compactReading, encodeReadingBatch, isCompactRecord, packReadings, readingFromCompact, readingJson, recordReadings } from './readingRecords.js';

const v1 = (i: number, device = `el-${i}`): BusRecord => {
  const r = meterReading(i, i, device);
  return { topic: 'readings', key: `${r.tenant}/${r.deviceId}`, value: JSON.stringify(r) };
};
const partitionOf = (key: string, n: number) => (murmur2(key) & 0x7fffffff) % n;

describe('readings record formats', () => {
  it('reads a v1 record as its one reading, and a v2 record as its lines, byte for byte the v1 records', () => {
    const rs = [v1(1), v1(2), v1(3)];
    const one = Buffer.from(rs[0]!.value as string);
    expect(recordReadings(one)).toEqual([one]);
    const packed = Buffer.from(encodeReadingBatch(rs.map((r) => r.value as string)));
    expect(packed[0]).toBe(READINGS_V2);
    expect(recordReadings(packed).map((b) => b!.toString())).toEqual(rs.map((r) => r.value));
  });

  it('keeps what is not a v2 batch as one record to check: empty, null, a bare marker', () => {
    expect(recordReadings(null)).toEqual([null]);
    const empty = Buffer.alloc(0);
    expect(recordReadings(empty)).toEqual([empty]);
    const marker = Buffer.from([READINGS_V2]);
    expect(recordReadings(marker)).toEqual([marker]);
    // a line that is not a reading is still a line (the writer dead-letters it alone)
    expect(recordReadings(Buffer.from('\u0002{"a":1}\nnot json\n')).map(String)).toEqual(['{"a":1}', 'not json']);
  });

  it('packs one record per partition, each reading on the partition its own key maps to, other topics untouched', () => {
    const readings = Array.from({ length: 60 }, (_, i) => v1(i, `el-${i % 20}`));
    const dead: BusRecord = { topic: 'deadletters', key: 'klimatpuls/kalmar/x/up', value: '{"reason":"bad_json"}' };
    const out = packReadings([readings[0]!, dead, ...readings.slice(1)], 'readings', 3);
    expect(out[0]).toBe(dead);
    const packed = out.slice(1);
    expect(packed).toHaveLength(3);
    const back: string[] = [];
    for (const r of packed) {
      expect(partitionOf(r.key, 3)).toBe(r.partition); // the key alone places it, too
      for (const line of recordReadings(Buffer.from(r.value as string))) {
        const reading = JSON.parse(line!.toString()) as { tenant: string; deviceId: string };
        expect(partitionOf(`${reading.tenant}/${reading.deviceId}`, 3)).toBe(r.partition);
        back.push(line!.toString());
      }
    }
    // every reading once, a device's readings in their order
    expect([...back].sort()).toEqual(readings.map((r) => r.value as string).sort());
    const ofDevice = (d: string) => back.filter((l) => l.includes(`"deviceId":"${d}"`)).map((l) => JSON.parse(l).value as number);
    const el3 = ofDevice('el-3');
    expect(el3).toEqual([...el3].sort((a, b) => a - b));
  });

  it('leaves a partition with one reading as a v1 record', () => {
    const out = packReadings([v1(1)], 'readings', 3);
    expect(out).toHaveLength(1);
    expect(out[0]!.value).toBe(v1(1).value);
    expect(out[0]!.partition).toBe(partitionOf(v1(1).key, 3));
  });

  it('v3: a reading as a compact line turns back into the same object, with and without channel and site, and its v1 JSON', () => {
    const { id, tenant, deviceId, metric, observedAt, kind, value, unit, receivedAt, source } = meterReading(1, 1, 'el-1');
    // in the order of the v1 JSON (normalize.ts): ..., observedAt, channel?, site?, kind, ...
    const variants = [
      { id, tenant, deviceId, metric, observedAt, kind, value, unit, receivedAt, source },
      { id, tenant, deviceId, metric, observedAt, site: 'Norrgård "A"', kind, value, unit, receivedAt, source },
      { id, tenant, deviceId, metric, observedAt, channel: 'l1', kind, value, unit, receivedAt, source },
      { id, tenant, deviceId, metric, observedAt, channel: 'in', site: 's-1', kind, value: -0.5, unit, receivedAt, source },
    ];
    for (const r of variants) {
      const line = compactReading(r);
      expect(line.length).toBeLessThan(JSON.stringify(r).length * 0.75);
      const back = readingFromCompact(JSON.parse(line));
      expect(back).toEqual(r);
      expect(JSON.stringify(back)).toBe(JSON.stringify(r)); // the same property order
      expect(readingJson(Buffer.from(line), true)).toBe(JSON.stringify(r));
    }
    expect(readingFromCompact({ id: 'x' })).toBeUndefined();
    expect(readingFromCompact([1, 2, 3])).toBeUndefined();
    expect(readingJson(Buffer.from('not json'), true)).toBe('not json');
  });

  it('v3: packs compact lines into one v3 record per partition, a single reading too; reads its lines back', () => {
    const rs = Array.from({ length: 30 }, (_, i) => meterReading(i, i, `el-${i % 10}`));
    const records: BusRecord[] = rs.map((r) => ({ topic: 'readings', key: `${r.tenant}/${r.deviceId}`, value: compactReading(r) }));
    const out = packReadings(records, 'readings', 3, 3);
    expect(out).toHaveLength(new Set(records.map((r) => partitionOf(r.key, 3))).size);
    const back: unknown[] = [];
    for (const rec of out) {
      const value = Buffer.from(rec.value as string);
      expect(value[0]).toBe(READINGS_V3);
      expect(isCompactRecord(value)).toBe(true);
      for (const line of recordReadings(value)) {
        const r = readingFromCompact(JSON.parse(line!.toString())) as { tenant: string; deviceId: string };
        expect(partitionOf(`${r.tenant}/${r.deviceId}`, 3)).toBe(rec.partition);
        back.push(r);
      }
    }
    expect(back).toHaveLength(30);
    expect(new Set(back.map((r) => JSON.stringify(r)))).toEqual(new Set(rs.map((r) => JSON.stringify(r))));
    const single = packReadings([records[0]!], 'readings', 3, 3);
    expect(single).toHaveLength(1);
    expect(single[0]!.value).toBe(`\u0003${records[0]!.value as string}`);
    expect(isCompactRecord(Buffer.from(JSON.stringify(rs[0])))).toBe(false);
  });
});
