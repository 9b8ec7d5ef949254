import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/memoryBus.js';
import type { Bus, BusConsumer } from '../bus/types.js';
import { deadLetterSchema, type DeadLetter } from '../core/deadLetter.js';
import { createLogger } from '../core/logger.js';
import { canonicalReadingSchema, type CanonicalReading } from '../core/reading.js';
import { Telemetry } from '../core/telemetry.js';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import { EmbeddedBroker } from '../broker/embeddedBroker.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { DecoderRouter } from './routing/decoderRouter.js';
import { Gateway } from './gateway.js';

/* The gateway in-process: the embedded aedes broker, the memory bus, real MQTT clients. */

const logger = createLogger('silent');
const registry = new DeviceRegistry([
  { id: 'el-1', tenant: 'kalmar', kind: 'electricity_meter', site: 'berga', params: {} },
  { id: 'el-2', tenant: 'kalmar', kind: 'electricity_meter', params: {} },
]);
const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
let url: string;
let pub: MqttClient;

beforeAll(async () => {
  url = await broker.start();
  pub = await mqtt.connectAsync(url, { clientId: 'gw-test-publisher', reconnectPeriod: 0 });
});
afterAll(async () => {
  await pub.endAsync(true);
  await broker.stop();
});

function gateway(clientId: string, bus: Bus, drainTimeoutMs = 10_000): Gateway {
  return new Gateway({
    mqttUrl: url, clientId, maxInFlight: 100, readingsTopic: 'readings', deadLetterTopic: 'deadletters',
    maxPayloadBytes: 64 * 1024, maxFutureMs: 300_000, drainTimeoutMs,
    router: new DecoderRouter(DEFAULT_ROUTES), registry, bus, logger, telemetry: new Telemetry({ defaultMetrics: false }),
  });
}

/** Collects what arrives on a memory-bus topic (committing it); `until(n)` waits for n records. */
function collect<T>(bus: Bus, topic: string) {
  const items: T[] = [];
  const waiters: Array<() => void> = [];
  const consumer: BusConsumer = bus.consumer(`test-${topic}`);
  void consumer.run(topic, async (b) => {
    for (const m of b.messages) items.push(JSON.parse(m.value!.toString()) as T);
    await b.commit(b.messages.at(-1)!.offset);
    waiters.splice(0).forEach((w) => w());
  });
  return {
    items,
    consumer,
    async until(n: number) {
      while (items.length < n) await new Promise<void>((r) => waiters.push(r));
    },
  };
}

const msg = (value: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ time: new Date(Date.UTC(2025, 2, 1, 10, value)).toISOString(), readings: [{ metric: 'energy_total', value, unit: 'kWh' }], ...extra });

describe('Gateway', () => {
  it('turns MQTT messages into readings and dead letters on the bus', async () => {
    const bus = createMemoryBus();
    const gw = gateway('gw-happy', bus);
    await gw.start();
    expect(gw.ready).toBe(true);
    const readings = collect<CanonicalReading>(bus, 'readings');
    const dead = collect<DeadLetter>(bus, 'deadletters');

    await pub.publishAsync('klimatpuls/kalmar/el-1/up', msg(1), { qos: 1 });
    await pub.publishAsync('klimatpuls/kalmar/el-2/up', msg(2), { qos: 1 });
    await pub.publishAsync('klimatpuls/kalmar/el-9/up', msg(3), { qos: 1 }); // not registered
    await pub.publishAsync('klimatpuls/kalmar/el-1/up', 'not json', { qos: 1 });
    await readings.until(2);
    await dead.until(2);

    expect(readings.items.map((r) => [r.deviceId, r.value, r.site])).toEqual([['el-1', 1, 'berga'], ['el-2', 2, undefined]]);
    for (const r of readings.items) expect(canonicalReadingSchema.safeParse(r).success).toBe(true);
    expect(dead.items.map((d) => [d.reason, d.topic])).toEqual([
      ['unknown_device', 'klimatpuls/kalmar/el-9/up'],
      ['not_json', 'klimatpuls/kalmar/el-1/up'],
    ]);
    for (const d of dead.items) expect(deadLetterSchema.safeParse(d).success).toBe(true);

    await gw.stop();
    expect(gw.ready).toBe(false);
    await readings.consumer.disconnect();
    await dead.consumer.disconnect();
  });

  it('leaves messages the bus did not accept unacknowledged: after a restart they arrive, the accepted one does not', async () => {
    // A bus that takes one record and then is full, with nobody consuming.
    const stuck = createMemoryBus({ capacity: 1 });
    const gw1 = gateway('gw-restart', stuck, 50);
    await gw1.start();
    await pub.publishAsync('klimatpuls/kalmar/el-1/up', msg(11), { qos: 1 });
    await pub.publishAsync('klimatpuls/kalmar/el-1/up', msg(12), { qos: 1 });
    await pub.publishAsync('klimatpuls/kalmar/el-1/up', msg(13), { qos: 1 });
    // wait until the first one is on the stuck bus
    const probe = stuck.consumer('probe');
    const firstOnBus = new Promise<string>((resolve) => void probe.run('readings', async (b) => resolve(b.messages[0]!.value!.toString())));
    expect((JSON.parse(await firstOnBus) as CanonicalReading).value).toBe(11);
    await gw1.stop(); // the drain gives up: 12 and 13 were never accepted by the bus
    await probe.disconnect();

    const bus = createMemoryBus();
    const readings = collect<CanonicalReading>(bus, 'readings');
    const gw2 = gateway('gw-restart', bus);
    await gw2.start();
    await readings.until(2);
    expect(readings.items.map((r) => r.value)).toEqual([12, 13]);
    await gw2.stop();
    await readings.consumer.disconnect();
  });
});
