import { BatchingProducer } from '../bus/batchingProducer.js';
import type { Bus, BusConsumer, BusProducer, ConsumedBatch } from '../bus/types.js';
import { deadLetterSchema, idOf, makeDeadLetter } from '../core/deadLetter.js';
import { errorMessage, KlimatpulsError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CanonicalReading } from '../core/reading.js';
import { isCompactRecord, recordReadings } from '../core/readingRecords.js';
import { fulfilledWithin, retry } from '../core/retry.js';
import type { Telemetry } from '../core/telemetry.js';
import type { ReadingStore, StoredDeadLetter } from '../core/storePorts.js';
import { writeIsolating } from './batchWriter.js';
import { buildReadingJob, jobWriter, type JobItem, type ReadingJob } from './readingJob.js';
import { parseReading, safeJson } from './readingParser.js';
import { WritePipeline } from './writePipeline.js';

export interface WriterOptions {
  bus: Bus;
  store: ReadingStore;
  readingsTopic: string;
  deadLetterTopic: string;
  groupId: string;
  batchSize: number;
  /** Store writes in flight at once (WRITER_CONCURRENCY). */
  concurrency?: number;
  /** At most this many readings accepted and not yet stored (WRITER_MAX_QUEUED; default 4 × batchSize). */
  maxQueued?: number;
  /** Also archive the dead-letter topic into the store (data-quality dashboards). */
  archiveDeadLetters: boolean;
  /** How long `stop` waits for the in-process bus to empty. */
  drainTimeoutMs?: number;
  /** Told about every batch the store acknowledged (indicators mark their periods dirty). */
  onWritten?: (readings: CanonicalReading[]) => void;
  /** After dead letters are archived: their arrival times (dead_letter_share's periods are then recomputed). */
  onDeadLettersArchived?: (receivedAt: string[]) => void;
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
  private readonly pipeline: WritePipeline;

  constructor(private readonly o: WriterOptions) {
    this.log = o.logger.child({ component: 'writer' });
    this.pipeline = new WritePipeline({
      concurrency: o.concurrency ?? 4,
      maxQueued: o.maxQueued ?? 4 * o.batchSize,
      onCommitError: (err, key) => this.log.warn({ err: errorMessage(err), partition: key }, 'offset commit failed; a later commit covers it'),
    });
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

  /**
   * Parses a fetched batch and submits it to the write pipeline in jobs of up to
   * `batchSize` records; returns once they are accepted (kafkajs then fetches the
   * next batch) while the jobs write and commit in the background.
   */
  private async onReadings(batch: ConsumedBatch): Promise<void> {
    const { o } = this;
    const position = `${batch.topic}/${batch.partition}`;
    // The job's closures take what they need from the batch, not the batch: it holds
    // every fetched record until the job is stored.
    const { heartbeat, isRunning, commit } = batch;
    // Jobs of up to batchSize readings. A v2 record (many readings) may span jobs; its
    // offset is committed by the job holding its last reading, which the pipeline
    // commits only after every earlier job of the partition was stored.
    let items: JobItem[] = [];
    let done: string | undefined; // the last record whose readings are all in `items` or earlier jobs
    const submit = async (): Promise<boolean> => {
      const job = buildReadingJob(items, { wire: o.store.wire, keepReadings: o.onWritten !== undefined, position });
      const size = items.length;
      const last = done;
      items = [];
      done = undefined;
      return this.pipeline.submit({
        key: position,
        size,
        run: () => this.store(job, { heartbeat, isRunning }),
        commit: () => (last === undefined ? Promise.resolve() : commit(last)),
      }, heartbeat);
    };
    for (const m of batch.messages) {
      const values = recordReadings(m.value);
      const compact = isCompactRecord(m.value);
      for (let j = 0; j < values.length; j++) {
        items.push(compact ? { offset: m.offset, line: j, value: values[j]!, compact } : values.length === 1 ? { offset: m.offset, value: values[j]! } : { offset: m.offset, line: j, value: values[j]! });
        if (j === values.length - 1) done = m.offset;
        // stopping: left uncommitted, read again after restart
        if (items.length >= o.batchSize && !(await submit())) return;
      }
    }
    if (items.length > 0 || done !== undefined) await submit();
  }

  /** Writes one job's readings (isolating what the store refuses) and its dead letters. */
  private async store(job: ReadingJob, hooks: Pick<ConsumedBatch, 'heartbeat' | 'isRunning'>): Promise<void> {
    const { o } = this;
    const bad = job.bad;
    try {
      if (job.count > 0) {
        const t0 = performance.now();
        const rejected = await writeIsolating(jobWriter(job, o.store), job.values.map((_, i) => i), {
          ...hooks,
          onRetry: (err) => o.telemetry.storeErrors.inc({ service: 'writer', kind: (err as KlimatpulsError).code ?? 'unknown' }),
        }, this.log);
        o.telemetry.latency.observe({ service: 'writer', stage: 'store_write' }, (performance.now() - t0) / 1000);
        o.telemetry.batchSize.observe({ service: 'writer' }, job.count);
        o.telemetry.readingsWritten.inc({ service: 'writer' }, job.count - rejected.length);
        if (job.readings) o.onWritten?.(job.readings);
        for (const r of rejected) {
          o.telemetry.storeErrors.inc({ service: 'writer', kind: 'rejected' });
          const line = job.values[r.item]!;
          const compact = job.compact?.[r.item] === true;
          const reading = (parseReading(line, compact) as { reading: CanonicalReading }).reading; // it was valid when the job was built
          // the reading's JSON, as of a v1 record (a v3 line is the same reading without its property names)
          const payload = compact ? Buffer.from(JSON.stringify(reading)) : line;
          bad.push(makeDeadLetter({
            rejected: [{ reason: 'store_rejected', field: 'value', message: r.message }],
            stage: 'writer', topic: reading.source.topic, payload,
            decoder: { name: reading.source.format, version: reading.source.decoderVersion }, receivedAt: new Date(reading.receivedAt),
            // the record carries the gateway's receivedAt, which a redelivered message changes; the reading id does not
            identity: `reading ${reading.id}`,
          }));
        }
      }
      if (bad.length > 0) {
        await this.dlq!.send(bad.map((d) => ({ topic: o.deadLetterTopic, key: d.topic, value: Buffer.from(JSON.stringify(d)) })));
        for (const d of bad) o.telemetry.deadLetters.inc({ service: 'writer', reason: d.reason });
      }
    } catch (err) {
      if (err instanceof KlimatpulsError && err.code === 'SHUTTING_DOWN') {
        this.log.info('stopping mid-batch; it stays uncommitted and is written after restart');
      }
      throw err; // no commit for this job or later ones of its partition
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
        identity: `${batch.partition}@${m.offset}`, // each foreign record its own, and the same one when read again
      });
      // The dead letter's own id (not the bus position): a message dead-lettered twice is archived once.
      items.push({ id: idOf(deadLetter), deadLetter });
    }
    await retry(() => this.o.store.writeDeadLetters(items), {
      retries: Infinity, maxDelayMs: 15_000, shouldRetry: () => batch.isRunning(),
      onRetry: async (err) => {
        this.log.warn({ err: errorMessage(err) }, 'archiving dead letters failed; retrying');
        await batch.heartbeat().catch(() => {});
      },
    }).then(
      () => {
        this.o.onDeadLettersArchived?.(items.map((i) => i.deadLetter.receivedAt));
        return batch.commit(batch.messages[batch.messages.length - 1]!.offset);
      },
      (err) => {
        if (batch.isRunning()) throw err;
      },
    );
  }

  /**
   * Stops consuming after the batch in hand is written and committed (or left
   * uncommitted when the store is down). Stop the gateway before the writer.
   *
   * With the in-process bus it first writes everything still on the bus, however long
   * that takes: the bus does not survive the process, and the gateway acknowledged each
   * of its records to MQTT when the bus took it, so whatever the writer leaves there is
   * lost. The bus is bounded (BUS_MAX_BYTES, 100,000 records per topic), so this is
   * seconds, not minutes, with a working store; with a failing one it keeps retrying
   * (and says how much is left every `drainTimeoutMs`) until it works or a second
   * signal exits at once.
   */
  async stop(): Promise<void> {
    clearInterval(this.lagTimer);
    if (this.o.bus.kind === 'memory' && this.readings) {
      const every = Math.max(1000, this.o.drainTimeoutMs ?? 15_000);
      const backlog = async () => (await this.readings!.lag()) + ((await this.deadLetters?.lag()) ?? 0);
      let left = await backlog();
      let reported = Date.now();
      if (left > 0) this.log.info({ left }, 'writing what the in-process bus still holds before stopping');
      while (left > 0) {
        await new Promise((r) => setTimeout(r, 50));
        left = await backlog();
        if (left > 0 && Date.now() - reported >= every) {
          reported = Date.now();
          this.log.warn({ left }, 'still writing what the in-process bus holds (a second signal exits now and loses it)');
        }
      }
    }
    // Finish and commit what was accepted while the consumer is still in its group
    // (bounded: with the store down, the jobs give up once the consumer stops below).
    this.pipeline.close();
    if (!(await fulfilledWithin(this.pipeline.drain(), this.o.drainTimeoutMs ?? 15_000))) this.log.warn({ backlog: this.pipeline.backlog }, 'drain timed out; uncommitted readings are written again after restart');
    await this.readings?.disconnect().catch((err) => this.log.warn({ err: errorMessage(err) }, 'consumer disconnect'));
    await this.pipeline.drain();
    await this.deadLetters?.disconnect().catch(() => {});
    this.dlq?.stop();
    await this.producer?.disconnect().catch(() => {});
    this.log.info('writer stopped');
  }
}
