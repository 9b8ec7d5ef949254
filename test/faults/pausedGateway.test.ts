import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../services/core/logger.js';
import { EmbeddedBroker } from '../../services/broker/embeddedBroker.js';
import { installAckGate } from '../../services/gateway/mqttAckGate.js';
import { gatewayConnectOptions } from '../../services/gateway/mqttSession.js';
import { STACK, discardSession, runId } from '../helpers/stack.js';
import { note, sleep } from './harness.js';

/**
 * Issue 13: "a paused gateway must keep its connection alive (or the broker must
 * redeliver), whichever broker it uses". The gateway's own MQTT options
 * (gatewayConnectOptions) and ack gate, with a store that stalls 7 s at a time (3.5 ×
 * a 2 s keepalive) under a backlog 40 × its window. Before the fix the window was the
 * gateway's alone: Mosquitto sent more (max_inflight_messages 10000), the gate stopped
 * reading the socket, PINGRESP went unread and mqtt.js dropped the connection after
 * 1.5 × keepalive, at every stall. Now MQTT 5 Receive Maximum makes the broker hold the
 * window (the socket is read throughout), and when reading does pause (a broker past the
 * window, MQTT 3.1.1) the gate keeps sending PINGREQs: on Mosquitto the connection never
 * drops, in either protocol version. Nothing of the shared stack is restarted: the
 * Mosquitto cases use its pipeline listener with a client id and topic of their own and
 * end their session; the aedes case starts its own embedded broker.
 */

const WINDOW = 500;
const N = 20_000;
const STALL_EVERY = 5000;
const STALL_MS = 7000;
const KEEPALIVE_S = 2;

interface Outcome {
  reconnects: number;
  distinct: number;
  duplicates: number;
  missing: number[];
}

async function pausedGateway(url: string, auth: { username?: string; password?: string }, protocolVersion: 4 | 5): Promise<Outcome> {
  const id = runId('paused');
  const topic = `klimatpuls/${id}/paused/up`;
  const clientId = `gw-${id}`;
  const stored = new Map<number, number>();
  let handled = 0;
  let stalledUntil = 0;
  let closes = 0;
  let reconnects = 0;
  const gw: MqttClient = mqtt.connect(url, {
    ...gatewayConnectOptions({ clientId, ...auth, protocolVersion, keepaliveS: KEEPALIVE_S, maxInFlight: WINDOW }),
    reconnectPeriod: 300,
  });
  installAckGate(
    gw,
    async (p) => {
      if (++handled % STALL_EVERY === 0) stalledUntil = Date.now() + STALL_MS;
      while (Date.now() < stalledUntil) await sleep(50);
      const n = Number(p.payload.toString().trim());
      stored.set(n, (stored.get(n) ?? 0) + 1);
    },
    { maxInFlight: WINDOW, brokerWindow: protocolVersion === 5 },
  );
  gw.on('close', () => closes++);
  gw.on('error', () => {});
  await new Promise<void>((r) => {
    gw.once('connect', () => r());
    gw.connect();
  });
  await gw.subscribeAsync(topic, { qos: 1 });

  try {
    const pub = await mqtt.connectAsync(url, { ...auth, clientId: `pub-${id}`, protocolVersion: 4, log: () => {} } as mqtt.IClientOptions);
    let acked = 0;
    for (let i = 0; i < N; i++) {
      pub.publish(topic, String(i).padEnd(300, ' '), { qos: 1 }, () => acked++);
      while (i - acked > 1000) await sleep(1);
    }
    while (acked < N) await sleep(5);
    await pub.endAsync();

    // Wait until all arrived or nothing changed for 30 s (four stalls plus a reconnect).
    const deadline = Date.now() + 300_000;
    let last = -1;
    let lastChange = Date.now();
    while (stored.size < N && Date.now() < deadline && Date.now() - lastChange < 30_000) {
      await sleep(500);
      if (stored.size !== last) [last, lastChange] = [stored.size, Date.now()];
    }
    await sleep(1000); // a late duplicate would show here
  } finally {
    reconnects = closes; // before our own close below
    await gw.endAsync(true).catch(() => {});
    // The shared broker keeps no session of this run (MQTT 5 ones never expire).
    if (url === STACK.mqttUrl) await discardSession(clientId).catch(() => {});
  }
  const missing = [...Array(N).keys()].filter((i) => !stored.has(i));
  const duplicates = [...stored.values()].reduce((s, c) => s + c - 1, 0);
  return { reconnects, distinct: stored.size, duplicates, missing };
}

for (const version of [5, 4] as const) {
  it(`Mosquitto, MQTT ${version === 5 ? '5 (Receive Maximum)' : '3.1.1 (MQTT_PROTOCOL_VERSION=4)'}: a gateway paused by a store stalled for 3.5 × keepalive keeps its connection and gets every message once`, async () => {
    const out = await pausedGateway(STACK.mqttUrl, STACK.mqttAuth, version);
    note(`Mosquitto, MQTT protocol ${version}, window ${WINDOW}: ${out.reconnects} reconnects, ${out.distinct} distinct of ${N}, ${out.duplicates} duplicates, ${out.missing.length} missing`);
    expect(out.reconnects, 'connection closes while paused').toBe(0);
    expect(out.missing).toEqual([]);
    expect(out.distinct).toBe(N);
    expect(out.duplicates).toBe(0);
  });
}

let broker: EmbeddedBroker;
let embeddedUrl: string;
beforeAll(async () => {
  broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger: createLogger('silent') });
  embeddedUrl = await broker.start();
});
afterAll(async () => {
  await broker.stop();
});

it('aedes (embedded, MQTT 3.1.1 only): the paused gateway reconnects and every message is redelivered, none lost', async () => {
  // aedes 1.2 refuses MQTT 5, so the window is the gateway's alone: the gate stops reading.
  // Our PINGREQs still go out, but aedes handles a client's packets one after another and
  // its PINGRESP waits for the socket to drain, so aedes' own keepalive (1.5 × ours) drops
  // the connection; the persistent session redelivers (services/broker/uniquePacketIds.ts
  // keeps that lossless). Reconnects are reported, not asserted.
  const out = await pausedGateway(embeddedUrl, {}, 4);
  note(`aedes, MQTT 3.1.1: ${out.reconnects} reconnects, ${out.distinct} distinct of ${N}, ${out.duplicates} duplicates (redelivered), ${out.missing.length} missing`);
  expect(out.missing).toEqual([]);
  expect(out.distinct).toBe(N);
});
