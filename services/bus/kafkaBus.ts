import { Kafka, logLevel, type Admin, type LogEntry, CompressionTypes } from 'kafkajs';
import { brokerApiVersions, isKafka4OrNewer } from './brokerApiVersions.js';
import { murmur2Partitioner } from './murmur2Partitioner.js';
import type { Bus, BusConsumer, BusProducer, BusRecord, ConsumedBatch, BusOptions } from './types.js';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The `code` of the warning the kafkajs bus logs when its broker is Kafka 4 or newer. */
export const KAFKAJS_ON_KAFKA4 = 'KAFKAJS_ON_KAFKA4';

export function createKafkaBus(o: BusOptions): Bus {
  const log = o.logger.child({ component: 'kafka' });
  const kafka = new Kafka({
    clientId: o.clientId,
    brokers: o.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => (e: LogEntry) => {
      const { message, ...rest } = e.log;
      // Known, expected notices: our own retry loop sits on top of kafkajs's (see batchingProducer).
      const level = /^Limiting retries for the idempotent producer/.test(message) ? 'debug' : (LEVELS[e.level] ?? 'info');
      log[level]({ namespace: e.namespace, ...rest }, message);
    },
    // kafkajs's own retry for requests (backoff with jitter); our callers retry on top.
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
  });
  // One admin connection, also for callers that ask at once (ensureTopics twice in parallel).
  let admin: Promise<Admin> | undefined;
  const getAdmin = () => (admin ??= (async () => {
    const a = kafka.admin();
    await a.connect();
    await warnOnKafka4();
    return a;
  })().catch((err) => {
    admin = undefined;
    throw err;
  }));

  // kafkajs 2.2.4 is made for Kafka up to 3.x. On 4.x it still finds protocol versions the
  // broker serves (the bus tests pass there), but nothing upstream tests it: say so, once,
  // on the first admin connection (ensureTopics, which the services call first).
  let versionChecked = false;
  const warnOnKafka4 = async () => {
    if (versionChecked) return;
    versionChecked = true;
    const apis = await brokerApiVersions(o.brokers[0]!).catch(() => undefined); // unanswered: the bus's own requests fail with their errors
    if (apis && isKafka4OrNewer(apis)) {
      log.warn({ code: KAFKAJS_ON_KAFKA4, broker: o.brokers[0] }, 'KAFKA_CLIENT=kafkajs on Kafka 4 or newer: kafkajs 2.2.4 is made for Kafka 3.x and unmaintained; use KAFKA_CLIENT=platformatic');
    }
  };

  return {
    kind: 'kafka',
    async close() {
      const a = admin;
      admin = undefined;
      await (await a?.catch(() => undefined))?.disconnect();
    },

    async ensureTopics(topics) {
      const a = await getAdmin();
      const existing = new Set(await a.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      // Two services starting together both try to create: "already exists" is success.
      await a.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: o.partitions,
          replicationFactor: -1, // the broker's default.replication.factor
          configEntries:
            topic === o.deadLetterTopic && o.deadLetterRetentionMs
              ? [{ name: 'retention.ms', value: String(o.deadLetterRetentionMs) }]
              : [],
        })),
      }).catch(async (err) => {
        const now = new Set(await a.listTopics());
        if (!missing.every((t) => now.has(t))) throw err;
      });
      log.info({ topics: missing }, 'created topics');
    },

    async partitionCount(topic) {
      const a = await getAdmin();
      const { topics } = await a.fetchTopicMetadata({ topics: [topic] });
      return topics[0]!.partitions.length;
    },

    producer({ idempotent = true } = {}): BusProducer {
      // Idempotent: the broker drops a retried batch it already has (no duplicates from
      // producer retries); it implies acks from all in-sync replicas and one request in flight.
      const p = kafka.producer({
        idempotent,
        maxInFlightRequests: idempotent ? 1 : 5,
        allowAutoTopicCreation: false,
        // murmur2 on the key, as the Java client: one device always lands on one partition.
        createPartitioner: murmur2Partitioner,
      });
      return {
        connect: () => p.connect(),
        disconnect: () => p.disconnect(),
        async send(records) {
          // The records themselves are kafkajs messages (key, value; `topic` is ignored).
          const byTopic = new Map<string, BusRecord[]>();
          for (const r of records) {
            let list = byTopic.get(r.topic);
            if (!list) byTopic.set(r.topic, (list = []));
            list.push(r);
          }
          await p.sendBatch({
            acks: -1,
            compression: CompressionTypes.None,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
        },
      };
    },

    consumer(groupId): BusConsumer {
      const c = kafka.consumer({
        groupId,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        // ~5,000 readings per partition and fetch: enough to keep the write pipeline busy,
        // little enough that a fetched batch waiting for room costs few MB.
        maxBytesPerPartition: 2 * 1024 * 1024,
        // Kafka's fetch.min.bytes / fetch.max.wait.ms: the broker answers once 256 kB are
        // there or after 100 ms. The writer hands a fetch to its write pipeline at once; with
        // minBytes 1 a moderate stream became hundreds of tiny InfluxDB writes per second
        // (p50 latency 2.5 s at 5,000 readings/s in the bench, against 50 ms before).
        minBytes: 256 * 1024,
        maxWaitTimeInMs: 100,
        allowAutoTopicCreation: false,
      });
      let subscribed: string | undefined;
      return {
        connect: () => c.connect(),
        async run(topic, eachBatch) {
          subscribed = topic;
          await c.subscribe({ topics: [topic], fromBeginning: true });
          await c.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            // Partitions are committed independently: handle them side by side, so one
            // partition's store round trip does not wait for another's.
            partitionsConsumedConcurrently: o.partitions,
            eachBatch: async ({ batch, heartbeat, resolveOffset, isRunning, isStale }) => {
              // The closures below must not hold `batch` (all fetched records): the writer
              // keeps `commit` until the records are stored.
              const { topic, partition } = batch;
              const b: ConsumedBatch = {
                topic,
                partition,
                messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key?.toString() ?? null, value: m.value })),
                heartbeat,
                isRunning: () => isRunning() && !isStale(),
                // Durable progress; may run after eachBatch returned (the writer commits
                // once the store acknowledged, while the next batches are fetched).
                async commit(offset) {
                  await c.commitOffsets([{ topic, partition, offset: String(BigInt(offset) + 1n) }]);
                },
              };
              await eachBatch(b);
              // The fetch position moves on (autoCommit is off: this commits nothing). A
              // batch that threw is not resolved, so kafkajs fetches it again.
              const last = batch.messages[batch.messages.length - 1];
              if (last && isRunning() && !isStale()) resolveOffset(last.offset);
            },
          });
        },
        disconnect: () => c.disconnect(),
        async lag() {
          if (!subscribed) return 0;
          const a = await getAdmin();
          const [heads, committed] = await Promise.all([
            a.fetchTopicOffsets(subscribed),
            a.fetchOffsets({ groupId, topics: [subscribed] }),
          ]);
          const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
          let lag = 0n;
          for (const h of heads) {
            const c0 = done.get(h.partition) ?? -1n;
            const low = BigInt(h.low);
            const from = c0 < 0n ? low : c0;
            lag += BigInt(h.high) - from;
          }
          return Number(lag);
        },
      };
    },
  };
}

