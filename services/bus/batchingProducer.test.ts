import { describe, expect, it } from 'vitest';
import { KlimatpulsError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { BatchingProducer } from './batchingProducer.js';
import type { BusProducer, BusRecord } from './types.js';

const log = createLogger('silent');
const rec = (i: number): BusRecord => ({ topic: 't', key: `k${i}`, value: Buffer.from(String(i)) });
const ids = (rs: BusRecord[]) => rs.map((r) => Number(r.value.toString()));
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/**
 * Stands in for the network producer (Kafka): records every call, and each call
 * stays in flight until the test settles it.
 */
class RecordingProducer implements BusProducer {
  readonly calls: Array<{ records: BusRecord[]; resolve: () => void; reject: (e: unknown) => void }> = [];
  inFlight = 0;
  maxInFlight = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  async connect() {}
  async disconnect() {}
  send(records: BusRecord[]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<void>((resolve, reject) => {
      const done = () => this.inFlight--;
      this.calls.push({
        records: [...records],
        resolve: () => { done(); resolve(); },
        reject: (e) => { done(); reject(e); },
      });
      for (const w of this.waiters.splice(0)) (this.calls.length >= w.n ? w.resolve() : this.waiters.push(w));
    });
  }
  /** Resolves once the producer was called `n` times. */
  called(n: number): Promise<void> {
    return this.calls.length >= n ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

describe('BatchingProducer', () => {
  it('groups concurrent sends into few producer calls, one in flight at a time, in order', async () => {
    const p = new RecordingProducer();
    const b = new BatchingProducer(p, log, { maxBatchRecords: 10_000 });
    const resolved: number[] = [];
    const sends = [b.send([rec(0)]).then(() => resolved.push(0))];
    await p.called(1);
    // while the first request is on the wire, 100 more callers send
    for (let i = 1; i <= 100; i++) sends.push(b.send([rec(i)]).then(() => resolved.push(i)));
    await settle();
    expect(p.calls).toHaveLength(1);
    expect(b.backlog).toBe(100);
    expect(resolved).toEqual([]);

    p.calls[0]!.resolve();
    await p.called(2);
    expect(resolved).toEqual([0]); // each caller waits for its own records only
    expect(ids(p.calls[1]!.records)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(b.backlog).toBe(0);

    p.calls[1]!.resolve();
    await Promise.all(sends);
    expect(p.calls).toHaveLength(2);
    expect(p.maxInFlight).toBe(1);
    expect(resolved.sort((x, y) => x - y)).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });

  it('keeps batches within maxBatchRecords, but never splits one caller', async () => {
    const p = new RecordingProducer();
    const b = new BatchingProducer(p, log, { maxBatchRecords: 10 });
    const all: Promise<void>[] = [b.send([rec(0)])];
    await p.called(1);
    for (let i = 1; i <= 25; i++) all.push(b.send([rec(i)]));
    all.push(b.send(Array.from({ length: 12 }, (_, k) => rec(100 + k)))); // larger than a batch
    all.push(b.send([rec(200)]));
    for (let n = 1; n <= 5; n++) {
      p.calls[n - 1]!.resolve();
      await p.called(n + 1);
    }
    p.calls[5]!.resolve();
    await Promise.all(all);
    expect(p.calls.map((c) => c.records.length)).toEqual([1, 10, 10, 5, 12, 1]);
    expect(p.calls.flatMap((c) => ids(c.records))).toEqual([
      ...Array.from({ length: 26 }, (_, i) => i),
      ...Array.from({ length: 12 }, (_, k) => 100 + k),
      200,
    ]);
    expect(p.maxInFlight).toBe(1);
  });

  it('resolves an empty send at once without calling the producer', async () => {
    const p = new RecordingProducer();
    const b = new BatchingProducer(p, log);
    await b.send([]);
    expect(p.calls).toHaveLength(0);
  });

  it('retries a failing producer with the same records until it succeeds', async () => {
    const p = new RecordingProducer();
    const errors: unknown[] = [];
    const b = new BatchingProducer(p, log, { maxBatchRecords: 100, onError: (e) => errors.push(e) });
    let settled = false;
    const sent = b.send([rec(1), rec(2)]).then(() => (settled = true));
    const down = Object.assign(new Error('broker down'), { retriable: false }); // retried even so
    await p.called(1);
    p.calls[0]!.reject(down);
    await p.called(2);
    expect(settled).toBe(false);
    p.calls[1]!.reject(down);
    await p.called(3);
    expect(settled).toBe(false);
    p.calls[2]!.resolve();
    await sent;
    expect(p.calls.map((c) => ids(c.records))).toEqual([[1, 2], [1, 2], [1, 2]]);
    expect(errors).toEqual([down, down]);
    expect(p.maxInFlight).toBe(1);
  });

  it('packs each batch once (all callers\' records together) and retries the packed records as they are', async () => {
    const p = new RecordingProducer();
    const packs: number[][] = [];
    const pack = (rs: BusRecord[]): BusRecord[] => {
      packs.push(ids(rs));
      return [{ topic: 't', key: rs[0]!.key, value: Buffer.from(ids(rs).join('+')) }];
    };
    const b = new BatchingProducer(p, log, { maxBatchRecords: 100, pack });
    const first = b.send([rec(0)]);
    await p.called(1); // on the wire: the next two sends wait together
    const sent = Promise.all([b.send([rec(1), rec(2)]), b.send([rec(3)])]);
    p.calls[0]!.resolve();
    await first;
    await p.called(2);
    p.calls[1]!.reject(new Error('broker down'));
    await p.called(3);
    p.calls[2]!.resolve();
    await sent;
    expect(packs).toEqual([[0], [1, 2, 3]]);
    expect(p.calls.map((c) => c.records.map((r) => r.value.toString()))).toEqual([['0'], ['1+2+3'], ['1+2+3']]);
  });

  it('stop() rejects pending sends, fails the batch in flight once it fails, and refuses new sends', async () => {
    const p = new RecordingProducer();
    const b = new BatchingProducer(p, log, { maxBatchRecords: 100 });
    const first = b.send([rec(1)]).then(() => 'sent', (e: unknown) => e);
    await p.called(1);
    const pending = [b.send([rec(2)]), b.send([rec(3)])].map((s) => s.then(() => 'sent', (e: unknown) => e));

    b.stop();
    for (const r of await Promise.all(pending)) expect((r as Error).message).toBe('producer stopped');
    expect(b.backlog).toBe(0);
    await expect(b.send([rec(4)])).rejects.toThrow('producer stopped');

    // the request on the wire fails: it is not retried after stop
    p.calls[0]!.reject(new Error('connection closed'));
    const r = await first;
    expect(r).toBeInstanceOf(KlimatpulsError);
    expect((r as KlimatpulsError).code).toBe('SHUTTING_DOWN');
    await settle();
    expect(p.calls).toHaveLength(1);
  });

  it('stop() lets a request already on the wire succeed', async () => {
    const p = new RecordingProducer();
    const b = new BatchingProducer(p, log);
    const first = b.send([rec(1)]);
    await p.called(1);
    b.stop();
    p.calls[0]!.resolve();
    await expect(first).resolves.toBeUndefined();
  });
});
