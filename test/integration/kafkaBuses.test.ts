import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBus } from '../../services/app/components.js';
import { brokerApiVersions, isKafka4OrNewer } from '../../services/bus/brokerApiVersions.js';
import { KAFKAJS_ON_KAFKA4 } from '../../services/bus/kafkaBus.js';
import { partitionOfKey } from '../../services/bus/murmur2.js';
import type { Bus, BusConsumer, ConsumedBatch } from '../../services/bus/types.js';
import { loadConfig } from '../../services/core/config.js';
import { createLogger } from '../../services/core/logger.js';
import { STACK, runId, waitFor } from '../helpers/stack.js';

/**
 * The bus contract (services/bus/types.ts) on both clients (KAFKA_CLIENT), each on the
 * Kafka it is for: platformatic (the default) on the stack's Kafka 4, kafkajs on the
 * Kafka 3 beside it (deploy/stack/kafka3.sh): topics, keys on Java's murmur2 partitions,
 * commits only by commit() (at-least-once), a failed batch delivered again, one batch per
 * partition at a time, the group's progress kept across members and rebalances, lag.
 */
type Client = 'kafkajs' | 'platformatic';
const CASES: Array<[Client, string, string]> = [
  ['platformatic', 'the stack\'s Kafka 4', STACK.kafka],
  ['kafkajs', 'Kafka 3', STACK.kafka3],
];
const logger = createLogger('error');
const buses: Bus[] = [];
const consumers: BusConsumer[] = [];
afterAll(async () => {
  for (const c of consumers) await c.disconnect().catch(() => {});
  for (const b of buses) await b.close().catch(() => {});
});

function busOf(client: Client, broker: string, log = logger): Bus {
  const bus = buildBus(loadConfig({ KAFKA_BROKERS: broker, KAFKA_CLIENT: client, KAFKA_PARTITIONS: '3', LOG_LEVEL: 'error' }), log);
  buses.push(bus);
  return bus;
}

async function produce(bus: Bus, topic: string, keys: string[], tag = 'v'): Promise<void> {
  const p = bus.producer({ idempotent: true });
  await p.connect();
  await p.send(keys.map((key, i) => ({ topic, key, value: i % 2 ? Buffer.from(`${tag}${i}`) : `${tag}${i}` })));
  await p.disconnect();
}

interface Seen { partition: number; offset: bigint; key: string | null; value: string }

/** A group member recording every delivered message; `handle` decides per batch (default: commit). */
async function member(bus: Bus, topic: string, group: string, seen: Seen[], handle?: (b: ConsumedBatch) => Promise<void>): Promise<BusConsumer> {
  const c = bus.consumer(group);
  consumers.push(c);
  await c.connect();
  await c.run(topic, async (b) => {
    for (const m of b.messages) seen.push({ partition: b.partition, offset: BigInt(m.offset), key: m.key, value: m.value?.toString() ?? '' });
    if (handle) return handle(b);
    await b.commit(b.messages[b.messages.length - 1]!.offset);
  });
  return c;
}

const keys = Array.from({ length: 300 }, (_, i) => `tenant${i % 7}/device-${i}`);

describe.each(CASES)('bus on %s against %s', (client, _kafka, broker) => {
  it('creates topics once (also when asked twice at once) and puts each key on its murmur2 partition', async () => {
    const bus = busOf(client, broker);
    const topic = `test.${runId('bus')}.readings`;
    await Promise.all([bus.ensureTopics([topic]), bus.ensureTopics([topic])]);
    await bus.ensureTopics([topic]);
    await produce(bus, topic, keys);
    const seen: Seen[] = [];
    const c = await member(bus, topic, `g-${runId()}`, seen);
    await waitFor('all messages', async () => seen.length, (n) => n >= keys.length);
    expect(new Set(seen.map((s) => s.value)).size).toBe(keys.length);
    for (const s of seen) expect(s.partition).toBe(partitionOfKey(Buffer.from(s.key!), 3));
    expect(new Set(seen.map((s) => s.partition))).toEqual(new Set([0, 1, 2]));
    await waitFor('lag 0', () => c.lag(), (n) => n === 0);
  });

  it('tells a topic\'s partition count and puts a record on the partition it names (packed readings records)', async () => {
    const bus = busOf(client, broker);
    const topic = `test.${runId('bus')}.readings`;
    await bus.ensureTopics([topic]);
    expect(await bus.partitionCount!(topic)).toBe(3);
    const p = bus.producer({ idempotent: true });
    await p.connect();
    // the key alone would place each elsewhere for some of them: the named partition wins
    await p.send(keys.slice(0, 30).map((key, i) => ({ topic, key, value: `p${i}`, partition: i % 3 })));
    await p.disconnect();
    const seen: Seen[] = [];
    await member(bus, topic, `g-${runId()}`, seen);
    await waitFor('all messages', async () => seen.length, (n) => n >= 30);
    for (const s of seen) expect(s.partition).toBe(Number(s.value.slice(1)) % 3);
  });

  it('delivers a failed batch again, and what was not committed to the next member of the group', async () => {
    const bus = busOf(client, broker);
    const topic = `test.${runId('bus')}.readings`;
    await bus.ensureTopics([topic]);
    await produce(bus, topic, keys);
    const group = `g-${runId()}`;
    const seen: Seen[] = [];
    let failed = false;
    // Fails its first batch; afterwards handles everything but commits only partition 0.
    const first = await member(bus, topic, group, seen, async (b) => {
      if (!failed) {
        failed = true;
        throw new Error('injected handler failure');
      }
      if (b.partition === 0) await b.commit(b.messages[b.messages.length - 1]!.offset);
    });
    const expected = keys.map((_, i) => `v${i}`);
    await waitFor('every message once handled', async () => new Set(seen.map((s) => s.value)).size, (n) => n === keys.length);
    // Per partition, one batch at a time and in order (a failed one starts again lower).
    for (const p of [0, 1, 2]) {
      const offsets = seen.filter((s) => s.partition === p).map((s) => s.offset);
      const starts = offsets.filter((o, i) => i > 0 && o <= offsets[i - 1]!).length;
      expect(starts).toBeLessThanOrEqual(1);
    }
    const onP0 = keys.filter((k) => partitionOfKey(Buffer.from(k), 3) === 0).length;
    await waitFor('lag of partitions 1 and 2', () => first.lag(), (n) => n === keys.length - onP0);
    await first.disconnect();

    const again: Seen[] = [];
    const second = await member(bus, topic, group, again);
    await waitFor('the uncommitted partitions', async () => again.length, (n) => n >= keys.length - onP0);
    expect(again.every((s) => s.partition !== 0)).toBe(true);
    expect(new Set([...again, ...seen.filter((s) => s.partition === 0)].map((s) => s.value))).toEqual(new Set(expected));
    await waitFor('lag 0', () => second.lag(), (n) => n === 0);
  });

  it('hands one batch of a partition at a time: the next waits until the handler returned', async () => {
    const bus = busOf(client, broker);
    const topic = `test.${runId('bus')}.readings`;
    await bus.ensureTopics([topic]);
    const group = `g-${runId()}`;
    const seen: Seen[] = [];
    const active = new Map<number, number>();
    let maxActive = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = await member(bus, topic, group, seen, async (b) => {
      active.set(b.partition, (active.get(b.partition) ?? 0) + 1);
      maxActive = Math.max(maxActive, active.get(b.partition)!);
      await gate;
      active.set(b.partition, active.get(b.partition)! - 1);
      await b.commit(b.messages[b.messages.length - 1]!.offset);
    });
    await produce(bus, topic, keys.slice(0, 30), 'a');
    await waitFor('a first batch', async () => seen.length, (n) => n > 0);
    await produce(bus, topic, keys.slice(0, 30), 'b');
    // The second round is on the broker (and fetched, or about to be) while every first batch is held.
    await waitFor('second round on the broker', () => c.lag(), (n) => n >= 30);
    release();
    await waitFor('both rounds', async () => new Set(seen.map((s) => s.value)).size, (n) => n === 60);
    await waitFor('lag 0', () => c.lag(), (n) => n === 0);
    expect(maxActive).toBe(1);
  });

  it('splits the partitions between two members and loses nothing when one joins', async () => {
    const bus = busOf(client, broker);
    const topic = `test.${runId('bus')}.readings`;
    await bus.ensureTopics([topic]);
    const group = `g-${runId()}`;
    const seen: Seen[] = [];
    const a = await member(bus, topic, group, seen);
    await produce(bus, topic, keys, 'x');
    await waitFor('first round', async () => new Set(seen.map((s) => s.value)).size, (n) => n === keys.length);
    const b = await member(bus, topic, group, seen);
    await produce(bus, topic, keys, 'y');
    await waitFor('second round', async () => new Set(seen.map((s) => s.value)).size, (n) => n === 2 * keys.length);
    await waitFor('lag 0', () => b.lag(), (n) => n === 0);
    await a.disconnect();
    await produce(bus, topic, keys, 'z');
    await waitFor('third round, on the member left', async () => new Set(seen.map((s) => s.value)).size, (n) => n === 3 * keys.length);
    await waitFor('lag 0', () => b.lag(), (n) => n === 0);
  });
});

describe('both clients on one topic (Kafka 3, which both speak)', () => {
  it('place a device on the same partition: kafkajs produces, platformatic consumes and the other way round', async () => {
    const [kj, pl] = [busOf('kafkajs', STACK.kafka3), busOf('platformatic', STACK.kafka3)];
    const topic = `test.${runId('bus')}.readings`;
    await pl.ensureTopics([topic]);
    await produce(kj, topic, keys, 'k');
    await produce(pl, topic, keys, 'p');
    const seen: Seen[] = [];
    await member(pl, topic, `g-${runId()}`, seen);
    await waitFor('both producers', async () => seen.length, (n) => n >= 2 * keys.length);
    const byValue = new Map(seen.map((s) => [s.value, s.partition]));
    keys.forEach((_, i) => expect(byValue.get(`k${i}`)).toBe(byValue.get(`p${i}`)));
    const other: Seen[] = [];
    await member(kj, topic, `g-${runId()}`, other);
    await waitFor('read by kafkajs', async () => other.length, (n) => n >= 2 * keys.length);
    for (const s of other) expect(s.partition).toBe(byValue.get(s.value));
  });
});

describe('the kafkajs bus on Kafka 4', () => {
  /** A kafkajs bus whose log lines (JSON) are kept. */
  function loggedBus(broker: string): { bus: Bus; lines: Array<Record<string, unknown>> } {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
    return { bus: busOf('kafkajs', broker, createLogger('warn', sink)), lines };
  }

  it('tells a Kafka 4 broker (the stack\'s) from a Kafka 3 one (kafka3.sh) by its API versions', async () => {
    expect(isKafka4OrNewer(await brokerApiVersions(STACK.kafka)), `the stack's Kafka on ${STACK.kafka} is not 4.x: deploy/README.md says how to move it`).toBe(true);
    expect(isKafka4OrNewer(await brokerApiVersions(STACK.kafka3))).toBe(false);
  });

  it(`warns (${KAFKAJS_ON_KAFKA4}) that kafkajs is made for Kafka 3.x, and works; not on Kafka 3`, async () => {
    const on4 = loggedBus(STACK.kafka);
    const on3 = loggedBus(STACK.kafka3);
    const topic = `test.${runId('bus')}.readings`;
    for (const { bus } of [on4, on3]) {
      await bus.ensureTopics([topic]);
      await produce(bus, topic, keys.slice(0, 10));
    }
    // logged by the first ensureTopics, before it returned
    const warnings = on4.lines.filter((l) => l.code === KAFKAJS_ON_KAFKA4);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('KAFKA_CLIENT=platformatic');
    const seen: Seen[] = [];
    await member(on4.bus, topic, `g-${runId()}`, seen);
    await waitFor('read on Kafka 4', async () => seen.length, (n) => n >= 10);
    expect(on3.lines.filter((l) => l.code === KAFKAJS_ON_KAFKA4)).toEqual([]);
  });
});
