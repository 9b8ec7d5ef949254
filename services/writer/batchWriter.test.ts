import { describe, expect, it } from 'vitest';
import { KlimatpulsError, StoreError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { CanonicalReading } from '../core/reading.js';
import { writeIsolating, type BatchWriteHooks } from './batchWriter.js';
import { meterReading } from './testing.js';

const log = createLogger('silent');

const reading = meterReading;

/** A store that rejects (like InfluxDB's 400) any batch containing a reading with a marked id. */
function rejectingStore(marked: Set<string>) {
  const written = new Map<string, CanonicalReading>();
  const calls: number[] = [];
  const write = async (rs: CanonicalReading[]) => {
    calls.push(rs.length);
    const bad = rs.find((r) => marked.has(r.id));
    if (bad) throw new StoreError('STORE_REJECTED', `invalid point ${bad.deviceId}`, 400);
    for (const r of rs) written.set(r.id, r);
  };
  return { write, written, calls };
}

const running = (): BatchWriteHooks & { heartbeats: number; retried: unknown[] } => {
  const h = {
    heartbeats: 0,
    retried: [] as unknown[],
    heartbeat: async () => void h.heartbeats++,
    isRunning: () => true,
    onRetry: (err: unknown) => void h.retried.push(err),
  };
  return h;
};

describe('writeIsolating', () => {
  it('writes a clean batch in one call and rejects nothing', async () => {
    const s = rejectingStore(new Set());
    const rs = Array.from({ length: 10 }, (_, i) => reading(i));
    expect(await writeIsolating(s.write, rs, running(), log)).toEqual([]);
    expect(s.calls).toEqual([10]);
    expect(s.written.size).toBe(10);
  });

  it.each([
    [1, [0]],
    [16, [7]],
    [16, [0, 15]],
    [37, [3, 4, 20, 36]],
    [5, [0, 1, 2, 3, 4]],
  ])('of %i readings returns exactly the marked ones %j and writes all others', async (n, badIdx) => {
    const rs = Array.from({ length: n }, (_, i) => reading(i));
    const marked = new Set(badIdx.map((i) => rs[i]!.id));
    const s = rejectingStore(marked);
    const rejected = await writeIsolating(s.write, rs, running(), log);
    expect(rejected.map((r) => r.item)).toEqual(badIdx.map((i) => rs[i]));
    for (const r of rejected) expect(r.message).toBe(`invalid point ${r.item.deviceId}`);
    expect([...s.written.keys()].sort()).toEqual(rs.filter((r) => !marked.has(r.id)).map((r) => r.id).sort());
  });

  it('isolates by halving, not by writing every point alone', async () => {
    const rs = Array.from({ length: 64 }, (_, i) => reading(i));
    const s = rejectingStore(new Set([rs[40]!.id]));
    await writeIsolating(s.write, rs, running(), log);
    // 1 + 2 per level of a binary search over 64 points
    expect(s.calls.length).toBeLessThanOrEqual(1 + 2 * 6);
  });

  it('retries a retriable StoreError (store unavailable), heartbeating in between', async () => {
    const rs = [reading(1), reading(2)];
    const attempts: number[] = [];
    let failures = 2;
    const write = async (batch: CanonicalReading[]) => {
      attempts.push(batch.length);
      if (failures-- > 0) throw new StoreError('STORE_UNAVAILABLE', 'InfluxDB unreachable');
    };
    const hooks = running();
    expect(await writeIsolating(write, rs, hooks, log)).toEqual([]);
    expect(attempts).toEqual([2, 2, 2]);
    expect(hooks.heartbeats).toBe(2);
    expect(hooks.retried.map((e) => (e as StoreError).code)).toEqual(['STORE_UNAVAILABLE', 'STORE_UNAVAILABLE']);
  });

  it('throws a non-retriable error that is not a rejection, without splitting', async () => {
    const calls: number[] = [];
    const err = new TypeError('bug');
    const write = async (rs: CanonicalReading[]) => {
      calls.push(rs.length);
      throw err;
    };
    await expect(writeIsolating(write, [reading(1), reading(2)], running(), log)).rejects.toBe(err);
    expect(calls).toEqual([2]);
  });

  it('throws SHUTTING_DOWN when the consumer is no longer running and the store fails', async () => {
    const write = async () => {
      throw new StoreError('STORE_UNAVAILABLE', 'down');
    };
    const err = await writeIsolating(write, [reading(1)], { heartbeat: async () => {}, isRunning: () => false }, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KlimatpulsError);
    expect((err as KlimatpulsError).code).toBe('SHUTTING_DOWN');
  });

  it('throws SHUTTING_DOWN, not a rejection, when stopped during a split', async () => {
    let isRunning = true;
    const rs = Array.from({ length: 8 }, (_, i) => reading(i));
    const s = rejectingStore(new Set([rs[0]!.id]));
    const write = async (batch: CanonicalReading[]) => {
      if (batch.length < 8) isRunning = false; // the stop arrives after the first rejection
      await s.write(batch);
    };
    const err = await writeIsolating(write, rs, { heartbeat: async () => {}, isRunning: () => isRunning }, log).catch((e: unknown) => e);
    expect((err as KlimatpulsError).code).toBe('SHUTTING_DOWN');
  });

  it('stops retrying when the consumer stops while the store is down', async () => {
    let isRunning = true;
    let attempts = 0;
    const write = async () => {
      attempts++;
      throw new StoreError('STORE_THROTTLED', '429', 429);
    };
    const hooks: BatchWriteHooks = {
      heartbeat: async () => {
        isRunning = false; // the stop arrives while waiting after the first failure
      },
      isRunning: () => isRunning,
    };
    const err = await writeIsolating(write, [reading(1)], hooks, log).catch((e: unknown) => e);
    expect((err as KlimatpulsError).code).toBe('SHUTTING_DOWN');
    // the attempt after the stop is the last one
    expect(attempts).toBe(2);
  });
});
