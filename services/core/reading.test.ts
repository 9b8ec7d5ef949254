import { describe, expect, it } from 'vitest';
import { canonicalReadingSchema, readingId, readingIdOf, type CanonicalReading } from './reading.js';

const key = {
  tenant: 'kalmar',
  deviceId: 'el-norrgard',
  metric: 'energy_total' as const,
  channel: 'in',
  observedAt: '2025-03-01T10:00:00.000Z',
};

function validReading(over: Partial<CanonicalReading> = {}): CanonicalReading {
  return {
    id: readingId(key),
    ...key,
    site: 'norrgard',
    kind: 'electricity_meter',
    value: 1234.5,
    unit: 'kWh',
    receivedAt: '2025-03-01T10:00:01.000Z',
    source: { format: 'native', decoderVersion: '1.0.0', topic: 'klimatpuls/kalmar/el-norrgard/up' },
    ...over,
  };
}

describe('readingId', () => {
  it('keeps its values (stored data depends on them; pinned from the createHash version)', () => {
    expect(readingId({ tenant: 'kalmar', deviceId: 'el-norrgard', metric: 'energy_total', observedAt: '2025-03-01T10:00:00Z' })).toBe('63d593a80436f5ddece8362d916a14eb');
    expect(readingId({ tenant: 'kalmar', deviceId: 'Räknare 7', metric: 'count', channel: 'in', observedAt: '2025-03-01T11:00:00.123+01:00' })).toBe('586c19b7b3800e92400bd839e5a6c1ac');
    expect(readingIdOf('kalmar', 'Räknare 7', 'count', 'in', Date.parse('2025-03-01T10:00:00.123Z'))).toBe('586c19b7b3800e92400bd839e5a6c1ac');
  });

  it('is 32 lower-case hex characters and the same for the same input', () => {
    const a = readingId(key);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(readingId({ ...key })).toBe(a);
  });

  it.each([
    ['tenant', { tenant: 'vaxjo' }],
    ['deviceId', { deviceId: 'el-berga' }],
    ['metric', { metric: 'energy_export_total' as const }],
    ['channel', { channel: 'out' }],
    ['channel (absent)', { channel: undefined }],
    ['observedAt', { observedAt: '2025-03-01T10:00:00.001Z' }],
  ])('differs when %s differs', (_name, change) => {
    expect(readingId({ ...key, ...change })).not.toBe(readingId(key));
  });

  it('is the same for one instant written with different offsets and precision', () => {
    const base = readingId(key);
    expect(readingId({ ...key, observedAt: '2025-03-01T11:00:00+01:00' })).toBe(base);
    expect(readingId({ ...key, observedAt: '2025-03-01T05:00:00-05:00' })).toBe(base);
    expect(readingId({ ...key, observedAt: '2025-03-01T10:00:00Z' })).toBe(base);
  });

  it('does not confuse fields that would concatenate to the same text', () => {
    // "a" + "bc" vs "ab" + "c": the separator keeps them apart.
    const one = readingId({ ...key, tenant: 'a', deviceId: 'bc' });
    const two = readingId({ ...key, tenant: 'ab', deviceId: 'c' });
    expect(one).not.toBe(two);
  });
});

describe('canonicalReadingSchema', () => {
  it('accepts a valid reading, with and without the optional site and channel', () => {
    expect(canonicalReadingSchema.safeParse(validReading()).success).toBe(true);
    const { site: _s, channel: _c, ...bare } = validReading();
    expect(canonicalReadingSchema.safeParse(bare).success).toBe(true);
  });

  it.each([
    ['id not hex', { id: 'X'.repeat(32) }, 'id'],
    ['id too short', { id: 'abc' }, 'id'],
    ['tenant upper case', { tenant: 'Kalmar' }, 'tenant'],
    ['tenant with slash', { tenant: 'kal/mar' }, 'tenant'],
    ['empty deviceId', { deviceId: '' }, 'deviceId'],
    ['unknown kind', { kind: 'toaster' }, 'kind'],
    ['unknown metric', { metric: 'energy' }, 'metric'],
    ['non-canonical unit', { unit: 'Wh' }, 'unit'],
    ['NaN value', { value: Number.NaN }, 'value'],
    ['infinite value', { value: Number.POSITIVE_INFINITY }, 'value'],
    ['value as string', { value: '3.5' }, 'value'],
    ['observedAt not a time', { observedAt: 'yesterday' }, 'observedAt'],
    ['receivedAt missing', { receivedAt: undefined }, 'receivedAt'],
    ['channel too long', { channel: 'c'.repeat(65) }, 'channel'],
  ])('rejects %s', (_name, change, path) => {
    const r = canonicalReadingSchema.safeParse({ ...validReading(), ...change });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path[0]).toBe(path);
  });

  it('rejects a reading without source', () => {
    const { source: _src, ...noSource } = validReading();
    const r = canonicalReadingSchema.safeParse(noSource);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path[0]).toBe('source');
  });
});
