import { Admin, ProduceAcks, Producer, type MessageToProduce } from '@platformatic/kafka';
import { murmur2Bytes } from './murmur2.js';
import { PlatformaticConsumer } from './platformaticConsumer.js';
import { CLIENT_RETRIES, mapped } from './platformaticClient.js';
import type { Bus, BusProducer, BusRecord, BusOptions } from './types.js';

type Value = Buffer | string;

/**
 * The bus on @platformatic/kafka (pure TypeScript, Kafka 3.5-4.x), with the kafkajs
 * bus's semantics (kafkaBus.ts): an idempotent producer with acks from all in-sync
 * replicas, keys placed by Java's murmur2 (a device lands on the same partition with
 * either client), consumer groups committing only what the handler finished
 * (platformaticConsumer.ts), errors as BusErrors with `retriable`.
 */
export function createPlatformaticBus(o: BusOptions): Bus {
  const log = o.logger.child({ component: 'kafka', client: 'platformatic' });
  let admin: Admin | undefined;
  const getAdmin = () => (admin ??= new Admin({ clientId: o.clientId, bootstrapBrokers: o.brokers, ...CLIENT_RETRIES }));

  return {
    kind: 'kafka',
    async close() {
      const a = admin;
      admin = undefined;
      await a?.close().catch(() => {});
    },

    async ensureTopics(topics) {
      const a = getAdmin();
      const existing = new Set(await mapped('list topics', () => a.listTopics()));
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      const create = async (topic: string) => {
        const dead = topic === o.deadLetterTopic && o.deadLetterRetentionMs;
        await a.createTopics({
          topics: [topic],
          partitions: o.partitions,
          replicas: -1, // the broker's default.replication.factor
          configs: dead ? [{ name: 'retention.ms', value: String(o.deadLetterRetentionMs) }] : [],
        });
      };
      // Two services starting together both try to create: "already exists" is success.
      await mapped('create topics', () => Promise.all(missing.map(create))).catch(async (err) => {
        const now = new Set(await mapped('list topics', () => a.listTopics()));
        if (!missing.every((t) => now.has(t))) throw err;
      });
      log.info({ topics: missing }, 'created topics');
    },

    async partitionCount(topic) {
      const m = await mapped('metadata', () => getAdmin().metadata({ topics: [topic] }));
      return m.topics.get(topic)!.partitionsCount;
    },

    producer({ idempotent = true } = {}): BusProducer {
      // Idempotent: the broker drops a retried batch it already has; the client then
      // also waits for all in-sync replicas and keeps one request in flight.
      const p = new Producer<string, Value, string, string>({
        clientId: o.clientId,
        bootstrapBrokers: o.brokers,
        idempotent,
        acks: ProduceAcks.ALL,
        autocreateTopics: false,
        ...CLIENT_RETRIES,
        // murmur2 on the key bytes, as the Java client and kafkaBus's murmur2Partitioner;
        // the client takes it modulo the partition count.
        partitioner: (_message, key) => (key ? murmur2Bytes(key) & 0x7fffffff : 0),
        serializers: {
          key: (k) => (k === undefined ? undefined : Buffer.from(k, 'utf8')),
          value: (v) => (v === undefined ? undefined : typeof v === 'string' ? Buffer.from(v, 'utf8') : v),
        },
      });
      return {
        // The client connects on first use; this checks the brokers answer, as kafkajs's connect does.
        connect: () => mapped('connect', () => p.metadata({ topics: [] })).then(() => undefined),
        disconnect: () => mapped('disconnect', () => p.close()),
        async send(records: BusRecord[]) {
          // A BusRecord is a message to produce already (topic, key, value).
          await mapped('produce', () => p.send({ messages: records as MessageToProduce<string, Value, string, string>[] }));
        },
      };
    },

    consumer(groupId) {
      return new PlatformaticConsumer({ brokers: o.brokers, clientId: o.clientId, groupId, logger: log });
    },
  };
}
