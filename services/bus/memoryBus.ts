import { backoffDelay, sleep } from '../core/retry.js';
import type { Bus, BusConsumer, BusProducer, BusRecord, ConsumedBatch } from './types.js';

/** What a memory topic keeps: records as bytes, as Kafka hands them to consumers. */
type StoredRecord = BusRecord & { value: Buffer };

/**
 * The in-process stand-in for Kafka used by the embedded `npm start`: one
 * partition per topic, one consumer group, a log that is bounded — `send` waits
 * while the uncommitted backlog is full, exactly where Kafka would slow the
 * producer down, so the gateway's backpressure path is the same.
 */
class MemoryTopic {
  readonly log: StoredRecord[] = [];
  /** Offset of log[0]. */
  base = 0;
  committed = 0;
  private waiters: Array<() => void> = [];
  private spaceWaiters: Array<() => void> = [];

  constructor(readonly capacity: number) {}

  get head(): number {
    return this.base + this.log.length;
  }

  async append(records: StoredRecord[]): Promise<void> {
    while (this.log.length > 0 && this.log.length + records.length > this.capacity) {
      await new Promise<void>((r) => this.spaceWaiters.push(r));
    }
    this.log.push(...records);
    this.wake(this.waiters);
  }

  commit(next: number): void {
    if (next <= this.committed) return;
    this.committed = Math.min(next, this.head);
    const drop = this.committed - this.base;
    this.log.splice(0, drop);
    this.base = this.committed;
    this.wake(this.spaceWaiters);
  }

  waitForData(): { promise: Promise<void>; cancel: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.waiters.push(resolve);
    return { promise, cancel: () => resolve() };
  }

  private wake(list: Array<() => void>): void {
    const ws = list.splice(0);
    for (const w of ws) w();
  }
}

export function createMemoryBus(opts: { capacity?: number; maxBatch?: number; onError?: (err: unknown) => void } = {}): Bus {
  const capacity = opts.capacity ?? 100_000;
  const maxBatch = opts.maxBatch ?? 5_000;
  const topics = new Map<string, MemoryTopic>();
  const topic = (name: string) => {
    let t = topics.get(name);
    if (!t) topics.set(name, (t = new MemoryTopic(capacity)));
    return t;
  };

  return {
    kind: 'memory',
    async close() {},
    async ensureTopics(names) {
      names.forEach(topic);
    },
    producer(): BusProducer {
      return {
        async connect() {},
        async disconnect() {},
        async send(records) {
          const byTopic = new Map<string, StoredRecord[]>();
          for (const r of records) {
            let list = byTopic.get(r.topic);
            if (!list) byTopic.set(r.topic, (list = []));
            // consumers get bytes, as from Kafka
            list.push(typeof r.value === 'string' ? { ...r, value: Buffer.from(r.value) } : (r as StoredRecord));
          }
          for (const [name, rs] of byTopic) await topic(name).append(rs);
        },
      };
    },
    consumer(): BusConsumer {
      let running = false;
      let loop: Promise<void> | undefined;
      let cancelWait: (() => void) | undefined;
      let subscribed: MemoryTopic | undefined;
      return {
        async connect() {},
        async run(name, eachBatch) {
          const t = (subscribed = topic(name));
          running = true;
          loop = (async () => {
            let position = t.committed;
            let failures = 0;
            while (running) {
              if (position < t.base) position = t.base;
              const available = t.head - position;
              if (available <= 0) {
                const w = t.waitForData();
                cancelWait = w.cancel;
                await w.promise;
                continue;
              }
              const start = position - t.base;
              const slice = t.log.slice(start, start + Math.min(available, maxBatch));
              const first = position;
              const batch: ConsumedBatch = {
                topic: name,
                partition: 0,
                messages: slice.map((r, i) => ({ offset: String(first + i), key: r.key, value: r.value })),
                heartbeat: async () => {},
                commit: async (offset) => t.commit(Number(offset) + 1),
                isRunning: () => running,
              };
              try {
                await eachBatch(batch);
                failures = 0;
                // Like Kafka after a batch: continue after what was handed out. What was not
                // committed is seen again after a restart, not within this run.
                position = first + slice.length;
              } catch (err) {
                // Like kafkajs: a failed batch is fetched again from the committed position.
                opts.onError?.(err);
                await sleep(backoffDelay(failures++, { initialDelayMs: 200, maxDelayMs: 10_000, factor: 2 }));
                position = t.committed;
              }
            }
          })();
        },
        async disconnect() {
          running = false;
          cancelWait?.();
          await loop;
        },
        async lag() {
          return subscribed ? subscribed.head - subscribed.committed : 0;
        },
      };
    },
  };
}
