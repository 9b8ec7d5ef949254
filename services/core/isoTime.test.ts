import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime, lastIsoTimeCache } from './isoTime.js';

describe('isoTime', () => {
  it('is Date#toISOString for any time', () => {
    const ms = fc.oneof(
      fc.integer({ min: 0, max: 253_402_300_799_999 }),
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.constantFrom(0, 951_782_400_000, 4_107_542_400_000, 253_402_300_799_999, 253_402_300_800_000, -1),
    );
    fc.assert(
      fc.property(ms, (t) => {
        expect(isoTime(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 50_000 },
    );
  });

  it('throws like toISOString for an invalid time', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => lastIsoTimeCache()(Number.NaN)).toThrow(RangeError);
  });

  it('the cached version answers the same, time after time', () => {
    const iso = lastIsoTimeCache();
    for (const t of [1, 1, 2, 1_740_823_200_000, 1_740_823_200_000, 0]) expect(iso(t)).toBe(new Date(t).toISOString());
  });
});
