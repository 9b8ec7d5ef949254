import { Consumer, ListOffsetTimestamps, type Message, type MessagesStream } from '@platformatic/kafka';
import { BusError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { retry } from '../core/retry.js';
import { CLIENT_RETRIES, mapped } from './platformaticClient.js';
import type { BusConsumer, ConsumedBatch, ConsumedMessage } from './types.js';

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

interface Fetched {
  /** The stream it came from: a batch of a replaced stream is dropped, not handled. */
  stream: Stream;
  partition: number;
  messages: ConsumedMessage[];
}

/** One partition's batches, handled one after another (as kafkajs's eachBatch per partition). */
interface Lane {
  queue: Fetched[];
  busy: boolean;
  /** Commits of the partition in order: a later one never lands before an earlier one. */
  commits: Promise<void>;
  /** The next offset committed so far (a commit never moves the group back). */
  committed: bigint;
}

export interface PlatformaticConsumerOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  logger: Logger;
}

/**
 * A consumer group member on @platformatic/kafka with kafkaBus's contract
 * (types.ts): batches per partition, the next batch of a partition only after the
 * handler of the previous one returned, offsets committed only by `commit` (after
 * the handler's work is stored: at-least-once).
 *
 * The client's MessagesStream hands over single messages; those of one fetch
 * response arrive in one go and become one batch per partition. Backpressure: while
 * a partition has a batch waiting for its handler the stream is paused (no fetches),
 * so at most one fetched batch per partition waits, as with kafkajs. A handler that
 * throws, or a stream that fails (broker down past the client's retries), replaces
 * the stream by one reading from the committed offsets: what was not committed is
 * delivered again.
 */
export class PlatformaticConsumer implements BusConsumer {
  private readonly consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  private readonly log: Logger;
  private topic?: string;
  private handler?: (batch: ConsumedBatch) => Promise<void>;
  private stream?: Stream;
  private running = false;
  private restarting = false;
  private readonly abort = new AbortController();
  private readonly lanes = new Map<number, Lane>();
  /** Messages of the fetch response being pushed, per partition. */
  private collecting = new Map<number, ConsumedMessage[]>();
  private readonly handling = new Set<Promise<void>>();

  constructor(private readonly o: PlatformaticConsumerOptions) {
    this.log = o.logger.child({ group: o.groupId });
    this.consumer = new Consumer({
      clientId: o.clientId,
      bootstrapBrokers: o.brokers,
      groupId: o.groupId,
      ...CLIENT_RETRIES,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      autocommit: false,
      // As kafkaBus: ~5,000 readings per partition and fetch, the broker answers once
      // 256 kB are there or after 100 ms (no stream of tiny store writes).
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
      minBytes: 256 * 1024,
      maxWaitTime: 100,
      // Messages the stream holds while paused (the rest of a fetch response).
      highWaterMark: 1024,
    });
    // A group rejoin that failed past the retries: join again and read from the commits.
    this.consumer.on('error', (err: Error) => {
      this.log.warn({ err: errorMessage(err) }, 'consumer group error; rejoining');
      this.restart();
    });
    this.consumer.on('consumer:group:join', () => this.pruneLanes());
  }

  async connect(): Promise<void> {
    await mapped('connect', () => this.consumer.metadata({ topics: [] }));
  }

  async run(topic: string, eachBatch: (batch: ConsumedBatch) => Promise<void>): Promise<void> {
    this.topic = topic;
    this.handler = eachBatch;
    this.running = true;
    await this.openStream();
  }

  private async openStream(): Promise<void> {
    const stream = await mapped('consume', () => this.consumer.consume({
      topics: [this.topic!],
      mode: 'committed',
      fallbackMode: 'earliest', // a new group reads the topic from its beginning
      autocommit: false,
    }));
    stream.on('data', (m: Message<Buffer, Buffer, Buffer, Buffer>) => {
      if (stream === this.stream) this.collect(m);
    });
    stream.on('error', (err: Error) => {
      if (stream !== this.stream || !this.running) return;
      this.log.warn({ err: errorMessage(err) }, 'fetching failed; reading again from the committed offsets');
      this.restart();
    });
    this.stream = stream;
  }

  private collect(m: Message<Buffer, Buffer, Buffer, Buffer>): void {
    let list = this.collecting.get(m.partition);
    if (!list) {
      if (this.collecting.size === 0) queueMicrotask(() => this.flush());
      this.collecting.set(m.partition, (list = []));
    }
    list.push({ offset: String(m.offset), key: m.key ? m.key.toString('utf8') : null, value: m.value ?? null });
  }

  /** After a fetch response was pushed: one batch per partition. */
  private flush(): void {
    const fetched = this.collecting;
    this.collecting = new Map();
    const stream = this.stream;
    if (!stream) return;
    for (const [partition, messages] of fetched) {
      const lane = this.lane(partition);
      lane.queue.push({ stream, partition, messages });
      this.pump(lane);
    }
    if ([...this.lanes.values()].some((l) => l.queue.length > 0)) stream.pause();
  }

  private lane(partition: number): Lane {
    let lane = this.lanes.get(partition);
    if (!lane) this.lanes.set(partition, (lane = { queue: [], busy: false, commits: Promise.resolve(), committed: -1n }));
    return lane;
  }

  private assigned(partition: number): boolean {
    return this.consumer.assignments?.some((a) => a.topic === this.topic && a.partitions.includes(partition)) ?? false;
  }

  private pump(lane: Lane): void {
    if (lane.busy) return;
    let next: Fetched | undefined;
    while ((next = lane.queue.shift())) {
      // Of a replaced stream, or of a partition another member now has: read again there.
      if (next.stream === this.stream && this.running && this.assigned(next.partition)) break;
    }
    if (!next) return this.resumeIfIdle();
    lane.busy = true;
    const done = this.handler!(this.batchOf(next, lane)).catch((err) => {
      if (!this.running) return;
      this.log.error({ err: errorMessage(err), partition: next.partition }, 'batch failed; fetching it again');
      this.restart();
    }).finally(() => {
      this.handling.delete(done);
      lane.busy = false;
      this.pump(lane);
    });
    this.handling.add(done);
  }

  private resumeIfIdle(): void {
    const s = this.stream;
    if (s && this.running && s.isPaused() && [...this.lanes.values()].every((l) => l.queue.length === 0)) s.resume();
  }

  private batchOf(f: Fetched, lane: Lane): ConsumedBatch {
    const topic = this.topic!;
    const { partition } = f;
    return {
      topic,
      partition,
      messages: f.messages,
      // The client heartbeats on its own timer, apart from fetching and handling.
      heartbeat: async () => {},
      isRunning: () => this.running && this.assigned(partition),
      commit: (offset) => {
        const next = BigInt(offset) + 1n;
        const c = lane.commits.then(async () => {
          if (next <= lane.committed) return;
          // A partition another member has now: its progress is that member's to commit.
          if (!this.assigned(partition)) throw new BusError(`partition ${partition} of ${topic} is no longer assigned to this member`, { retriable: false });
          await mapped('commit', () => this.consumer.commit({ offsets: [{ topic, partition, offset: next, leaderEpoch: -1 }] }));
          if (next > lane.committed) lane.committed = next;
        });
        lane.commits = c.catch(() => {});
        return c;
      },
    };
  }

  /** After a rebalance: what this member committed of a partition it lost says nothing any more. */
  private pruneLanes(): void {
    for (const [partition, lane] of this.lanes) if (!this.assigned(partition)) lane.committed = -1n;
  }

  /** A new stream from the committed offsets (the old one's waiting batches are dropped). */
  private restart(): void {
    if (this.restarting || !this.running) return;
    this.restarting = true;
    const old = this.stream;
    this.stream = undefined;
    old?.pause();
    for (const lane of this.lanes.values()) lane.queue.length = 0;
    this.collecting = new Map();
    retry(async () => {
      if (!this.consumer.isActive()) await mapped('join group', () => this.consumer.joinGroup({}));
      await this.openStream();
    }, {
      retries: Infinity, initialDelayMs: 200, maxDelayMs: 10_000, signal: this.abort.signal,
      shouldRetry: () => this.running,
      onRetry: (err, attempt, delayMs) => this.log.warn({ err: errorMessage(err), attempt, delayMs }, 'cannot consume yet; retrying'),
    }).catch(() => {}).finally(() => {
      this.restarting = false;
      // The new stream was opened first, so closing the old one keeps the subscription (no rebalance).
      old?.close().catch(() => {});
    });
  }

  async disconnect(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.stream?.pause();
    for (const lane of this.lanes.values()) lane.queue.length = 0;
    // The batches in hand finish (their handlers see isRunning() false) and may still commit.
    await Promise.allSettled([...this.handling]);
    await Promise.allSettled([...this.lanes.values()].map((l) => l.commits));
    await this.stream?.close().catch(() => {});
    this.stream = undefined;
    // Leaves the group: the partitions move to another member at once.
    await mapped('close', () => (this.consumer.close as (force?: boolean) => Promise<void>).call(this.consumer, true));
  }

  async lag(): Promise<number> {
    const topic = this.topic;
    if (!topic) return 0;
    const [heads, lows] = await Promise.all([
      mapped('list offsets', () => this.consumer.listOffsets({ topics: [topic] })),
      mapped('list offsets', () => this.consumer.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.EARLIEST })),
    ]);
    const high = heads.get(topic) ?? [];
    const committed = (await mapped('list commits', () => this.consumer.listCommittedOffsets({ topics: [{ topic, partitions: high.map((_, i) => i) }] }))).get(topic) ?? [];
    let lag = 0n;
    high.forEach((h, i) => {
      const c = committed[i] ?? -1n;
      lag += h - (c < 0n ? (lows.get(topic)?.[i] ?? 0n) : c);
    });
    return Number(lag);
  }
}
