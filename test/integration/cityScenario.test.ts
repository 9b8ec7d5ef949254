import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildBus, buildGateway, buildRegistry, buildStore, buildWriter } from '../../services/app/components.js';
import type { Bus } from '../../services/bus/types.js';
import { loadConfig } from '../../services/core/config.js';
import { createLogger } from '../../services/core/logger.js';
import { Telemetry } from '../../services/core/telemetry.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import type { Writer } from '../../services/writer/writer.js';
import type { ExpectedDeadLetter, TruthRecord } from '../../simulators/city/citySimulator.js';
import { loadScenario } from '../../simulators/city/scenario.js';
import { simulateToFolder } from '../../simulators/city/simulateCommand.js';
import { replay } from '../../services/tools/replay.js';
import { DEFAULT_ROUTES } from '../../services/decoders/index.js';
import { STACK, discardSession, countPoints, createBucket, deleteBucket, queryRows, readTopic, runId, waitFor } from '../helpers/stack.js';

/**
 * The CI scenario (simulators/scenarios/ci-small.json) with every fault enabled —
 * duplicates, out-of-order, late batches, counter resets, silent devices, malformed
 * payloads, skewed clocks — replayed through the real stack. What InfluxDB holds
 * must equal the simulator's ground truth (count per device and values), and every
 * injected bad message must be in the dead-letter topic.
 */
const id = runId('city');
const bucket = `test-${id}`;
const out = mkdtempSync(join(tmpdir(), 'klimatpuls-city-'));
let bus: Bus;
let gateway: Gateway;
let writer: Writer;
let deadLetterTopic: string;

const ndjson = <T>(file: string): T[] => readFileSync(join(out, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);

beforeAll(async () => {
  const scenario = { ...loadScenario('simulators/scenarios/ci-small.json'), tenant: id };
  await simulateToFolder(scenario, out, { quiet: true });
  await createBucket(bucket);
  const routes = DEFAULT_ROUTES.map(([filter, name]) => `${filter}=${name}`).join(',');
  const c = loadConfig({
    MQTT_URL: STACK.mqttUrl, ...STACK.mqttEnv, MQTT_CLIENT_ID: `gw-${id}`, DECODER_ROUTES: routes,
    KAFKA_BROKERS: STACK.kafka, READINGS_TOPIC: `test.${id}.readings`, DEADLETTER_TOPIC: `test.${id}.deadletter`, WRITER_GROUP_ID: `writer-${id}`,
    INFLUX_URL: STACK.influxUrl, INFLUX_TOKEN: STACK.influxToken, INFLUX_ORG: STACK.influxOrg, INFLUX_BUCKET: bucket,
    REGISTRY_FILE: join(out, 'registry.json'), LOG_LEVEL: 'error',
  });
  deadLetterTopic = c.DEADLETTER_TOPIC;
  const logger = createLogger(c.LOG_LEVEL);
  const telemetry = new Telemetry({ defaultMetrics: false });
  bus = buildBus(c, logger);
  writer = buildWriter(c, { bus, store: await buildStore(c), logger, telemetry });
  await writer.start();
  gateway = buildGateway(c, { bus, registry: buildRegistry(c), logger, telemetry, mqttUrl: c.MQTT_URL! });
  await gateway.start();
});

afterAll(async () => {
  await gateway?.stop();
  await writer?.stop();
  await bus?.close();
  await deleteBucket(bucket).catch(() => {});
  await discardSession(`gw-${id}`).catch(() => {});
});

it('stores exactly the ground truth of a faulty city stream, and dead-letters exactly the injected bad messages', async () => {
  const truth = ndjson<TruthRecord>('truth.ndjson');
  const expectedDead = ndjson<ExpectedDeadLetter>('expected-deadletters.ndjson');
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  for (const f of ['duplicates', 'out of order', 'late batches', 'counter resets', 'silent device-days', 'malformed', 'clock skew']) expect(summary.faults[f], f).toBeGreaterThan(0);

  const r = await replay({ file: join(out, 'stream.ndjson'), mqttUrl: STACK.mqttUrl, ...STACK.mqttAuth, speed: 0, progress: false });
  expect(r.skipped).toEqual([]);
  await waitFor('the ground truth in InfluxDB', () => countPoints(bucket), (n) => n >= truth.length, 180_000);

  const rows = await queryRows(`from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "readings")`);
  const key = (device: string, metric: string, channel: string | undefined, t: string) => `${device}|${metric}|${channel ?? ''}|${Date.parse(t)}`;
  const stored = new Map(rows.map((x) => [key(x.device, x._field, x.channel, x._time), Number(x._value)]));
  const truthKeys = new Set(truth.map((t) => key(t.deviceId, t.metric, t.channel, t.observedAt)));
  const extra = [...stored.keys()].filter((k) => !truthKeys.has(k));
  expect(extra.slice(0, 8)).toEqual([]);
  expect(rows.length).toBe(truth.length);
  const perDevice = (list: Array<{ d: string }>) => list.reduce((m, x) => m.set(x.d, (m.get(x.d) ?? 0) + 1), new Map<string, number>());
  expect(perDevice(rows.map((x) => ({ d: x.device as string })))).toEqual(perDevice(truth.map((t) => ({ d: t.deviceId }))));
  const wrong: string[] = [];
  for (const t of truth) {
    const v = stored.get(key(t.deviceId, t.metric, t.channel, t.observedAt));
    if (v === undefined || Math.abs(v - t.value) > 1e-9 * Math.max(1, Math.abs(t.value))) wrong.push(`${t.deviceId} ${t.metric} ${t.observedAt}: ${v} != ${t.value}`);
  }
  expect(wrong.slice(0, 5)).toEqual([]);

  const dead = await waitFor('the dead letters', () => readTopic(deadLetterTopic), (r) => r.length >= expectedDead.length, 30_000);
  const got = dead.map((d) => JSON.parse(d.value)).map((d) => `${d.topic} ${d.payloadBase64}`).sort();
  expect(got).toEqual(expectedDead.map((d) => `${d.topic} ${d.payloadBase64}`).sort());
});
