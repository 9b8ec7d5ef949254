import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// patches/kafkajs+2.2.4.patch: kafkajs groups a send's records per partition in one pass.
const require = createRequire(import.meta.url);
const path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
const group = require(path) as (a: { topic: string; partitionMetadata: unknown[]; messages: Array<{ key: string }>; partitioner: (a: { message: { key: string } }) => number }) => Record<string, Array<{ key: string }>>;

describe('kafkajs patch (patch-package)', () => {
  it('is applied by npm ci', () => {
    expect(readFileSync(path, 'utf8')).toContain('Klimatpuls patch');
  });

  it('groups records per partition, in order, as the original did', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}` }));
    const partitioner = ({ message }: { message: { key: string } }) => Number(message.key.slice(1)) % 3;
    const out = group({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner });
    expect(Object.keys(out).sort()).toEqual(['0', '1', '2']);
    for (const p of [0, 1, 2]) expect(out[p]).toEqual(messages.filter((_, i) => i % 3 === p));
    expect(group({ topic: 't', partitionMetadata: [], messages, partitioner })).toEqual({});
  });
});

// The encoder patches (allocUnsafe, varints written in place, 32-bit path for small
// varlongs) must give exactly the bytes of the protocol: checked against a reference
// zigzag varint in BigInt and against kafkajs's own decoder.
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => {
  writeVarInt(v: number): unknown; writeVarLong(v: number): unknown; writeVarIntBytes(v: Buffer | string): unknown; buffer: Buffer;
};
const EncoderStatics = Encoder as unknown as { sizeOfVarLong(v: number): number; sizeOfVarInt(v: number): number };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => { readVarInt(): number; readVarLong(): { toString(): string } };

function zigzagVarint(v: bigint, bits: 32n | 64n): Buffer {
  let z = BigInt.asUintN(Number(bits), (v << 1n) ^ (v >> (bits - 1n)));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

describe('kafkajs encoder patch', () => {
  it('writes varints and varlongs byte for byte as the protocol says, and its decoder reads them back', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
      const e = new Encoder();
      e.writeVarInt(v);
      expect(e.buffer).toEqual(zigzagVarint(BigInt(v), 32n));
      expect(new Decoder(e.buffer).readVarInt()).toBe(v);
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.maxSafeInteger().map((v) => v - 2 ** 52)), (v) => {
      const e = new Encoder();
      e.writeVarLong(v);
      const want = zigzagVarint(BigInt(v), 64n);
      expect(e.buffer).toEqual(want);
      expect(EncoderStatics.sizeOfVarLong(v)).toBe(want.length);
      expect(new Decoder(e.buffer).readVarLong().toString()).toBe(String(v));
    }), { numRuns: 2000 });
  });

  it('grows past its first buffer without losing or inventing bytes', () => {
    const e = new Encoder();
    const parts = Array.from({ length: 300 }, (_, i) => Buffer.alloc(i % 17, i % 251));
    for (const p of parts) e.writeVarIntBytes(p);
    const d = new Decoder(e.buffer) as unknown as { readVarIntBytes(): Buffer };
    for (const p of parts) expect(d.readVarIntBytes()).toEqual(p);
  });
});

describe('kafkajs record-batch patches', () => {
  // byte-at-a-time CRC32C (Castagnoli, reflected 0x82F63B78): the reference
  const ref = (b: Buffer) => {
    let crc = ~0;
    for (const byte of b) {
      crc ^= byte;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    }
    return (~crc) >>> 0;
  };
  const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

  it('checksums record batches with CRC32C (slicing-by-8 gives the same checksum)', async () => {
    const fc = (await import('fast-check')).default;
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      expect(crc32C(Buffer.from(bytes))).toBe(ref(Buffer.from(bytes)));
    }), { numRuns: 1000 });
  });

  it('encodes records with and without headers so that kafkajs decodes them back', () => {
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => { buffer: Buffer };
    const RecordDecoder = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (d: unknown, h: object) => { key: Buffer; value: Buffer; headers: Record<string, Buffer | Buffer[]>; offset: string };
    const header = { magicByte: 2, attributes: 0, firstOffset: '0', firstTimestamp: '0', maxTimestamp: '0', partitionLeaderEpoch: 0, inTransaction: false, isControlBatch: false, lastOffsetDelta: 0, producerId: '-1', producerEpoch: 0, firstSequence: 0 };
    for (const headers of [undefined, {}, { a: 'x', b: ['y', 'z'] }]) {
      const enc = Record({ offsetDelta: 3, timestampDelta: 0, key: 'kalmar/el-1', value: '{"v":1}', ...(headers ? { headers } : {}) }).buffer;
      const d = new Decoder(enc) as unknown as { readVarIntBytes(): Buffer; readVarInt(): number };
      const length = d.readVarInt();
      const rec = RecordDecoder(d, header);
      expect(length).toBe(enc.length - 1);
      expect(rec.key.toString()).toBe('kalmar/el-1');
      expect(rec.value.toString()).toBe('{"v":1}');
      expect(Object.keys(rec.headers)).toEqual(headers ? Object.keys(headers) : []);
    }
  });
});

// The fetch-decoding patches (offsets and timestamps as number sums per batch, records
// decoded in place, numeric offset filter) must read every batch as the protocol says:
// checked against BigInt arithmetic, past 2^53 too, where the patch takes Long's path.
describe('kafkajs fetch-decoding patches', () => {
  const Long = require('kafkajs/src/utils/long.js') as { fromString(s: string): unknown };
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (o: object) => Promise<{ buffer: Buffer }> };
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => unknown;
  const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{ records: Array<{ offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | Buffer[]> }> }>;
  const Batch = require('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, data: object) => { messagesWithinOffset: Array<{ offset: string }> };
  const int64 = (min: bigint) => ({ min, max: 2n ** 63n - 1n - 2n ** 41n }); // room for the deltas

  it('gives every record its offset, timestamp, key, value and headers', async () => {
    const fc = (await import('fast-check')).default;
    const record = fc.record({
      timestampDelta: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 })),
      key: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
      value: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
      headers: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.oneof(fc.string({ maxLength: 5 }), fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 }))), { nil: undefined }),
    });
    const property = fc.asyncProperty(
      fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 53n }), fc.bigInt(int64(2n ** 53n - 50n))),
      fc.oneof(fc.constant(-1n), fc.bigInt({ min: 0n, max: 2n ** 42n }), fc.bigInt(int64(2n ** 53n - 2000n))),
      fc.array(record, { minLength: 1, maxLength: 40 }),
      async (firstOffset, firstTimestamp, recs) => {
        const records = recs.map((r, i) => Record({ offsetDelta: i * 3, ...r, ...(r.headers ? {} : { headers: {} }) }));
        const { buffer } = await RecordBatch({ firstOffset: Long.fromString(String(firstOffset)), firstTimestamp: Long.fromString(String(firstTimestamp)), lastOffsetDelta: (recs.length - 1) * 3, records });
        const out = await decodeBatch(new Decoder(buffer));
        expect(out.records).toHaveLength(recs.length);
        out.records.forEach((got, i) => {
          const want = recs[i]!;
          expect(got.offset).toBe(String(firstOffset + BigInt(i * 3)));
          expect(got.timestamp).toBe(String(firstTimestamp + BigInt(want.timestampDelta)));
          expect(got.key?.toString() ?? null).toBe(want.key);
          expect(got.value?.toString() ?? null).toBe(want.value);
          const headers = Object.fromEntries(Object.entries(got.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));
          expect(headers).toEqual(Object.fromEntries(Object.entries(want.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) && v.length === 1 ? v[0] : v])));
        });
      },
    );
    await fc.assert(property, { numRuns: 300 });
  });

  it('keeps only the records at or past the fetched offset', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 53n }), fc.bigInt(int64(2n ** 53n - 20n))), fc.integer({ min: 0, max: 12 }), (first, skip) => {
      const offsets = Array.from({ length: 10 }, (_, i) => first + BigInt(i));
      const fetched = first + BigInt(skip);
      const batch = new Batch('t', String(fetched), { partition: 0, highWatermark: String(first + 10n), abortedTransactions: [], messages: offsets.map((o) => ({ offset: String(o), isControlRecord: false })) });
      expect(batch.messagesWithinOffset.map((m) => m.offset)).toEqual(offsets.filter((o) => o >= fetched).map(String));
    }), { numRuns: 500 });
  });
});
