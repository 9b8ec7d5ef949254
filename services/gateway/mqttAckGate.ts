import type { IPublishPacket, MqttClient, Packet } from 'mqtt';

/**
 * Acknowledge an MQTT QoS 1 message only after Kafka acknowledged its readings,
 * without processing one message at a time.
 *
 * Why this reaches into mqtt.js: mqtt.js sends the PUBACK as soon as
 * `handleMessage` calls back, and it reads the next packet only after that PUBACK
 * was written. Waiting for Kafka inside `handleMessage` would therefore cost one
 * Kafka round trip per message (a few hundred messages/s). mqtt.js offers no
 * public "ack later" hook (customHandleAcks runs before the message handler, in
 * the same sequence), so we let `handleMessage` call back at once and hold the
 * PUBACK itself in `_sendPacket` until the message's work is done. PUBACKs leave
 * in the order the PUBLISHes arrived (MQTT 3.1.1 §4.6).
 *
 * Backpressure: at most `maxInFlight` messages are unacknowledged; past that,
 * `handleMessage` does not call back, mqtt.js stops reading the socket, and the
 * broker keeps the messages queued for our persistent session.
 *
 * A socket that is not read is a connection that dies: mqtt.js restarts its keepalive
 * countdown only when it reads a PINGRESP (or an ack), so it gives up after 1.5 ×
 * keepalive, and aedes drops a client that does not read within its drainTimeout.
 * With `brokerWindow` (MQTT 5 Receive Maximum = maxInFlight: the broker itself sends
 * at most maxInFlight unacknowledged messages), the gate never stops reading while
 * the broker keeps its promise: a full window is simply a broker that sends nothing
 * more, and PINGRESPs are still read. Only a message past the window (a broker that
 * ignores Receive Maximum, or a reconnect while old work still runs) pauses reading.
 * Mosquitto 2.0.11 is such a broker after a reconnect: once the redelivered messages are
 * acknowledged it sends the whole backlog (measured: 6,000 with Receive Maximum 500), and
 * even without one it can send one past the window. aedes 1.2 has no MQTT 5 at all.
 *
 * So while reading is paused the gate keeps the connection alive itself (keepPinging):
 * every keepalive it sends a PINGREQ (the broker's keepalive is satisfied: it only needs
 * a packet from us) and restarts mqtt.js's countdown, whose PINGRESPs wait unread in the
 * socket until reading resumes. What is lost meanwhile is mqtt.js's detection of a dead
 * broker, until the pause ends (then its usual 1.5 × keepalive applies); a broker that
 * closes the connection is still seen at once. aedes still drops a client that does not
 * read for its drainTimeout (60 s by default).
 */
export interface AckGate {
  readonly inFlight: number;
  /** Stop taking messages; what arrives from now on stays unacknowledged (the broker redelivers). */
  close(): void;
  /** Resolves when every taken message was handled and its PUBACK handed to the socket. */
  drained(): Promise<void>;
}

/**
 * The messages whose work is one promise. The gateway hands every message of one Kafka
 * request the same promise (BatchingProducer), so a run of messages with the same promise
 * shares one reaction to it instead of a few promises and closures each: per message the
 * gate then allocates only its place in the PUBACK queue.
 */
interface WorkGroup {
  settled: boolean;
  ok: boolean;
  /** Taken messages of the group still counted in flight. */
  messages: number;
}

/** A PUBACK mqtt.js asked to send, held until its message's work (and every earlier one's) is done. */
interface HeldAck {
  group: WorkGroup;
  packet: Packet;
  rest: unknown[] | undefined;
  epoch: number;
}

/** The work of a message that was not taken: it never completes, so its PUBACK is never sent. */
const NOT_TAKEN: WorkGroup = { settled: true, ok: false, messages: 0 };

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

export function installAckGate(
  client: MqttClient,
  handle: (packet: IPublishPacket) => Promise<void>,
  opts: { maxInFlight: number; brokerWindow?: boolean; onInFlight?: (n: number) => void },
): AckGate {
  const lowWater = Math.max(0, Math.floor(opts.maxInFlight / 2));
  const pendingAcks = new Map<number, WorkGroup>();
  let epoch = 0; // a new connection makes old PUBACKs meaningless: the broker redelivers
  // PUBACKs in the order mqtt.js asked for them (the PUBLISHes' arrival order); acks[head] is the oldest
  let acks: Array<HeldAck | undefined> = [];
  let head = 0;
  let flushing = false;
  let lastWork: Promise<void> | undefined;
  let lastGroup: WorkGroup | undefined;
  let inFlight = 0;
  let closed = false;
  let spaceWaiters: Array<() => void> = [];
  let idleWaiters: Array<() => void> = [];
  const pinger = keepPinging(client);

  const update = () => {
    opts.onInFlight?.(inFlight);
    // (twice per message: no array copy unless someone waits)
    if (inFlight <= lowWater && spaceWaiters.length > 0) {
      pinger.stop();
      spaceWaiters.splice(0).forEach((w) => w());
    }
    if (inFlight === 0 && head === acks.length && idleWaiters.length > 0) idleWaiters.splice(0).forEach((w) => w());
  };

  const internal = client as unknown as { _sendPacket: SendPacket };
  const original: SendPacket = internal._sendPacket.bind(client);

  /** Sends the held PUBACKs from the oldest on, up to the first whose work is not done. */
  const flush = () => {
    if (flushing) return;
    flushing = true;
    try {
      while (head < acks.length) {
        const a = acks[head]!;
        if (!a.group.settled) break;
        acks[head++] = undefined;
        // not handled: no PUBACK, the broker redelivers after reconnect
        if (a.group.ok && a.epoch === epoch && client.connected) {
          if (a.rest) original(a.packet, undefined, ...a.rest);
          else original(a.packet);
        }
      }
    } finally {
      flushing = false;
    }
    if (head === acks.length) {
      acks = [];
      head = 0;
    } else if (head >= 1024 && head * 2 >= acks.length) {
      acks = acks.slice(head);
      head = 0;
    }
  };

  const settle = (g: WorkGroup, ok: boolean) => {
    g.settled = true;
    g.ok = ok;
    inFlight -= g.messages;
    g.messages = 0;
    if (lastGroup === g) lastWork = lastGroup = undefined;
    flush();
    update();
  };

  /** The group of a taken message's work: the previous message's when it is the same promise. */
  const groupOf = (work: Promise<void>): WorkGroup => {
    if (work === lastWork && lastGroup && !lastGroup.settled) {
      lastGroup.messages++;
      return lastGroup;
    }
    const g: WorkGroup = { settled: false, ok: false, messages: 1 };
    lastWork = work;
    lastGroup = g;
    work.then(
      () => settle(g, true),
      () => settle(g, false),
    );
    return g;
  };

  client.on('close', () => {
    pinger.stop();
    epoch++;
    pendingAcks.clear();
    // held PUBACKs of the old connection are never sent: the broker redelivers their messages
    acks = [];
    head = 0;
    update();
  });

  /** Not taken: its PUBACK is never sent (the broker redelivers it to our session). */
  const leave = (packet: IPublishPacket, callback: (err?: Error) => void) => {
    // mqtt.js must keep reading the socket, or the DISCONNECT handshake of `end()`
    // never completes (a paused socket never sees the broker close it).
    if (packet.qos === 1 && packet.messageId !== undefined) pendingAcks.set(packet.messageId, NOT_TAKEN);
    callback();
  };

  const take = (packet: IPublishPacket, callback: (err?: Error) => void) => {
    inFlight++;
    update();
    const group = groupOf(handle(packet));
    if (packet.qos === 1 && packet.messageId !== undefined) pendingAcks.set(packet.messageId, group);
    // take() runs only below the window, so here inFlight <= maxInFlight: with the broker
    // holding the window, reading on lets nothing more in than it allows.
    if (inFlight < opts.maxInFlight || opts.brokerWindow) callback();
    else waitForRoom(() => callback());
  };

  /** Runs `then` once there is room, unless the connection changed meanwhile. */
  const waitForRoom = (then: () => void) => {
    // A callback from before a reconnect would send its PUBACK ungated (pendingAcks was
    // cleared) on the new connection, acknowledging a message not yet handled: drop it.
    const arrivedIn = epoch;
    // After `close` the waiter is still called, so mqtt.js reads on (see `leave`).
    spaceWaiters.push(() => (arrivedIn !== epoch ? undefined : then()));
    pinger.start(); // mqtt.js reads nothing until `then` runs
  };

  client.handleMessage = (packet: IPublishPacket, callback: (err?: Error) => void) => {
    if (closed) return leave(packet, callback);
    // Still full from before a reconnect (the new connection reads at once): wait for
    // room before taking it, so no more than maxInFlight are ever in flight. mqtt.js
    // reads nothing more meanwhile; this one message waits in its callback.
    if (inFlight >= opts.maxInFlight) return waitForRoom(() => (closed ? leave(packet, callback) : take(packet, callback)));
    take(packet, callback);
  };

  // mqtt.js's _sendPacket(packet, cb, cbStorePut, noStore), without a rest array per packet
  internal._sendPacket = (packet, cb, cbStorePut?: unknown, noStore?: unknown) => {
    const mid = packet.cmd === 'puback' ? packet.messageId : undefined;
    const group = mid === undefined ? undefined : pendingAcks.get(mid);
    if (group === undefined) return original(packet, cb, cbStorePut, noStore);
    pendingAcks.delete(mid!);
    acks.push({ group, packet, rest: cbStorePut === undefined && noStore === undefined ? undefined : [cbStorePut, noStore], epoch });
    if (group.settled) flush();
    cb?.(); // let mqtt.js read the next packet now
  };

  return {
    get inFlight() {
      return inFlight;
    },
    close() {
      closed = true;
      pinger.stop();
      spaceWaiters.splice(0).forEach((w) => w());
    },
    async drained() {
      if (inFlight > 0 || head < acks.length) await new Promise<void>((r) => idleWaiters.push(r));
    },
  };
}

/**
 * While mqtt.js does not read: a PINGREQ every keepalive, and mqtt.js's keepalive countdown
 * restarted (it would time out, never having read the PINGRESP). mqtt.js has no option to
 * ping without expecting the answer, hence its keepalive manager driven by hand.
 */
function keepPinging(client: MqttClient): { start(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const keepaliveMs = (client.options.keepalive ?? 0) * 1000;
  return {
    start() {
      if (timer || keepaliveMs <= 0) return;
      let ticks = 0;
      client.reschedulePing(true);
      timer = setInterval(() => {
        if (!client.connected) return;
        client.reschedulePing(true); // every half keepalive: mqtt.js's own ping never comes due
        if (++ticks % 2 === 0) client.sendPing();
      }, keepaliveMs / 2);
      timer.unref();
    },
    stop() {
      if (!timer) return;
      clearInterval(timer);
      timer = undefined;
      if (client.connected) client.reschedulePing(true); // mqtt.js's own countdown from now
    },
  };
}
