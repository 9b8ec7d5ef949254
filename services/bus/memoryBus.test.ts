import { describe, expect, it } from 'vitest';
import { createMemoryBus } from './memoryBus.js';
import type { BusConsumer, BusRecord, ConsumedBatch, ConsumedMessage } from './types.js';

const rec = (topic: string, i: number): BusRecord => ({ topic, key: `k${i % 3}`, value: Buffer.from(`v${i}`) });
const values = (ms: ConsumedMessage[]) => ms.map((m) => m.value!.toString());

/** Lets every pending promise callback and I/O callback run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/**
 * Runs a consumer; `enough` resolves once `n` messages were seen, `until(m)` once `m` were.
 * `onBatch` decides about committing.
 */
function consume(consumer: BusConsumer, topic: string, n: number, onBatch: (b: ConsumedBatch) => Promise<void> = async () => {}) {
  const seen: ConsumedMessage[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const until = (count: number) =>
    seen.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  const enough = until(n);
  const started = consumer.run(topic, async (b) => {
    seen.push(...b.messages);
    await onBatch(b);
    for (const w of waiters.splice(0)) {
      if (seen.length >= w.count) w.resolve();
      else waiters.push(w);
    }
  });
  return { seen, enough, until, started };
}

describe('memory bus', () => {
  it('delivers what was sent, in order, with consecutive offsets and keys', async () => {
    const bus = createMemoryBus();
    await bus.ensureTopics(['t']);
    const p = bus.producer();
    await p.connect();
    await p.send([rec('t', 0), rec('t', 1), rec('other', 99), rec('t', 2)]);
    await p.send([rec('t', 3)]);
    const c = bus.consumer('g');
    const { seen, enough, until } = consume(c, 't', 4, (b) => b.commit(b.messages.at(-1)!.offset));
    await enough;
    expect(values(seen)).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect(seen.map((m) => m.offset)).toEqual(['0', '1', '2', '3']);
    expect(seen.map((m) => m.key)).toEqual(['k0', 'k1', 'k2', 'k0']);

    // what arrives later is delivered to the running consumer too
    await p.send([rec('t', 4), rec('t', 5)]);
    await until(6);
    expect(values(seen)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
    expect(await c.lag()).toBe(0);
    await c.disconnect();
  });

  it('redelivers what was not committed to a new consumer, from the committed position', async () => {
    const bus = createMemoryBus();
    const p = bus.producer();
    await p.send([0, 1, 2, 3, 4].map((i) => rec('t', i)));

    const c1 = bus.consumer('g');
    const r1 = consume(c1, 't', 5); // never commits
    await r1.enough;
    await c1.disconnect();
    expect(values(r1.seen)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);

    const c2 = bus.consumer('g');
    const r2 = consume(c2, 't', 5, (b) => b.commit('2')); // commits up to and including offset 2
    await r2.enough;
    await c2.disconnect();
    expect(values(r2.seen)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(await c2.lag()).toBe(2);

    const c3 = bus.consumer('g');
    const r3 = consume(c3, 't', 2, (b) => b.commit(b.messages.at(-1)!.offset));
    await r3.enough;
    await c3.disconnect();
    expect(r3.seen.map((m) => m.offset)).toEqual(['3', '4']);
    expect(values(r3.seen)).toEqual(['v3', 'v4']);
    expect(await c3.lag()).toBe(0);
  });

  it('hands out at most maxBatch messages per batch', async () => {
    const bus = createMemoryBus({ maxBatch: 3 });
    await bus.producer().send([0, 1, 2, 3, 4, 5, 6].map((i) => rec('t', i)));
    const sizes: number[] = [];
    const c = bus.consumer('g');
    const r = consume(c, 't', 7, async (b) => {
      sizes.push(b.messages.length);
      await b.commit(b.messages.at(-1)!.offset);
    });
    await r.enough;
    await c.disconnect();
    expect(sizes).toEqual([3, 3, 1]);
    expect(values(r.seen)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
  });

  it('makes send wait while the uncommitted backlog is at capacity, and resumes it after a commit', async () => {
    const bus = createMemoryBus({ capacity: 3 });
    const p = bus.producer();
    const events: string[] = [];
    await p.send([rec('t', 0), rec('t', 1), rec('t', 2)]); // fills the topic
    const blocked = p.send([rec('t', 3)]).then(() => events.push('send resolved'));
    await settle();
    expect(events).toEqual([]); // still waiting: nothing was committed

    // a consumer that reads but does not commit frees nothing
    let release!: () => void;
    const mayCommit = new Promise<void>((r) => (release = r));
    const c = bus.consumer('g');
    const r = consume(c, 't', 4, async (b) => {
      await mayCommit;
      events.push('commit');
      await b.commit(b.messages.at(-1)!.offset);
    });
    await settle();
    expect(events).toEqual([]);
    expect(await c.lag()).toBe(3);

    release();
    await blocked;
    expect(events).toEqual(['commit', 'send resolved']);
    // the record that waited is in the log after the others
    await r.enough;
    await c.disconnect();
    expect(r.seen.map((m) => [m.offset, m.value!.toString()])).toEqual([['0', 'v0'], ['1', 'v1'], ['2', 'v2'], ['3', 'v3']]);
  });

  it('takes a send larger than the capacity part by part as the consumer commits (no deadlock)', async () => {
    const bus = createMemoryBus({ capacity: 2 });
    const sent = bus.producer().send([0, 1, 2, 3].map((i) => rec('t', i)));
    const c = bus.consumer('g');
    const r = consume(c, 't', 4, (b) => b.commit(b.messages.at(-1)!.offset));
    await sent;
    await r.enough;
    expect(values(r.seen)).toEqual(['v0', 'v1', 'v2', 'v3']);
    await c.disconnect();
  });

  it('bounds each topic in bytes (BUS_MAX_BYTES): send waits at the bound, a record larger than the bound fits an empty topic', async () => {
    const kb = (topic: string, i: number, size = 1000): BusRecord => ({ topic, key: 'k', value: Buffer.alloc(size, i) });
    const bus = createMemoryBus({ capacity: 1_000_000, maxBytes: 10_000 });
    const p = bus.producer();
    let sent = 0;
    const sending = (async () => {
      for (let i = 0; i < 30; i++) {
        await p.send([kb('t', i)]);
        sent++;
      }
    })();
    await settle();
    // 1,000 bytes + key + 100 per record: 9 fit into 10,000 bytes
    expect(sent).toBe(9);
    expect(bus.usage().t).toEqual({ records: 9, bytes: 9 * 1101 });
    // the other topic has its own bound (the writer's dead letters never wait on readings)
    await p.send([kb('other', 0)]);
    const c = bus.consumer('g');
    let most = 0;
    const r = consume(c, 't', 30, async (b) => {
      most = Math.max(most, bus.usage().t!.bytes);
      await b.commit(b.messages.at(-1)!.offset);
    });
    await sending;
    await r.enough;
    expect(most).toBeLessThanOrEqual(10_000);
    expect(bus.usage().t).toEqual({ records: 0, bytes: 0 });
    await c.disconnect();

    await p.send([kb('big', 0, 50_000)]); // alone in its topic: taken
    expect(bus.usage().big!.records).toBe(1);
  });

  it('fetches a batch again when eachBatch throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const bus = createMemoryBus({ onError: (e) => errors.push(e) });
    await bus.producer().send([rec('t', 0), rec('t', 1)]);
    const c = bus.consumer('g');
    const batches: string[][] = [];
    let done!: () => void;
    const committed = new Promise<void>((r) => (done = r));
    const boom = new Error('store down');
    await c.run('t', async (b) => {
      batches.push(values(b.messages));
      if (batches.length < 3) throw boom;
      await b.commit(b.messages.at(-1)!.offset);
      done();
    });
    await committed;
    await c.disconnect();
    expect(batches).toEqual([['v0', 'v1'], ['v0', 'v1'], ['v0', 'v1']]);
    expect(errors).toEqual([boom, boom]);
    expect(await c.lag()).toBe(0);
  });

  it('reports isRunning false once the consumer disconnects, and disconnect waits for the batch in hand', async () => {
    const bus = createMemoryBus();
    await bus.producer().send([rec('t', 0)]);
    const c = bus.consumer('g');
    let inBatch!: () => void;
    const entered = new Promise<void>((r) => (inBatch = r));
    let finish!: () => void;
    const mayFinish = new Promise<void>((r) => (finish = r));
    const order: string[] = [];
    let batch: ConsumedBatch | undefined;
    await c.run('t', async (b) => {
      batch = b;
      inBatch();
      await mayFinish;
      order.push('batch finished');
    });
    await entered;
    expect(batch!.isRunning()).toBe(true);
    const disconnected = c.disconnect().then(() => order.push('disconnected'));
    expect(batch!.isRunning()).toBe(false);
    await settle();
    expect(order).toEqual([]);
    finish();
    await disconnected;
    expect(order).toEqual(['batch finished', 'disconnected']);
  });
});
