import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { installAckGate } from './mqttAckGate.js';

/*
 * The ack gate and the keepalive (issue 13: a paused gateway lost its connection). A real
 * aedes broker and real mqtt.js clients; the store is a handler that never resolves until
 * the test says so. Against the real Mosquitto: test/faults/pausedGateway.test.ts.
 */

let broker: Aedes;
let server: Server;
let url: string;
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await Aedes.createBroker({ id: 'ack-gate-keepalive-test' });
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => {})));
});
afterAll(async () => {
  await new Promise<void>((r) => broker.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A subscriber whose handler holds every message until `release()`. */
async function stalledSubscriber(clientId: string, topic: string, gate: { maxInFlight: number; brokerWindow?: boolean }, keepalive: number) {
  const held: Array<() => void> = [];
  const client = mqtt.connect(url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 0, keepalive, manualConnect: true });
  clients.push(client);
  const seen = { taken: 0, pingreqs: 0, pingresps: 0, closes: 0 };
  installAckGate(
    client,
    (_p: IPublishPacket) => {
      seen.taken++;
      return new Promise<void>((r) => held.push(r));
    },
    gate,
  );
  client.on('packetsend', (p) => p.cmd === 'pingreq' && seen.pingreqs++);
  client.on('packetreceive', (p) => p.cmd === 'pingresp' && seen.pingresps++);
  client.on('close', () => seen.closes++);
  client.on('error', () => {});
  await new Promise<void>((r) => {
    client.once('connect', () => r());
    client.connect();
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return { client, seen, release: () => held.splice(0).forEach((r) => r()) };
}

async function publish(topic: string, n: number): Promise<void> {
  const pub = await mqtt.connectAsync(url, { clientId: `pub-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 0 });
  clients.push(pub);
  for (let i = 0; i < n; i++) await pub.publishAsync(topic, `m${i}`, { qos: 1 });
}

it('with brokerWindow, a full window does not stop reading: a PINGRESP is still read', async () => {
  const topic = 'klimatpuls/ka1/dev/up';
  const s = await stalledSubscriber('gate-window', topic, { maxInFlight: 2, brokerWindow: true }, 0);
  await publish(topic, 2); // exactly the window, as a broker honouring Receive Maximum sends
  while (s.seen.taken < 2) await sleep(10);
  s.client.sendPing();
  const deadline = Date.now() + 10_000;
  while (s.seen.pingresps === 0 && Date.now() < deadline) await sleep(10);
  expect(s.seen.pingresps, 'PINGRESP read while the window is full').toBe(1);
  s.release();
});

it('while reading is paused, the gate keeps pinging and mqtt.js does not time out (3 × keepalive)', async () => {
  // No brokerWindow (MQTT 3.1.1, aedes): 5 messages for a window of 2, so reading pauses.
  const topic = 'klimatpuls/ka2/dev/up';
  const s = await stalledSubscriber('gate-paused-ping', topic, { maxInFlight: 2 }, 1);
  await publish(topic, 5);
  while (s.seen.taken < 2) await sleep(10);
  await sleep(3000); // mqtt.js alone gives up after 1.5 s
  expect(s.seen.closes, 'connection closed while paused').toBe(0);
  expect(s.seen.pingreqs, 'PINGREQs sent while paused').toBeGreaterThanOrEqual(2);
  expect(s.seen.taken).toBe(2);
  s.release();
  // Reading resumes: the rest arrive, and the PINGRESPs that waited in the socket are read.
  const deadline = Date.now() + 10_000;
  while ((s.seen.taken < 5 || s.seen.pingresps === 0) && Date.now() < deadline) {
    s.release();
    await sleep(20);
  }
  expect(s.seen.taken).toBe(5);
  expect(s.seen.pingresps).toBeGreaterThan(0);
  expect(s.seen.closes).toBe(0);
});
