import { backoffDelay, sleep } from '../core/retry.js';
import type { Bus, BusConsumer, BusProducer, BusRecord, ConsumedBatch } from './types.js';

/** What a memory topic keeps: records as bytes, as Kafka hands them to consumers. */
type StoredRecord = BusRecord & { value: Buffer };

/** Memory a record is counted for: its value and key bytes plus ~100 bytes of object overhead. */
const recordBytes = (r: StoredRecord) => r.value.length + r.key.length + 100;

/**
 * The in-process stand-in for Kafka used by the embedded `npm start`: one
 * partition per topic, one consumer group, a log that is bounded twice — at most
 * `capacity` uncommitted records and `maxBytes` of them per topic. `send` waits
 * while the log is full, exactly where Kafka would slow the producer down, so the
 * gateway's backpressure path is the same. A count alone let 100,000 dead letters
 * of up to 350 kB each (payload kept in base64) sit in memory: bytes are what matter.
 */
class MemoryTopic {
  readonly log: StoredRecord[] = [];
  /** Offset of log[0]. */
  base = 0;
  committed = 0;
  /** Bytes (recordBytes) of the records in `log`. */
  bytes = 0;
  private readonly sizes: number[] = [];
  private waiters: Array<() => void> = [];
  private spaceWaiters: Array<() => void> = [];

  constructor(
    readonly capacity: number,
    readonly maxBytes: number,
  ) {}

  get head(): number {
    return this.base + this.log.length;
  }

  /**
   * Appends record by record, each once there is room (a record always fits into an
   * empty log, however large), so a large batch cannot overshoot the bound.
   */
  async append(records: StoredRecord[]): Promise<void> {
    for (const r of records) {
      const size = recordBytes(r);
      while (this.log.length > 0 && (this.log.length + 1 > this.capacity || this.bytes + size > this.maxBytes)) {
        await new Promise<void>((res) => this.spaceWaiters.push(res));
      }
      this.log.push(r);
      this.sizes.push(size);
      this.bytes += size;
      this.wake(this.waiters);
    }
  }

  commit(next: number): void {
    if (next <= this.committed) return;
    this.committed = Math.min(next, this.head);
    const drop = this.committed - this.base;
    this.log.splice(0, drop);
    for (const size of this.sizes.splice(0, drop)) this.bytes -= size;
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

export interface MemoryBusOptions {
  /** Uncommitted records per topic, at most (default 100,000). */
  capacity?: number;
  /** Uncommitted bytes per topic, at most (BUS_MAX_BYTES; default 64 MB). */
  maxBytes?: number;
  maxBatch?: number;
  /** How long a consumer waits for a full batch when fewer records are there (default 100 ms). */
  lingerMs?: number;
  onError?: (err: unknown) => void;
}

export const DEFAULT_BUS_MAX_BYTES = 64 * 1024 * 1024;

/** The bus's view for metrics and tests: uncommitted records and bytes per topic. */
export interface MemoryBus extends Bus {
  usage(): Record<string, { records: number; bytes: number }>;
}

export function createMemoryBus(opts: MemoryBusOptions = {}): MemoryBus {
  const capacity = opts.capacity ?? 100_000;
  const maxBytes = opts.maxBytes ?? DEFAULT_BUS_MAX_BYTES;
  const maxBatch = opts.maxBatch ?? 5_000;
  const lingerMs = opts.lingerMs ?? 100;
  const topics = new Map<string, MemoryTopic>();
  const topic = (name: string) => {
    let t = topics.get(name);
    if (!t) topics.set(name, (t = new MemoryTopic(capacity, maxBytes)));
    return t;
  };

  return {
    kind: 'memory',
    async close() {},
    usage() {
      return Object.fromEntries([...topics].map(([name, t]) => [name, { records: t.log.length, bytes: t.bytes }]));
    },
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
              let available = t.head - position;
              if (available <= 0) {
                const w = t.waitForData();
                cancelWait = w.cancel;
                await w.promise;
                continue;
              }
              // Like Kafka's fetch wait (fetch.min.bytes / fetch.max.wait.ms): a few records
              // wait up to lingerMs for more, so a trickle is not one store write per record.
              // Each write costs a commit (DuckDB: tens to hundreds of ms under load), and a
              // writer fed one or two readings at a time managed ~30 readings/s.
              if (available < maxBatch && lingerMs > 0) {
                const until = Date.now() + lingerMs;
                while (running && t.head - position < maxBatch && Date.now() < until) await sleep(Math.min(10, lingerMs));
                if (position < t.base) position = t.base;
                available = t.head - position;
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
