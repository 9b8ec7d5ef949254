import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installAckGate, type AckGate } from './mqttAckGate.js';

/*
 * A real aedes broker (as in services/broker/embeddedBroker.ts, built here directly so the
 * test can listen to the broker's own 'ack' event: the moment a PUBACK reached the broker)
 * and real mqtt.js clients. Handlers are resolved by hand; nothing waits on a clock.
 */

let broker: Aedes;
let server: Server;
let url: string;
/** Payloads the broker got a PUBACK for, per subscriber client id, in order. */
const brokerAcks = new Map<string, string[]>();
const ackWaiters: Array<() => void> = [];

beforeAll(async () => {
  broker = await Aedes.createBroker({ id: 'ack-gate-test' });
  broker.on('ack', (packet, client) => {
    if (packet?.cmd !== 'publish') return;
    const list = brokerAcks.get(client.id) ?? [];
    list.push(Buffer.from(packet.payload).toString());
    brokerAcks.set(client.id, list);
    ackWaiters.splice(0).forEach((w) => w());
  });
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
});

const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => {})));
});

afterAll(async () => {
  await new Promise<void>((r) => broker.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
});

const acksOf = (clientId: string) => brokerAcks.get(clientId) ?? [];
async function untilBrokerAcks(clientId: string, n: number): Promise<void> {
  while (acksOf(clientId).length < n) await new Promise<void>((r) => ackWaiters.push(r));
}

/** What the broker still holds for a subscriber: queued or sent and not acknowledged. */
async function brokerOutgoing(clientId: string): Promise<string[]> {
  const persistence = (broker as unknown as { persistence: { outgoingStream(c: { id: string }): AsyncIterable<IPublishPacket> } }).persistence;
  const out: string[] = [];
  for await (const p of persistence.outgoingStream({ id: clientId })) out.push(Buffer.from(p.payload).toString());
  return out;
}

/**
 * aedes handles one client's packets in order: once it has handled a QoS 0 publish the client
 * sent after some PUBACK, it has handled that PUBACK too. Gives a "not acknowledged" check a
 * definite point in time.
 */
async function brokerBarrier(client: MqttClient, clientId: string): Promise<void> {
  const topic = `barrier/${clientId}/${Math.random().toString(36).slice(2)}`;
  const seen = new Promise<void>((resolve) => {
    const onPublish = (packet: { topic: string }, c: { id: string } | null) => {
      if (c?.id === clientId && packet.topic === topic) {
        broker.off('publish', onPublish);
        resolve();
      }
    };
    broker.on('publish', onPublish);
  });
  client.publish(topic, 'barrier', { qos: 0 });
  await seen;
}

/** Lets pending callbacks, promise jobs and socket I/O of this process run. */
async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** A message handler whose promises the test settles by hand. */
class ManualHandler {
  readonly calls: Array<{ payload: string; messageId?: number; dup: boolean; resolve: () => void; reject: (e: Error) => void }> = [];
  unresolved = 0;
  maxUnresolved = 0;
  private waiters: Array<() => void> = [];

  readonly handle = (packet: IPublishPacket): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.unresolved++;
      this.maxUnresolved = Math.max(this.maxUnresolved, this.unresolved);
      const settleOnce = (f: () => void) => () => {
        this.unresolved--;
        f();
      };
      this.calls.push({
        payload: packet.payload.toString(),
        messageId: packet.messageId,
        dup: packet.dup,
        resolve: settleOnce(resolve),
        reject: (e) => settleOnce(() => reject(e))(),
      });
      this.waiters.splice(0).forEach((w) => w());
    });

  async until(n: number): Promise<void> {
    while (this.calls.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  get payloads(): string[] {
    return this.calls.map((c) => c.payload);
  }
}

interface Gated {
  client: MqttClient;
  gate: AckGate;
  connack: IConnackPacket;
  /** PUBACKs the client handed to its socket, by message id. */
  pubacks: number[];
  /** Everything that arrived on the socket, raw. */
  raw: () => string;
}

async function connectGated(clientId: string, handler: ManualHandler, maxInFlight = 100): Promise<Gated> {
  const client = mqtt.connect(url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 0, keepalive: 0, manualConnect: true });
  clients.push(client);
  const gate = installAckGate(client, handler.handle, { maxInFlight });
  const pubacks: number[] = [];
  client.on('packetsend', (p) => {
    if (p.cmd === 'puback') pubacks.push(p.messageId!);
  });
  client.on('error', () => {});
  client.connect();
  const connack = await new Promise<IConnackPacket>((resolve) => client.once('connect', resolve));
  let raw = '';
  client.stream.on('data', (b: Buffer) => (raw += b.toString('latin1')));
  return { client, gate, connack, pubacks, raw: () => raw };
}

async function publisher(): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clientId: `pub-${Math.random().toString(36).slice(2)}`, clean: true, reconnectPeriod: 0 });
  clients.push(c);
  return c;
}

async function publishAll(pub: MqttClient, topic: string, payloads: string[]): Promise<void> {
  for (const p of payloads) await pub.publishAsync(topic, p, { qos: 1 });
}

async function untilRaw(g: Gated, payloads: string[]): Promise<void> {
  while (!payloads.every((p) => g.raw().includes(p))) await once(g.client.stream, 'data');
}

describe('installAckGate with a real broker', () => {
  it('does not acknowledge a message to the broker before its handler resolves; the broker redelivers after a crash', async () => {
    const id = 'gate-crash';
    const topic = 'klimatpuls/t1/dev/up';
    const h1 = new ManualHandler();
    const s1 = await connectGated(id, h1);
    await s1.client.subscribeAsync(topic, { qos: 1 });
    const pub = await publisher();
    await publishAll(pub, topic, ['m1', 'm2', 'm3']);
    await h1.until(3);
    await settle();

    expect(h1.payloads).toEqual(['m1', 'm2', 'm3']);
    expect(s1.gate.inFlight).toBe(3);
    expect(s1.pubacks).toEqual([]);
    expect(acksOf(id)).toEqual([]);
    expect(await brokerOutgoing(id)).toEqual(['m1', 'm2', 'm3']);

    // The gateway dies before the bus acknowledged anything.
    await s1.client.endAsync(true);
    // Work that completes after the connection is gone acknowledges nothing.
    h1.calls.forEach((c) => c.resolve());
    await s1.gate.drained();
    expect(s1.pubacks).toEqual([]);

    // Same client id, persistent session: the broker redelivers all three.
    const h2 = new ManualHandler();
    const s2 = await connectGated(id, h2);
    expect(s2.connack.sessionPresent).toBe(true);
    await h2.until(3);
    expect(h2.payloads).toEqual(['m1', 'm2', 'm3']);
    expect(acksOf(id)).toEqual([]);

    // Now the work is done: the broker gets the acknowledgements, in order, and forgets the messages.
    h2.calls.forEach((c) => c.resolve());
    await s2.gate.drained();
    await untilBrokerAcks(id, 3);
    expect(acksOf(id)).toEqual(['m1', 'm2', 'm3']);
    expect(s2.pubacks).toEqual(h2.calls.map((c) => c.messageId));
    expect(await brokerOutgoing(id)).toEqual([]);

    // ... so a further reconnect gets nothing again.
    await s2.client.endAsync(true);
    const h3 = new ManualHandler();
    const s3 = await connectGated(id, h3);
    expect(s3.connack.sessionPresent).toBe(true);
    await publishAll(pub, topic, ['after']);
    await h3.until(1);
    await settle();
    expect(h3.payloads).toEqual(['after']);
  });

  it('sends PUBACKs in arrival order, each only after its own handler and all earlier ones resolved', async () => {
    const id = 'gate-order';
    const topic = 'klimatpuls/t2/dev/up';
    const h = new ManualHandler();
    const s = await connectGated(id, h);
    await s.client.subscribeAsync(topic, { qos: 1 });
    const pub = await publisher();
    await publishAll(pub, topic, ['a', 'b', 'c']);
    await h.until(3);
    const [a, b, c] = h.calls;

    b!.resolve(); // the second is done first
    await settle();
    expect(s.pubacks).toEqual([]); // held: 'a' is not done yet

    a!.resolve();
    await untilBrokerAcks(id, 2);
    expect(acksOf(id)).toEqual(['a', 'b']);
    expect(s.pubacks).toEqual([a!.messageId, b!.messageId]);
    expect(await brokerOutgoing(id)).toEqual(['c']);
    expect(s.gate.inFlight).toBe(1);

    // 'c' is still being handled when the gateway goes away (a clean disconnect this time).
    await s.client.endAsync(false);
    c!.resolve();
    await settle();
    expect(s.pubacks).toHaveLength(2);
    const h2 = new ManualHandler();
    const s2 = await connectGated(id, h2);
    await h2.until(1);
    expect(h2.payloads).toEqual(['c']);
    h2.calls[0]!.resolve();
    await untilBrokerAcks(id, 3);
    expect(acksOf(id)).toEqual(['a', 'b', 'c']);
    await s2.gate.drained();
  });

  it('does not acknowledge a message whose handler failed; the broker redelivers it', async () => {
    const id = 'gate-fail';
    const topic = 'klimatpuls/t3/dev/up';
    const h = new ManualHandler();
    const s = await connectGated(id, h);
    await s.client.subscribeAsync(topic, { qos: 1 });
    const pub = await publisher();
    await publishAll(pub, topic, ['ok-1', 'bad', 'ok-2']);
    await h.until(3);
    h.calls[1]!.reject(new Error('bus down'));
    h.calls[0]!.resolve();
    h.calls[2]!.resolve();
    await s.gate.drained();
    await untilBrokerAcks(id, 2);
    expect(acksOf(id)).toEqual(['ok-1', 'ok-2']);
    expect(await brokerOutgoing(id)).toEqual(['bad']);

    await s.client.endAsync(true);
    const h2 = new ManualHandler();
    await connectGated(id, h2);
    await h2.until(1);
    expect(h2.payloads).toEqual(['bad']);
  });

  it('applies backpressure: with maxInFlight 2 the handler runs for at most 2 unresolved messages', async () => {
    const id = 'gate-backpressure';
    const topic = 'klimatpuls/t4/dev/up';
    const h = new ManualHandler();
    const inFlightSeen: number[] = [];
    const client = mqtt.connect(url, { clientId: id, clean: false, protocolVersion: 4, reconnectPeriod: 0, keepalive: 0, manualConnect: true });
    clients.push(client);
    const gate = installAckGate(client, h.handle, { maxInFlight: 2, onInFlight: (n) => inFlightSeen.push(n) });
    client.connect();
    await new Promise((resolve) => client.once('connect', resolve));
    let raw = '';
    client.stream.on('data', (b: Buffer) => (raw += b.toString('latin1')));
    await client.subscribeAsync(topic, { qos: 1 });
    const pub = await publisher();
    const payloads = ['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => `${p}-${'x'.repeat(20)}`);
    await publishAll(pub, topic, payloads);

    // Every message has reached the subscriber's socket ...
    while (!payloads.every((p) => raw.includes(p))) await once(client.stream, 'data');
    await settle();
    // ... but only two were taken.
    expect(h.calls).toHaveLength(2);
    expect(gate.inFlight).toBe(2);

    // Below the low-water mark (maxInFlight / 2) it takes more, one at a time here.
    h.calls[0]!.resolve();
    await h.until(3);
    await settle();
    expect(h.calls).toHaveLength(3);

    h.calls[1]!.resolve();
    await h.until(4);
    await settle();
    expect(h.calls).toHaveLength(4);

    h.calls[2]!.resolve();
    h.calls[3]!.resolve();
    await h.until(5);
    h.calls[4]!.resolve();
    await gate.drained();
    await untilBrokerAcks(id, 5);

    expect(h.payloads).toEqual(payloads);
    expect(acksOf(id)).toEqual(payloads);
    expect(h.maxUnresolved).toBe(2);
    expect(Math.max(...inFlightSeen)).toBe(2);
    expect(inFlightSeen.at(-1)).toBe(0);
  });

  it('close() stops taking messages; they stay unacknowledged for the next session', async () => {
    const id = 'gate-close';
    const topic = 'klimatpuls/t5/dev/up';
    const h = new ManualHandler();
    const s = await connectGated(id, h);
    await s.client.subscribeAsync(topic, { qos: 1 });
    const pub = await publisher();
    await publishAll(pub, topic, ['before']);
    await h.until(1);

    s.gate.close();
    let drained = false;
    const draining = s.gate.drained().then(() => (drained = true));
    await publishAll(pub, topic, ['after-close']);
    await untilRaw(s, ['after-close']);
    await settle();
    expect(h.payloads).toEqual(['before']);
    expect(drained).toBe(false);

    h.calls[0]!.resolve();
    await draining;
    await untilBrokerAcks(id, 1);
    expect(acksOf(id)).toEqual(['before']);
    expect(await brokerOutgoing(id)).toEqual(['after-close']);

    await s.client.endAsync(true);
    const h2 = new ManualHandler();
    await connectGated(id, h2);
    await h2.until(1);
    expect(h2.payloads).toEqual(['after-close']);
  });

  it('after the connection drops and the same client reconnects, a message taken before sends no PUBACK on the new connection', async () => {
    // maxInFlight 3: 'a' and 'b' are taken at once, 'c' waits for room (mqtt.js has not been called back).
    const id = 'gate-reconnect';
    const topic = 'klimatpuls/t6/dev/up';
    const h = new ManualHandler();
    const s = await connectGated(id, h, 3);
    await s.client.subscribeAsync(topic, { qos: 1 });
    const pub = await publisher();
    await publishAll(pub, topic, ['a', 'b', 'c']);
    await h.until(3);
    expect(s.gate.inFlight).toBe(3);

    // The network drops (no DISCONNECT); the bus then acknowledges 'a' and 'b', which makes room.
    s.client.stream.destroy();
    await new Promise<void>((resolve) => s.client.once('close', () => resolve()));
    h.calls[0]!.resolve();
    h.calls[1]!.resolve();
    await settle();
    expect(s.gate.inFlight).toBe(1); // 'c' is still being handled

    // The same client object reconnects: the session is resumed and the broker redelivers.
    s.client.reconnect();
    await new Promise((resolve) => s.client.once('connect', resolve));
    await brokerBarrier(s.client, id);
    // Nothing was acknowledged: 'a' and 'b' were done on a connection that no longer exists,
    // and 'c' is not done at all. A PUBACK for 'c' now would lose it if the gateway stopped.
    expect(acksOf(id)).toEqual([]);
    expect((await brokerOutgoing(id)).sort()).toEqual(['a', 'b', 'c']);

    // The redelivered messages are handled and acknowledged normally.
    await h.until(4);
    for (let n = 4; n <= 6; n++) {
      await h.until(n);
      h.calls[n - 1]!.resolve();
    }
    expect(h.payloads.slice(3)).toEqual(['a', 'b', 'c']);
    h.calls[2]!.resolve(); // the old 'c' finally finishes; it must not ack anything either
    await s.gate.drained();
    await untilBrokerAcks(id, 3);
    await brokerBarrier(s.client, id);
    expect(acksOf(id)).toEqual(['a', 'b', 'c']);
    expect(await brokerOutgoing(id)).toEqual([]);
  });

  it('never holds more than maxInFlight, also when a reconnect redelivers while the window is still full', async () => {
    // maxInFlight 2: 'a' and 'b' fill the window; the connection drops with both unresolved.
    const id = 'gate-full-reconnect';
    const topic = 'klimatpuls/t8/dev/up';
    const h = new ManualHandler();
    const client = await mqtt.connectAsync(url, { clientId: id, clean: false, reconnectPeriod: 0 });
    clients.push(client);
    const seen: number[] = [];
    const gate = installAckGate(client, h.handle, { maxInFlight: 2, onInFlight: (n) => seen.push(n) });
    await client.subscribeAsync(topic, { qos: 1 });
    await publishAll(await publisher(), topic, ['a', 'b']);
    await h.until(2);
    client.stream.destroy();
    await new Promise<void>((resolve) => client.once('close', () => resolve()));

    // The new connection reads at once and the broker redelivers 'a' and 'b': the window is
    // still full (the old 'a' and 'b' are being handled), so neither is taken yet.
    client.reconnect();
    await new Promise((resolve) => client.once('connect', resolve));
    await brokerBarrier(client, id);
    await settle();
    expect(h.calls).toHaveLength(2);
    expect(gate.inFlight).toBe(2);

    // Room (low water 1): the redelivered messages are taken, never more than 2 at once.
    h.calls[0]!.resolve();
    h.calls[1]!.resolve();
    await h.until(4);
    h.calls[2]!.resolve();
    h.calls[3]!.resolve();
    await gate.drained();
    expect(h.payloads.slice(2).sort()).toEqual(['a', 'b']);
    expect(Math.max(...seen)).toBe(2);
    await untilBrokerAcks(id, 2);
  });

  it('after close() under backpressure, a clean end() completes and the messages not taken come back in the next session', async () => {
    // The regression: a closed gate that stopped reading the socket left end(false)
    // waiting for ever (the broker's close was never read), so SIGTERM hung the gateway.
    const id = 'gate-close-full';
    const topic = 'klimatpuls/t7/dev/up';
    const h = new ManualHandler();
    const s = await connectGated(id, h, 2);
    await s.client.subscribeAsync(topic, { qos: 1 });
    const pub = await publisher();
    const payloads = Array.from({ length: 10 }, (_, i) => `m${i}`);
    await publishAll(pub, topic, payloads);
    await h.until(2);
    s.gate.close();
    h.calls[0]!.resolve();
    h.calls[1]!.resolve();
    await s.gate.drained();
    await untilBrokerAcks(id, 2);
    const ended = await Promise.race([s.client.endAsync(false).then(() => 'ended'), new Promise((r) => setTimeout(() => r('hung'), 5000))]);
    expect(ended).toBe('ended');
    expect(h.payloads).toEqual(['m0', 'm1']);
    expect(acksOf(id)).toEqual(['m0', 'm1']);

    const h2 = new ManualHandler();
    const s2 = await connectGated(id, h2, 100);
    await h2.until(8);
    h2.calls.forEach((c) => c.resolve());
    await s2.gate.drained();
    expect(h2.payloads).toEqual(payloads.slice(2));
  });

  it('drained() resolves at once when nothing is in flight', async () => {
    const h = new ManualHandler();
    const s = await connectGated('gate-idle', h);
    await expect(s.gate.drained()).resolves.toBeUndefined();
    expect(s.gate.inFlight).toBe(0);
  });
});
