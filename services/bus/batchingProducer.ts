import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { retry } from '../core/retry.js';
import type { BusProducer, BusRecord } from './types.js';

/** Records of many callers, sent as one request; every caller waits for the one promise. */
interface Batch {
  records: BusRecord[];
  /** Bytes the records count for against maxBatchBytes. */
  size: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { records: [], size: 0, done, resolve, reject };
}

/**
 * Groups records from many callers into one request with one request in flight
 * (what an idempotent Kafka producer allows): while a batch is on the wire, the
 * next one accumulates. kafkajs has no linger.ms, so without this every MQTT
 * message would be its own produce request. Callers of one batch share its promise
 * (the gateway sends one call per MQTT message: no promise and closures per call).
 *
 * Bounded: callers wait for their own records, and the gateway caps how many
 * messages are unacknowledged, so the queue never outgrows that cap. On a
 * failure the batch is retried (backoff + jitter) until it succeeds or `stop`.
 */
export class BatchingProducer {
  /** Batches not yet sent, in order; the last one takes further records while it has room. */
  private queue: Batch[] = [];
  private pendingRecords = 0;
  private sending = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly producer: BusProducer,
    private readonly log: Logger,
    private readonly opts: {
      maxBatchRecords: number;
      maxBatchBytes?: number;
      onError?: (err: unknown) => void;
      /** Turns a batch's records into the records sent (packing readings: services/core/readingRecords.ts); once per batch, before any retry. */
      pack?: (records: BusRecord[]) => BusRecord[];
    } = { maxBatchRecords: 10_000 },
  ) {}

  get backlog(): number {
    return this.pendingRecords;
  }

  send(records: BusRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (this.abort.signal.aborted) return Promise.reject(new Error('producer stopped'));
    let size = 0;
    for (const r of records) size += (typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length) + r.key.length + 64;
    // Bounded in records and bytes: Kafka refuses a record batch over message.max.bytes
    // (1 MB by default), and a refused batch would be retried for ever. A caller's
    // records stay in one batch (one that alone is over the bounds goes alone).
    const maxBytes = this.opts.maxBatchBytes ?? 800_000;
    let b = this.queue[this.queue.length - 1];
    if (!b || (b.records.length > 0 && (b.records.length + records.length > this.opts.maxBatchRecords || b.size + size > maxBytes))) {
      this.queue.push((b = newBatch()));
    }
    for (const r of records) b.records.push(r);
    b.size += size;
    this.pendingRecords += records.length;
    this.pump();
    return b.done;
  }

  private pump(): void {
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.shift()!;
    const n = batch.records.length;
    this.pendingRecords -= n;
    const records = this.opts.pack ? this.opts.pack(batch.records) : batch.records;
    // Packed, the callers' records are garbage now, not kept alive while the request is on the wire.
    batch.records = [];
    retry(() => this.producer.send(records), {
      retries: Infinity,
      initialDelayMs: 200,
      maxDelayMs: 10_000,
      shouldRetry: () => true, // the bus being down is never a reason to lose a reading
      signal: this.abort.signal,
      onRetry: (err, attempt, delay) => {
        this.opts.onError?.(err);
        this.log.warn({ err: errorMessage(err), attempt, delayMs: delay, records: n }, 'produce failed; retrying');
      },
    }).then(batch.resolve, batch.reject).finally(() => {
      this.sending = false;
      this.pump();
    });
  }

  /** Fails what has not been sent (its MQTT messages stay unacknowledged, so the broker redelivers). */
  stop(): void {
    this.abort.abort();
    const left = this.queue.splice(0);
    this.pendingRecords = 0;
    for (const b of left) b.reject(new Error('producer stopped'));
  }
}
