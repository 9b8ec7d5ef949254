import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../../services/core/logger.js';
import { EmbeddedBroker } from '../../services/broker/embeddedBroker.js';
import { installAckGate } from '../../services/gateway/mqttAckGate.js';
import { note, sleep } from './harness.js';

/**
 * Issue 13: a gateway on the embedded broker (aedes) paused by backpressure, lost its
 * connection, reconnected, and a run of messages never arrived. aedes numbered the new
 * connection's messages from a fresh random counter while the session still held the
 * unacknowledged ones of the old connection under their identifiers; a PUBACK then removed
 * the wrong queued message (services/broker/uniquePacketIds.ts). Embedded only: nothing
 * of the shared stack is touched (each case starts its own broker on a free port).
 */

let broker: EmbeddedBroker;
let url: string;
const clients: Array<{ end: () => void }> = [];

beforeEach(async () => {
  broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger: createLogger('silent') });
  url = await broker.start();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  await broker.stop();
});

const TOPIC = 'klimatpuls/faults/reconnect/up';

/** A QoS 1 publisher with a bounded window; resolves when the broker acknowledged all. */
async function publishRange(from: number, to: number, payload = (i: number) => String(i)): Promise<void> {
  const pub = await mqtt.connectAsync(url, { clientId: `pub-${from}`, protocolVersion: 4 });
  let acked = 0;
  for (let i = from; i < to; i++) {
    pub.publish(TOPIC, payload(i), { qos: 1 }, () => acked++);
    while (i - from - acked > 500) await sleep(1);
  }
  while (acked < to - from) await sleep(5);
  await pub.endAsync();
}

/**
 * Per connection: a PUBLISH whose packet identifier another unacknowledged PUBLISH of the
 * same connection still holds (MQTT 3.1.1 §2.3.1 forbids it; aedes did it after a reconnect).
 */
class IdWatch {
  private unacked = new Map<number, string>();
  violations = 0;
  received(messageId: number, body: string) {
    const holder = this.unacked.get(messageId);
    if (holder !== undefined && holder !== body) this.violations++;
    this.unacked.set(messageId, body);
  }
  acked(messageId: number) {
    this.unacked.delete(messageId);
  }
  reset() {
    this.unacked.clear();
  }
}

/** A bare MQTT session (mqtt-packet over TCP) that acknowledges only when told to. */
function rawSession(port: number, opts: { subscribe?: boolean; ack: boolean; closeAfter?: number; onMessage: (id: number) => void; watch: IdWatch }) {
  const sock = net.connect(port, '127.0.0.1');
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const send = (p: Packet) => sock.write(mqttPacket.generate(p));
  let received = 0;
  const ready = new Promise<void>((resolve) =>
    parser.on('packet', (p) => {
      if (p.cmd === 'connack') {
        if (opts.subscribe) send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: TOPIC, qos: 1 }] });
        else resolve();
      } else if (p.cmd === 'suback') resolve();
      else if (p.cmd === 'publish' && p.messageId !== undefined) {
        received++;
        const body = p.payload.toString();
        opts.watch.received(p.messageId, body);
        if (opts.ack) {
          opts.onMessage(Number(body)); // acknowledged = stored
          send({ cmd: 'puback', messageId: p.messageId });
          opts.watch.acked(p.messageId);
        }
        if (received === opts.closeAfter) sock.destroy();
      }
    }),
  );
  sock.on('data', (b) => parser.parse(b));
  sock.on('error', () => {});
  const closed = new Promise<void>((r) => sock.on('close', () => r()));
  send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, clientId: 'gateway-raw', keepalive: 0 });
  clients.push({ end: () => sock.destroy() });
  return { ready, closed, received: () => received, end: () => sock.destroy() };
}

it('a session reconnecting with 45,000 unacknowledged messages gets every message exactly once, no identifier in use twice', async () => {
  // 45,000 sent on the first connection and never acknowledged, then 20,000 new ones on the
  // second: together nearly every identifier, so a counter that ignores the session collides
  // (all but ~0.8 % of its random starting points).
  const OLD = 45_000;
  const NEW = 20_000;
  const port = Number(new URL(url).port);
  const stored = new Set<number>();
  const watch = new IdWatch();
  const onMessage = (id: number) => stored.add(id);

  const first = rawSession(port, { subscribe: true, ack: false, onMessage, watch });
  await first.ready;
  await publishRange(0, OLD);
  const deadline = Date.now() + 120_000;
  while (first.received() < OLD && Date.now() < deadline) await sleep(20);
  expect(first.received()).toBe(OLD);
  first.end();
  await first.closed;
  watch.reset();

  // Second connection: redelivery and new messages interleave; each is stored and
  // acknowledged in arrival order; the connection drops again half way.
  const second = rawSession(port, { ack: true, closeAfter: OLD, onMessage, watch });
  await second.ready;
  const publishing = publishRange(OLD, OLD + NEW); // goes on if the connection drops (queued offline)
  await second.closed;
  await publishing;
  note(`second connection: ${second.received()} received, ${watch.violations} identifiers in use twice`);
  const violations = watch.violations;
  watch.reset();

  // Then reconnect until a connection brings nothing new: what is still missing is lost,
  // not merely waiting in a session whose connection the broker dropped.
  const deadline2 = Date.now() + 120_000;
  for (let session = 0; session < 8 && Date.now() < deadline2; session++) {
    const before = stored.size;
    const next = rawSession(port, { ack: true, onMessage, watch });
    await next.ready;
    let last = -1;
    while (stored.size !== last && Date.now() < deadline2) {
      last = stored.size;
      await sleep(3000);
    }
    next.end();
    await next.closed;
    watch.reset();
    if (stored.size === before || stored.size === OLD + NEW) break;
  }
  const missing = [...Array(OLD + NEW).keys()].filter((i) => !stored.has(i));
  note(`stored ${stored.size} distinct of ${OLD + NEW}; missing ${missing.length}${missing.length ? ` (${missing[0]}..${missing.at(-1)})` : ''}`);
  expect(violations + watch.violations, 'PUBLISH with an identifier another unacknowledged message holds').toBe(0);
  expect(missing).toEqual([]);
  expect(stored.size).toBe(OLD + NEW);
});

it('a gateway paused by backpressure whose connection drops, reconnected, stores every message exactly once', async () => {
  // The fault as it happened: the ack gate full (a store that blocks), mqtt.js stops
  // reading and the connection drops; again and again. It dropped at keepalive (PINGRESP
  // unread); the gate now keeps pinging while paused (services/gateway/mqttAckGate.ts,
  // test/faults/pausedGateway.test.ts), so the drop is forced here as the network, aedes'
  // drainTimeout (60 s without reading) or a stall past aedes' keepalive would: the socket
  // is destroyed 1 s into each stall. What is tested is the redelivery after it.
  const N = 60_000;
  const stored = new Map<number, number>();
  const watch = new IdWatch();
  let handled = 0;
  let blockedUntil = 0;
  let closes = 0;
  const gw: MqttClient = mqtt.connect(url, {
    clientId: 'gateway-paused',
    clean: false,
    protocolVersion: 4,
    keepalive: 2,
    reconnectPeriod: 300,
    manualConnect: true,
    log: () => {},
  });
  clients.push({ end: () => gw.end(true) });
  installAckGate(
    gw,
    async (p) => {
      if (++handled % 8000 === 0) {
        blockedUntil = Date.now() + 6000; // the store stalls 3 × keepalive
        setTimeout(() => gw.stream?.destroy(), 1000); // and the connection drops meanwhile
      }
      while (Date.now() < blockedUntil) await sleep(50);
      const id = Number(p.payload.toString().trim());
      stored.set(id, (stored.get(id) ?? 0) + 1);
    },
    { maxInFlight: 500 },
  );
  gw.on('packetreceive', (p) => p.cmd === 'publish' && p.messageId !== undefined && watch.received(p.messageId, p.payload.toString()));
  gw.on('packetsend', (p) => p.cmd === 'puback' && p.messageId !== undefined && watch.acked(p.messageId));
  gw.on('close', () => {
    closes++;
    watch.reset();
  });
  gw.on('error', () => {});
  await new Promise<void>((r) => {
    gw.once('connect', () => r());
    gw.connect();
  });
  await gw.subscribeAsync(TOPIC, { qos: 1 });

  await publishRange(0, N, (i) => String(i).padEnd(300, ' ')); // payloads of replayed meters' size
  const deadline = Date.now() + 240_000;
  let last = -1;
  let lastChange = Date.now();
  while (stored.size < N && Date.now() < deadline && Date.now() - lastChange < 30_000) {
    await sleep(500);
    if (stored.size !== last) [last, lastChange] = [stored.size, Date.now()];
  }
  const missing = [...Array(N).keys()].filter((i) => !stored.has(i));
  note(`paused gateway: ${closes} reconnects, ${stored.size} distinct of ${N}, ${missing.length} missing, ${watch.violations} identifiers in use twice`);
  expect(closes, 'the fault was not provoked').toBeGreaterThan(0);
  expect(watch.violations, 'PUBLISH with an identifier another unacknowledged message holds').toBe(0);
  expect(missing).toEqual([]);
  expect(stored.size).toBe(N);
});
