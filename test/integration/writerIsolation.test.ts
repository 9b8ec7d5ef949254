import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildBus, buildStore, buildWriter } from '../../services/app/components.js';
import type { Bus } from '../../services/bus/types.js';
import { loadConfig } from '../../services/core/config.js';
import { createLogger } from '../../services/core/logger.js';
import { readingId, type CanonicalReading } from '../../services/core/reading.js';
import { Telemetry } from '../../services/core/telemetry.js';
import type { Writer } from '../../services/writer/writer.js';
import { STACK, countPoints, createBucket, deleteBucket, pipelineEnv, queryRows, readTopic, runId, waitFor, writeLines } from '../helpers/stack.js';

/**
 * InfluxDB rejects points whose field type conflicts with what the shard already
 * holds. The writer must split the batch until it isolates exactly those points,
 * dead-letter them, write everything else, and dead-letter a record on the
 * readings topic that is not a reading at all.
 */
const id = runId('iso');
const env = pipelineEnv(id, { LOG_LEVEL: 'error' }); // the writer alone: its MQTT part is unused
const bucket = env.INFLUX_BUCKET;
let bus: Bus;
let writer: Writer;

beforeAll(async () => {
  await createBucket(bucket);
  const c = loadConfig(env);
  const logger = createLogger('error');
  bus = buildBus(c, logger);
  writer = buildWriter(c, { bus, store: await buildStore(c), logger, telemetry: new Telemetry({ defaultMetrics: false }) });
});

afterAll(async () => {
  await writer?.stop();
  await bus?.close();
  if (!process.env.KEEP_BUCKET) await deleteBucket(bucket).catch(() => {});
});

function reading(i: number, metric: 'power' | 'energy_total', at: number): CanonicalReading {
  const base = { tenant: 'iso', deviceId: `m${i % 10}`, metric, observedAt: new Date(at).toISOString() } as const;
  return {
    id: readingId(base), ...base, kind: 'electricity_meter', value: i, unit: metric === 'power' ? 'kW' : 'kWh',
    receivedAt: new Date().toISOString(), source: { format: 'native', decoderVersion: '1.0.0', topic: 'klimatpuls/iso/x/up' },
  };
}

it('isolates the points InfluxDB rejects, writes the rest, dead-letters both kinds of bad record', async () => {
  // `power` becomes a string field in the week of 2024-01-08 (one shard group).
  const conflictWeek = Date.parse('2024-01-09T00:00:00Z');
  await writeLines(bucket, [`readings,tenant=iso,device=seed,kind=electricity_meter power="not a number" ${conflictWeek}`]);

  const good: CanonicalReading[] = [];
  const conflicting: CanonicalReading[] = [];
  for (let i = 0; i < 3000; i++) {
    const inConflictWeek = i % 500 === 7; // 6 of 3000
    if (inConflictWeek) conflicting.push(reading(i, 'power', conflictWeek + i * 1000));
    else good.push(reading(i, i % 2 ? 'power' : 'energy_total', Date.parse('2024-03-01T00:00:00Z') + i * 1000));
  }
  const all = [...good, ...conflicting].sort((a, b) => a.observedAt.localeCompare(b.observedAt));
  const kafka = new Kafka({ clientId: 'test', brokers: [STACK.kafka], logLevel: logLevel.NOTHING });
  await bus.ensureTopics([env.READINGS_TOPIC, env.DEADLETTER_TOPIC]);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: env.READINGS_TOPIC, messages: [...all.map((r) => ({ key: r.deviceId, value: JSON.stringify(r) })), { key: 'x', value: 'this is not a reading' }] });
  await producer.disconnect();

  await writer.start();
  // Counted from February: Flux cannot merge the string `power` of the conflict week
  // with the float `power` of March in one table (InfluxDB keeps types per shard).
  await waitFor('good points', () => countPoints(bucket, 'readings', undefined, '2024-02-01T00:00:00Z'), (n) => n >= good.length, 60_000);
  const dead = await waitFor('the dead letters', () => readTopic(env.DEADLETTER_TOPIC), (r) => r.length >= conflicting.length + 1, 30_000);
  const letters = dead.map((d) => JSON.parse(d.value));
  expect(letters.filter((l) => l.reason === 'store_rejected')).toHaveLength(conflicting.length);
  expect(letters.filter((l) => l.reason === 'bad_record')).toHaveLength(1);
  const rejectedIds = letters.filter((l) => l.reason === 'store_rejected').map((l) => JSON.parse(Buffer.from(l.payloadBase64, 'base64').toString()).id).sort();
  expect(rejectedIds).toEqual(conflicting.map((r) => r.id).sort());
  expect(letters.find((l) => l.reason === 'store_rejected').message).toMatch(/InfluxDB rejected/);

  const rows = await queryRows(`from(bucket: "${bucket}") |> range(start: 2024-02-01T00:00:00Z) |> filter(fn: (r) => r._measurement == "readings")`);
  expect(rows).toHaveLength(good.length);
  expect(rows.map((r) => Number(r._value)).sort((a, b) => a - b)).toEqual(good.map((r) => r.value).sort((a, b) => a - b));
});
