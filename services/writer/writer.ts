import { BatchingProducer } from '../bus/batchingProducer.js';
import type { Bus, BusConsumer, BusProducer, ConsumedBatch } from '../bus/types.js';
import { deadLetterSchema, makeDeadLetter, type DeadLetter } from '../core/deadLetter.js';
import { errorMessage, KlimatpulsError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { canonicalReadingSchema, type CanonicalReading } from '../core/reading.js';
import { retry } from '../core/retry.js';
import type { Telemetry } from '../core/telemetry.js';
import type { ReadingStore, StoredDeadLetter } from '../store/types.js';
import { writeIsolating } from './batchWriter.js';

export interface WriterOptions {
  bus: Bus;
  store: ReadingStore;
  readingsTopic: string;
  deadLetterTopic: string;
  groupId: string;
  batchSize: number;
  /** Also archive the dead-letter topic into the store (data-quality dashboards). */
  archiveDeadLetters: boolean;
  /** How long `stop` waits for the in-process bus to empty. */
  drainTimeoutMs?: number;
  /** Told about every batch the store acknowledged (indicators mark their periods dirty). */
  onWritten?: (readings: CanonicalReading[]) => void;
  logger: Logger;
  telemetry: Telemetry;
}

/**
 * Kafka → store. Consumes the readings topic in a consumer group, writes batches
 * of up to `batchSize` points, and commits offsets only after the store
 * acknowledged them. Readings the store rejects as invalid, and records that are
 * not readings, go to the dead-letter topic; the rest is written.
 */
export class Writer {
  private readings?: BusConsumer;
  private deadLetters?: BusConsumer;
  private producer?: BusProducer;
  private dlq?: BatchingProducer;
  private readonly log: Logger;
  private lagTimer?: NodeJS.Timeout;

  constructor(private readonly o: WriterOptions) {
    this.log = o.logger.child({ component: 'writer' });
  }

  async start(): Promise<void> {
    const { o } = this;
    await retry(() => o.store.init(), { retries: 10, shouldRetry: () => true });
    await o.bus.ensureTopics([o.readingsTopic, o.deadLetterTopic]);
    this.producer = o.bus.producer({ idempotent: true });
    await this.producer.connect();
    this.dlq = new BatchingProducer(this.producer, this.log, { maxBatchRecords: 10_000 });

    this.readings = o.bus.consumer(o.groupId);
    await this.readings.connect();
    await this.readings.run(o.readingsTopic, (b) => this.onReadings(b));

    if (o.archiveDeadLetters) {
      this.deadLetters = o.bus.consumer(`${o.groupId}-deadletters`);
      await this.deadLetters.connect();
      await this.deadLetters.run(o.deadLetterTopic, (b) => this.onDeadLetters(b));
    }
    this.lagTimer = setInterval(() => {
      this.readings?.lag().then((n) => o.telemetry.consumerLag.set({ service: 'writer' }, n), () => {});
    }, 5000).unref();
    this.log.info({ topic: o.readingsTopic, group: o.groupId, store: o.store.kind }, 'writer started');
  }

  private async onReadings(batch: ConsumedBatch): Promise<void> {
    const { o } = this;
    if (batch.messages.length === 0) return;
    const valid: CanonicalReading[] = [];
    const bad: DeadLetter[] = [];
    for (const m of batch.messages) {
      const parsed = parseReading(m.value);
      if (parsed.ok) valid.push(parsed.reading);
      else bad.push(makeDeadLetter({
        rejected: [{ reason: 'bad_record', field: parsed.field, message: parsed.message }],
        stage: 'writer', topic: `${batch.topic}/${batch.partition}@${m.offset}`, payload: m.value ?? Buffer.alloc(0),
        decoder: null, receivedAt: new Date(),
      }));
    }
    try {
      for (let i = 0; i < valid.length; i += o.batchSize) {
        const chunk = valid.slice(i, i + o.batchSize);
        const t0 = performance.now();
        const rejected = await writeIsolating((rs) => o.store.writeReadings(rs), chunk, {
          heartbeat: batch.heartbeat,
          isRunning: batch.isRunning,
          onRetry: (err) => o.telemetry.storeErrors.inc({ service: 'writer', kind: (err as KlimatpulsError).code ?? 'unknown' }),
        }, this.log);
        o.telemetry.latency.observe({ service: 'writer', stage: 'store_write' }, (performance.now() - t0) / 1000);
        o.telemetry.batchSize.observe({ service: 'writer' }, chunk.length);
        o.telemetry.readingsWritten.inc({ service: 'writer' }, chunk.length - rejected.length);
        o.onWritten?.(chunk);
        for (const r of rejected) {
          o.telemetry.storeErrors.inc({ service: 'writer', kind: 'rejected' });
          bad.push(makeDeadLetter({
            rejected: [{ reason: 'store_rejected', field: 'value', message: r.message }],
            stage: 'writer', topic: r.reading.source.topic, payload: Buffer.from(JSON.stringify(r.reading)),
            decoder: { name: r.reading.source.format, version: r.reading.source.decoderVersion }, receivedAt: new Date(r.reading.receivedAt),
          }));
        }
      }
      if (bad.length > 0) {
        await this.dlq!.send(bad.map((d) => ({ topic: o.deadLetterTopic, key: d.topic, value: Buffer.from(JSON.stringify(d)) })));
        for (const d of bad) o.telemetry.deadLetters.inc({ service: 'writer', reason: d.reason });
      }
      await batch.commit(batch.messages[batch.messages.length - 1]!.offset);
    } catch (err) {
      if (err instanceof KlimatpulsError && err.code === 'SHUTTING_DOWN') {
        this.log.info('stopping mid-batch; it stays uncommitted and is written after restart');
        return;
      }
      throw err;
    }
  }

  private async onDeadLetters(batch: ConsumedBatch): Promise<void> {
    const items: StoredDeadLetter[] = [];
    for (const m of batch.messages) {
      const parsed = m.value ? safeJson(m.value) : undefined;
      const dl = deadLetterSchema.safeParse(parsed);
      // A record on the dead-letter topic that is not a dead letter is kept as one.
      const deadLetter = dl.success ? dl.data : makeDeadLetter({
        rejected: [{ reason: 'bad_record', field: '(record)', message: 'not a dead letter' }],
        stage: 'writer', topic: this.o.deadLetterTopic, payload: m.value ?? Buffer.alloc(0), decoder: null, receivedAt: new Date(),
      });
      items.push({ id: `${batch.partition}-${m.offset.padStart(12, '0')}`, deadLetter });
    }
    await retry(() => this.o.store.writeDeadLetters(items), {
      retries: Infinity, maxDelayMs: 15_000, shouldRetry: () => batch.isRunning(),
      onRetry: async (err) => {
        this.log.warn({ err: errorMessage(err) }, 'archiving dead letters failed; retrying');
        await batch.heartbeat().catch(() => {});
      },
    }).then(
      () => batch.commit(batch.messages[batch.messages.length - 1]!.offset),
      (err) => {
        if (batch.isRunning()) throw err;
      },
    );
  }

  /**
   * Stops consuming after the batch in hand is written and committed (or left
   * uncommitted when the store is down). With the in-process bus, which does not
   * survive the process, it first writes everything still on the bus (bounded by
   * `drainTimeoutMs`): stop the gateway before the writer.
   */
  async stop(): Promise<void> {
    clearInterval(this.lagTimer);
    if (this.o.bus.kind === 'memory' && this.readings) {
      const until = Date.now() + (this.o.drainTimeoutMs ?? 15_000);
      const backlog = async () => (await this.readings!.lag()) + ((await this.deadLetters?.lag()) ?? 0);
      let left = await backlog();
      while (left > 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        left = await backlog();
      }
      if (left > 0) this.log.error({ left }, 'stopping with readings not yet written (in-process bus)');
    }
    await this.readings?.disconnect().catch((err) => this.log.warn({ err: errorMessage(err) }, 'consumer disconnect'));
    await this.deadLetters?.disconnect().catch(() => {});
    this.dlq?.stop();
    await this.producer?.disconnect().catch(() => {});
    this.log.info('writer stopped');
  }
}

function safeJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function parseReading(value: Buffer | null): { ok: true; reading: CanonicalReading } | { ok: false; field: string; message: string } {
  if (!value) return { ok: false, field: '(record)', message: 'empty record' };
  const json = safeJson(value);
  if (json === undefined) return { ok: false, field: '(record)', message: 'not JSON' };
  const r = canonicalReadingSchema.safeParse(json);
  if (r.success) return { ok: true, reading: r.data };
  const issue = r.error.issues[0]!;
  return { ok: false, field: issue.path.join('.') || '(record)', message: issue.message };
}
