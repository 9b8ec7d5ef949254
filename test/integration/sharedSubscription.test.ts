import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildBus, buildGateway, buildRegistry, buildStore, buildWriter } from '../../services/app/components.js';
import type { Bus } from '../../services/bus/types.js';
import { loadConfig } from '../../services/core/config.js';
import { createLogger } from '../../services/core/logger.js';
import { Telemetry } from '../../services/core/telemetry.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import type { Writer } from '../../services/writer/writer.js';
import { STACK, countPoints, createBucket, deleteBucket, discardSession, runId, waitFor, writeRegistry, pipelineEnv } from '../helpers/stack.js';

/**
 * Scale-out of the gateway (docs/scaling.md): two gateways with their own client ids
 * in one MQTT_SHARE_GROUP, against the real Mosquitto. The broker gives each
 * message to one of them: both take a share, together they take every message
 * once, and InfluxDB holds every reading exactly once.
 */
const id = runId('share');
const tenant = id;
const bucket = `test-${id}`;
const devices = Array.from({ length: 10 }, (_, i) => ({ id: `${id}-m${i}`, tenant, kind: 'electricity_meter' }));
const N = 2000;
const env = pipelineEnv(id, {
  MQTT_SHARE_GROUP: `g-${id}`,
  DECODER_ROUTES: `klimatpuls/${tenant}/+/up=native`,
  REGISTRY_FILE: writeRegistry(devices),
});

let bus: Bus;
let writer: Writer;
const gateways: Array<{ gateway: Gateway; telemetry: Telemetry; clientId: string }> = [];

beforeAll(async () => {
  await createBucket(bucket);
  const c = loadConfig(env);
  const logger = createLogger(c.LOG_LEVEL);
  bus = buildBus(c, logger);
  writer = buildWriter(c, { bus, store: await buildStore(c), logger, telemetry: new Telemetry({ defaultMetrics: false }) });
  await writer.start();
  for (const n of [0, 1]) {
    const clientId = `gw-${id}-${n}`;
    const cn = loadConfig({ ...env, MQTT_CLIENT_ID: clientId });
    const telemetry = new Telemetry({ defaultMetrics: false });
    const gateway = buildGateway(cn, { bus, registry: buildRegistry(cn), logger, telemetry, mqttUrl: cn.MQTT_URL! });
    await gateway.start();
    gateways.push({ gateway, telemetry, clientId });
  }
  await new Promise((r) => setTimeout(r, 500)); // both subscriptions in place
});

afterAll(async () => {
  for (const g of gateways) await g.gateway.stop();
  await writer?.stop();
  await bus?.close();
  await deleteBucket(bucket).catch(() => {});
  for (const g of gateways) await discardSession(g.clientId).catch(() => {});
});

it('two gateways in one share group split the messages, and every reading is stored once', async () => {
  const client = await mqtt.connectAsync(STACK.mqttUrl, { ...STACK.mqttAuth, clientId: `pub-${id}` });
  const base = Date.parse('2025-03-01T00:00:00Z');
  await Promise.all(Array.from({ length: N }, (_, i) => client.publishAsync(
    `klimatpuls/${tenant}/${devices[i % devices.length]!.id}/up`,
    JSON.stringify({ time: new Date(base + i * 1000).toISOString(), readings: [{ metric: 'energy_total', value: i }] }),
    { qos: 1 },
  )));
  await client.endAsync();

  await waitFor(`${N} readings in InfluxDB`, () => countPoints(bucket), (n) => n >= N);
  await new Promise((r) => setTimeout(r, 1000));
  expect(await countPoints(bucket)).toBe(N);
  const taken = await Promise.all(gateways.map(async (g) => (await g.telemetry.messagesReceived.get()).values[0]?.value ?? 0));
  expect(taken[0]! + taken[1]!).toBe(N); // each message to one member only
  expect(Math.min(...taken)).toBeGreaterThan(N / 10); // both took a share
});
