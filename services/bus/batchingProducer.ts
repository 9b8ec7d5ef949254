import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { retry } from '../core/retry.js';
import type { BusProducer, BusRecord } from './types.js';

const NO_RECORDS: BusRecord[] = [];

interface Pending {
  records: BusRecord[];
  /** Bytes the records count for against maxBatchBytes. */
  size: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Groups records from many callers into one request with one request in flight
 * (what an idempotent Kafka producer allows): while a batch is on the wire, the
 * next one accumulates. kafkajs has no linger.ms, so without this every MQTT
 * message would be its own produce request.
 *
 * Bounded: callers wait for their own records, and the gateway caps how many
 * messages are unacknowledged, so `pending` never outgrows that cap. On a
 * failure the batch is retried (backoff + jitter) until it succeeds or `stop`.
 */
export class BatchingProducer {
  private pending: Pending[] = [];
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
    return new Promise((resolve, reject) => {
      this.pending.push({ records, size, resolve, reject });
      this.pendingRecords += records.length;
      this.pump();
    });
  }

  private pump(): void {
    if (this.sending || this.pending.length === 0) return;
    this.sending = true;
    const batch: Pending[] = [];
    let n = 0;
    // Bounded in records and bytes: Kafka refuses a record batch over message.max.bytes
    // (1 MB by default), and a refused batch would be retried for ever.
    const maxBytes = this.opts.maxBatchBytes ?? 800_000;
    let bytes = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      const size = next.size;
      if (n > 0 && (n + next.records.length > this.opts.maxBatchRecords || bytes + size > maxBytes)) break;
      this.pending.shift();
      batch.push(next);
      n += next.records.length;
      bytes += size;
    }
    this.pendingRecords -= n;
    let records: BusRecord[] = [];
    for (const p of batch) for (const r of p.records) records.push(r);
    if (this.opts.pack) {
      records = this.opts.pack(records);
      // The callers' records are in the packed ones now: nothing keeps them alive while
      // the request is on the wire (fewer objects for the GC to copy).
      for (const p of batch) p.records = NO_RECORDS;
    }
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
    }).then(
      () => batch.forEach((p) => p.resolve()),
      (err) => batch.forEach((p) => p.reject(err)),
    ).finally(() => {
      this.sending = false;
      this.pump();
    });
  }

  /** Fails what has not been sent (its MQTT messages stay unacknowledged, so the broker redelivers). */
  stop(): void {
    this.abort.abort();
    const left = this.pending.splice(0);
    this.pendingRecords = 0;
    for (const p of left) p.reject(new Error('producer stopped'));
  }
}
