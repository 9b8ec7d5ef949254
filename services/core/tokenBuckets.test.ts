import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './tokenBuckets.js';

describe('TokenBuckets', () => {
  it('lets a burst through, then the rate', () => {
    let now = 0;
    const b = new TokenBuckets({ ratePerSec: 2, burst: 3, maxKeys: 10, now: () => now });
    expect([b.take('d'), b.take('d'), b.take('d'), b.take('d')]).toEqual([true, true, true, false]);
    now += 499;
    expect(b.take('d')).toBe(false);
    now += 1;
    expect(b.take('d')).toBe(true); // 0.5 s at 2/s = one token
    now += 60_000;
    expect([b.take('d'), b.take('d'), b.take('d'), b.take('d')]).toEqual([true, true, true, false]); // never more than the burst
  });

  it('keys are independent; has() takes nothing', () => {
    const b = new TokenBuckets({ ratePerSec: 1, burst: 1, maxKeys: 10, now: () => 0 });
    expect(b.has('a')).toBe(true);
    expect(b.take('a')).toBe(true);
    expect(b.has('a')).toBe(false);
    expect(b.take('b')).toBe(true);
  });

  it('keeps at most maxKeys buckets, forgetting the least recently used', () => {
    const b = new TokenBuckets({ ratePerSec: 1, burst: 1, maxKeys: 100, now: () => 0 });
    for (let i = 0; i < 10_000; i++) b.take(`dev-${i}`);
    expect(b.size).toBe(100);
    expect(b.take('dev-9999')).toBe(false); // recent: still empty
    expect(b.take('dev-0')).toBe(true); // forgotten: a new, full bucket (lenient, never stricter)
  });

  it('refuses nonsense settings', () => {
    expect(() => new TokenBuckets({ ratePerSec: 0, burst: 1, maxKeys: 1 })).toThrow(RangeError);
  });
});
