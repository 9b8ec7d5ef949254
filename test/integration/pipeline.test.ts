import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBus, buildGateway, buildRegistry, buildStore, buildWriter } from '../../services/app/components.js';
import type { Bus } from '../../services/bus/types.js';
import { loadConfig } from '../../services/core/config.js';
import { createLogger } from '../../services/core/logger.js';
import { Telemetry } from '../../services/core/telemetry.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import type { Writer } from '../../services/writer/writer.js';
import { STACK, discardSession, countPoints, createBucket, deleteBucket, queryRows, readTopic, runId, waitFor, writeRegistry, pipelineEnv } from '../helpers/stack.js';

/**
 * MQTT (Mosquitto) → gateway → Kafka → writer → InfluxDB, all real. Asserts the
 * exact points stored, and that bad payloads end in the dead-letter topic with
 * the right reason while the gateway keeps running.
 */
const id = runId('pipe');
const tenant = id;
const bucket = `test-${id}`;
const devices = Array.from({ length: 5 }, (_, i) => ({ id: `${id}-meter-${i}`, tenant, kind: 'electricity_meter', site: `house-${i}` }));
const env = pipelineEnv(id, {
  DECODER_ROUTES: `klimatpuls/${tenant}/+/up=native`,
  REGISTRY_FILE: writeRegistry(devices),
});

let bus: Bus;
let gateway: Gateway;
let writer: Writer;
const base = Date.parse('2025-03-01T00:00:00Z');

beforeAll(async () => {
  await createBucket(bucket);
  const c = loadConfig(env);
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
  await discardSession(env.MQTT_CLIENT_ID).catch(() => {});
});

describe('pipeline against the real stack', () => {
  it('stores exactly what was published, and redelivered readings overwrite themselves', async () => {
    const client = await mqtt.connectAsync(STACK.mqttUrl, { ...STACK.mqttAuth, clientId: `pub-${id}` });
    const expected = new Map<string, number>(); // device|field|time -> value
    for (let i = 0; i < 200; i++) {
      const d = devices[i % devices.length]!;
      const t = base + i * 60_000;
      const energy = 1000 + i * 1.25;
      const power = i % 7;
      expected.set(`${d.id}|energy_total|${t}`, energy);
      expected.set(`${d.id}|power|${t}`, power);
      await client.publishAsync(
        `klimatpuls/${tenant}/${d.id}/up`,
        // energy in Wh: the gateway converts to kWh; power in kW as is
        JSON.stringify({ time: new Date(t).toISOString(), readings: [{ metric: 'energy_total', value: energy * 1000, unit: 'Wh' }, { metric: 'power', value: power }] }),
        { qos: 1 },
      );
    }
    // The same 20 messages again (a LoRaWAN-style duplicate): stored once.
    for (let i = 0; i < 20; i++) {
      const d = devices[i % devices.length]!;
      const t = base + i * 60_000;
      await client.publishAsync(`klimatpuls/${tenant}/${d.id}/up`,
        JSON.stringify({ time: new Date(t).toISOString(), readings: [{ metric: 'energy_total', value: (1000 + i * 1.25) * 1000, unit: 'Wh' }, { metric: 'power', value: i % 7 }] }),
        { qos: 1 });
    }
    await client.endAsync();

    await waitFor('400 points in InfluxDB', () => countPoints(bucket), (n) => n >= expected.size);
    await new Promise((r) => setTimeout(r, 1500)); // let any duplicate land before counting again
    const rows = await queryRows(`from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "readings")`);
    const stored = new Map(rows.map((r) => [`${r.device}|${r._field}|${Date.parse(r._time)}`, Number(r._value)]));
    expect(rows.length).toBe(expected.size);
    expect(stored).toEqual(expected);
    // tags come from the registry
    const first = rows.find((r) => r.device === devices[0]!.id)!;
    expect(first).toMatchObject({ tenant, kind: 'electricity_meter', site: 'house-0' });
  });

  it('dead-letters bad payloads with reason, field and raw payload, and keeps running', async () => {
    const client = await mqtt.connectAsync(STACK.mqttUrl, { ...STACK.mqttAuth, clientId: `pub-bad-${id}` });
    const d = devices[0]!.id;
    const bad: Array<[string, string, string, string]> = [
      [`klimatpuls/${tenant}/${d}/up`, '{"readings": [', 'not_json', '(payload)'],
      [`klimatpuls/${tenant}/${id}-ghost/up`, JSON.stringify({ readings: [{ metric: 'energy_total', value: 1 }] }), 'unknown_device', 'device'],
      [`klimatpuls/${tenant}/${d}/up`, JSON.stringify({ readings: [{ metric: 'energy_total', value: -3, unit: 'kWh' }] }), 'implausible_value', 'readings[0].value'],
      [`klimatpuls/${tenant}/${d}/up`, JSON.stringify({ time: '2099-01-01T00:00:00Z', readings: [{ metric: 'power', value: 1 }] }), 'future_time', 'readings[0].time'],
      [`klimatpuls/${tenant}/${d}/up`, JSON.stringify({ readings: [{ metric: 'power', value: '3.5 kW' }] }), 'schema', 'readings[0].value'],
    ];
    for (const [topic, payload] of bad) await client.publishAsync(topic, payload, { qos: 1 });
    // and a good one after them: the gateway is still working
    const t = base + 10_000 * 60_000;
    await client.publishAsync(`klimatpuls/${tenant}/${d}/up`, JSON.stringify({ time: new Date(t).toISOString(), readings: [{ metric: 'power', value: 42 }] }), { qos: 1 });
    await client.endAsync();

    const records = await waitFor('the dead letters', () => readTopic(env.DEADLETTER_TOPIC), (r) => r.length >= bad.length, 30_000);
    expect(records).toHaveLength(bad.length);
    const letters = records.map((r) => JSON.parse(r.value));
    for (const [topic, payload, reason, field] of bad) {
      const dl = letters.find((l) => Buffer.from(l.payloadBase64, 'base64').toString() === payload);
      expect(dl, `dead letter for ${reason}`).toBeDefined();
      expect(dl).toMatchObject({ reason, field, topic, stage: 'gateway', decoder: { name: 'native', version: '1.0.0' } });
      expect(dl.message.length).toBeGreaterThan(3);
    }
    await waitFor('the good reading after the bad ones', () => queryRows(
      `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._field == "power" and r._value == 42.0)`), (r) => r.length === 1);
    // dead letters are archived in InfluxDB too, by reason
    const archived = await waitFor('archived dead letters', () => countPoints(bucket, 'dead_letters', 'count'), (n) => n >= bad.length);
    expect(archived).toBe(bad.length);
  });
});
