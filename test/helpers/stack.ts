import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB } from '@influxdata/influxdb-client';
import { Kafka, logLevel } from 'kafkajs';
import { isCompactRecord, readingJson, recordReadings } from '../../services/core/readingRecords.js';

/**
 * Where the native stack listens: deploy/stack/lib.sh's defaults, or the same
 * STACK_*_PORT variables it reads (a second stack on other ports).
 */
const port = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const stackRun = process.env.KLIMATPULS_STACK_RUN ?? join(process.env.KLIMATPULS_STACK_HOME ?? join(homedir(), '.cache/klimatpuls/stack'), 'run');
/** The pipeline user's password file of the stack's 1883 listener (deploy/stack/stack.sh). */
const mqttPasswordFile = join(stackRun, 'mosquitto', 'pipeline.password');
function pipelineAuth(): { username?: string; password?: string } {
  try {
    return { username: 'klimatpuls', password: readFileSync(mqttPasswordFile, 'utf8').trim() };
  } catch {
    return {}; // a stack started before the pipeline user existed: anonymous, as it was
  }
}
export const STACK = {
  mqttUrl: `mqtt://127.0.0.1:${port('STACK_MQTT_PORT', 1883)}`,
  /** Credentials every client of the pipeline listener (1883) must give: spread into mqtt.connect options. */
  mqttAuth: pipelineAuth(),
  mqttPasswordFile,
  /** The same as config variables (MQTT_USERNAME, MQTT_PASSWORD_FILE), for a gateway's environment. */
  mqttEnv: (pipelineAuth().username ? { MQTT_USERNAME: 'klimatpuls', MQTT_PASSWORD_FILE: mqttPasswordFile } : {}) as Record<string, string>,
  kafka: `127.0.0.1:${port('STACK_KAFKA_PORT', 9092)}`,
  /** The Kafka 3.x beside it for the kafkajs bus (deploy/stack/kafka3.sh). */
  kafka3: `127.0.0.1:${port('STACK_KAFKA3_PORT', 9094)}`,
  influxUrl: `http://127.0.0.1:${port('STACK_INFLUX_PORT', 8086)}`,
  mqttPort: port('STACK_MQTT_PORT', 1883),
  kafkaPort: port('STACK_KAFKA_PORT', 9092),
  influxPort: port('STACK_INFLUX_PORT', 8086),
  influxToken: process.env.STACK_INFLUX_TOKEN ?? 'klimatpuls-dev-token',
  influxOrg: process.env.STACK_INFLUX_ORG ?? 'klimatpuls',
};

/** A slug unique to this test run: tenant, topics and bucket names derive from it. */
export function runId(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * The environment of a gateway and writer of their own for run `id`: topics
 * <prefix>.<id>.*, group writer-<id>, client gw-<id>, bucket <prefix>-<id>, on the
 * stack (prefix `test` for the tests, `bench` for the benchmark).
 */
/** The operator token the spawned services accept (OPERATOR_TOKEN) for /metrics and /api/readings/latest. */
export const TEST_OPERATOR_TOKEN = 'klimatpuls-test-operator-token-0123456789';
export const OPERATOR_HEADERS = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

export function pipelineEnv(id: string, extra: Record<string, string> = {}, prefix = 'test') {
  return {
    OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
    MQTT_URL: STACK.mqttUrl,
    ...STACK.mqttEnv,
    MQTT_CLIENT_ID: `gw-${id}`,
    KAFKA_BROKERS: STACK.kafka,
    READINGS_TOPIC: `${prefix}.${id}.readings`,
    DEADLETTER_TOPIC: `${prefix}.${id}.deadletter`,
    WRITER_GROUP_ID: `writer-${id}`,
    INFLUX_URL: STACK.influxUrl,
    INFLUX_TOKEN: STACK.influxToken,
    INFLUX_ORG: STACK.influxOrg,
    INFLUX_BUCKET: `${prefix}-${id}`,
    LOG_LEVEL: 'warn',
    // The Kafka client under test (platformatic by default | kafkajs): `KAFKA_CLIENT=kafkajs npm run test:faults` on a Kafka 3.x stack
    ...(process.env.KAFKA_CLIENT ? { KAFKA_CLIENT: process.env.KAFKA_CLIENT } : {}),
    ...extra,
  };
}

export function writeRegistry(devices: Array<{ id: string; tenant: string; kind: string; site?: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-test-'));
  const file = join(dir, 'registry.json');
  writeFileSync(file, JSON.stringify({ devices }));
  return file;
}

async function influxApi(path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${STACK.influxUrl}${path}`, {
    ...init,
    headers: { Authorization: `Token ${STACK.influxToken}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
  if (!res.ok) throw new Error(`InfluxDB ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

export async function createBucket(name: string): Promise<void> {
  const orgs = await influxApi(`/api/v2/orgs?org=${encodeURIComponent(STACK.influxOrg)}`);
  const orgID = orgs.orgs[0].id;
  await influxApi('/api/v2/buckets', { method: 'POST', body: JSON.stringify({ orgID, name, retentionRules: [] }) });
}

export async function deleteBucket(name: string): Promise<void> {
  const b = await influxApi(`/api/v2/buckets?name=${encodeURIComponent(name)}&org=${encodeURIComponent(STACK.influxOrg)}`);
  for (const bucket of b.buckets ?? []) await influxApi(`/api/v2/buckets/${bucket.id}`, { method: 'DELETE' });
}

export async function writeLines(bucket: string, lines: string[], precision = 'ms'): Promise<void> {
  const res = await fetch(`${STACK.influxUrl}/api/v2/write?org=${STACK.influxOrg}&bucket=${bucket}&precision=${precision}`, {
    method: 'POST',
    headers: { Authorization: `Token ${STACK.influxToken}` },
    body: lines.join('\n'),
  });
  if (!res.ok) throw new Error(`write: ${res.status} ${await res.text()}`);
}

export async function queryRows(flux: string): Promise<Record<string, any>[]> {
  return new InfluxDB({ url: STACK.influxUrl, token: STACK.influxToken }).getQueryApi(STACK.influxOrg).collectRows(flux);
}

/** Number of stored values in a bucket's measurement. */
export async function countPoints(bucket: string, measurement = 'readings', field?: string, start = '0'): Promise<number> {
  const f = field ? ` and r._field == "${field}"` : '';
  const rows = await queryRows(`from(bucket: "${bucket}") |> range(start: ${start}) |> filter(fn: (r) => r._measurement == "${measurement}"${f})
    |> count() |> group() |> sum()`);
  return rows.length === 0 ? 0 : Number(rows[0]!._value);
}

export async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/**
 * Every record of a topic, from the beginning up to its end as of now (the high
 * watermark of each partition when called), or until `count` records arrived.
 * Waiting for the end rather than a count means a test also sees records it did
 * not expect, without sleeping. A packed readings record yields one entry per reading.
 */
export async function readTopic(topic: string, count = Infinity, timeoutMs = 30_000): Promise<Array<{ key: string | null; value: string }>> {
  const kafka = new Kafka({ clientId: 'test-reader', brokers: [STACK.kafka], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const out: Array<{ key: string | null; value: string }> = [];
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (pending.size === 0) return out;
  const consumer = kafka.consumer({ groupId: runId('reader') });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      // a v2 or v3 readings record (services/core/readingRecords.ts) is one entry per reading, as its v1 JSON
      const key = message.key?.toString() ?? null;
      const compact = isCompactRecord(message.value);
      for (const v of recordReadings(message.value)) out.push({ key, value: v ? readingJson(v, compact) : '' });
      if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) pending.delete(partition);
      if (pending.size === 0 || out.length >= count) done();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return out;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Ends a test gateway's persistent MQTT session (clean session on connect), so the
 * broker stops queueing messages for a client that will never come back.
 */
export async function discardSession(clientId: string): Promise<void> {
  const { default: mqtt } = await import('mqtt');
  const c = await mqtt.connectAsync(STACK.mqttUrl, { ...STACK.mqttAuth, clientId, clean: true, reconnectPeriod: 0 });
  await c.endAsync();
}
