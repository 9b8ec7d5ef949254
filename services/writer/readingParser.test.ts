import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalReadingSchema } from '../core/reading.js';
import { compactReading } from '../core/readingRecords.js';
import { isCanonicalReading, parseReading } from './readingParser.js';
import { meterReading } from './testing.js';

const reading = meterReading;

describe('parseReading', () => {
  it('accepts a valid reading', () => {
    const r = reading(1);
    const parsed = parseReading(Buffer.from(JSON.stringify(r)));
    expect(parsed).toEqual({ ok: true, reading: r });
  });

  it('reads a v3 line (compact) as the same reading, and names the same field and rule as for its v1 JSON', () => {
    const r = reading(1);
    expect(parseReading(Buffer.from(compactReading(r)), true)).toEqual({ ok: true, reading: r });
    // a v1 object is no v3 line, and a v3 line no v1 record
    expect(parseReading(Buffer.from(JSON.stringify(r)), true)).toEqual({ ok: false, field: '(record)', message: 'not a compact reading (a JSON array of 14 values)' });
    expect(parseReading(Buffer.from(compactReading(r)))).toMatchObject({ ok: false, field: '(record)' });
    const bads = [{ ...r, unit: 'furlongs' }, { ...r, tenant: 'Not A Slug' }, { ...r, observedAt: '2025-02-29T00:00:00Z' }, { ...r, id: 'short' }];
    for (const bad of bads) {
      const v1 = parseReading(Buffer.from(JSON.stringify(bad)));
      expect(v1.ok).toBe(false);
      expect(parseReading(Buffer.from(compactReading(bad as typeof r)), true)).toEqual(v1);
    }
  });

  it('rejects an empty record', () => {
    expect(parseReading(null)).toEqual({ ok: false, field: '(record)', message: 'empty record' });
  });

  it('rejects non-JSON', () => {
    expect(parseReading(Buffer.from('{"id":'))).toEqual({ ok: false, field: '(record)', message: 'not JSON' });
    expect(parseReading(Buffer.from([0xff, 0x00, 0x13]))).toMatchObject({ ok: false, field: '(record)' });
  });

  it('rejects JSON that is not a reading, naming the field', () => {
    expect(parseReading(Buffer.from('[1,2]'))).toMatchObject({ ok: false, field: '(record)' });
    expect(parseReading(Buffer.from('null'))).toMatchObject({ ok: false, field: '(record)' });
    const bad = { ...reading(1), value: 'twelve' };
    expect(parseReading(Buffer.from(JSON.stringify(bad)))).toMatchObject({ ok: false, field: 'value' });
    const badSource = { ...reading(1), source: { format: 'native' } };
    expect(parseReading(Buffer.from(JSON.stringify(badSource)))).toMatchObject({ ok: false, field: 'source.decoderVersion' });
  });

  it('rejects garbage without throwing', () => {
    let seed = 7;
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(Array.from({ length: i % 50 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256));
      const r = parseReading(bytes);
      expect(r.ok).toBe(false);
    }
  });
});

describe('isCanonicalReading (the quick check before zod)', () => {
  // Values for every field: good ones and the ways a record can be wrong.
  const any = fc.constantFrom<unknown>(undefined, null, '', 'x', 'kalmar', 'Kalmar', 'a'.repeat(129), 'a'.repeat(65), 0, -1.5, 1e308, Number.MAX_VALUE, [], {}, true,
    '0123456789abcdef0123456789abcdef', '0123456789ABCDEF0123456789abcdef', 'electricity_meter', 'energy_total', 'kWh', 'kW',
    '2025-03-01T10:00:00.000Z', '2025-03-01T10:00:00Z', '2025-02-29T10:00:00Z', '2024-02-29T10:00:00Z', '2025-04-31T00:00:00Z', '2025-13-01T00:00:00Z',
    '2025-03-01T24:00:00Z', '2025-03-01T10:00:00+01:00', '2025-03-01 10:00:00Z', '2025-03-01T10:00Z', { format: 'native', decoderVersion: '1', topic: 't' },
    { format: 'native', decoderVersion: '1', topic: 't', extra: 1 }, { format: 'native', topic: 't' });
  const field = fc.constantFrom('id', 'tenant', 'deviceId', 'site', 'channel', 'kind', 'metric', 'value', 'unit', 'observedAt', 'receivedAt', 'source', 'extra');

  it('never accepts what zod refuses, and accepts the readings the gateway produces', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.array(fc.tuple(field, any), { maxLength: 3 }), (i, changes) => {
        const r: Record<string, unknown> = { ...reading(i, i / 7) };
        for (const [k, v] of changes) {
          if (v === undefined) delete r[k];
          else r[k] = v;
        }
        const json = JSON.parse(JSON.stringify(r)) as unknown;
        const zodOk = canonicalReadingSchema.safeParse(json).success;
        if (isCanonicalReading(json)) expect(zodOk, JSON.stringify(json)).toBe(true);
        if (changes.length === 0) expect(isCanonicalReading(json)).toBe(true);
        // Whichever path decides, parseReading agrees with zod.
        expect(parseReading(Buffer.from(JSON.stringify(json))).ok).toBe(zodOk);
      }),
      { numRuns: 5000 },
    );
  });

  it('takes site and channel when present', () => {
    expect(isCanonicalReading({ ...reading(1), site: 'norrgard', channel: 'in' })).toBe(true);
    expect(isCanonicalReading({ ...reading(1), site: 'a'.repeat(129) })).toBe(false);
  });
});
