/**
 * One rule added to aedes's session store: a packet identifier that a queued, unacknowledged
 * QoS 1/2 message of a session holds is never given to another message of that session
 * (MQTT 3.1.1 §2.3.1: an identifier in use must not be reused).
 *
 * Why by hand: aedes 1.2 numbers outgoing messages from a counter of the *connection*
 * (`client._nextId` in aedes/lib/client.js and lib/qos-packet.js) that starts at a random
 * value and never looks at the session. Messages sent on an earlier connection and not yet
 * acknowledged keep their identifiers (they must, MQTT-4.4.0-1), so after a reconnect new
 * messages get identifiers the queue already holds. A PUBACK then removes the FIRST queued
 * message with that identifier (aedes-persistence `outgoingClearMessageId`), which can be one
 * the client has not even received; aedes then fails to resend it ("no such packet", the
 * connection is dropped) and the message is gone, no error anywhere. That is how a gateway
 * paused by backpressure, disconnected and reconnected lost runs of hundreds of messages
 * (issue 13; test/faults/embeddedReconnect.test.ts). No option of aedes changes this.
 *
 * `outgoingUpdate(client, packet)` is where aedes records the identifier it is about to
 * send the packet with (both for new messages and for resending the queue) and then writes
 * that same packet object, so choosing a free identifier there changes what goes on the wire.
 */
interface QueuedPacket {
  brokerId: string;
  brokerCounter: number;
  messageId?: number;
}
interface SessionClient {
  id: string;
  _nextId: number;
}
interface OutgoingStore {
  outgoingUpdate(client: SessionClient, packet: QueuedPacket): Promise<void>;
  outgoingClearMessageId(client: SessionClient, packet: { messageId?: number }): Promise<QueuedPacket | undefined>;
}

/** Identifiers in use by one session: identifier → packet, packet → identifier. */
interface SessionIds {
  byId: Map<number, string>;
  byPacket: Map<string, number>;
}

const MAX_ID = 65_535;

export function keepPacketIdsUnique(store: OutgoingStore): void {
  const sessions = new Map<string, SessionIds>();
  const idsOf = (clientId: string): SessionIds => {
    let s = sessions.get(clientId);
    if (!s) sessions.set(clientId, (s = { byId: new Map(), byPacket: new Map() }));
    return s;
  };
  const forget = (s: SessionIds, key: string) => {
    const id = s.byPacket.get(key);
    if (id !== undefined && s.byId.get(id) === key) s.byId.delete(id);
    s.byPacket.delete(key);
  };

  const update = store.outgoingUpdate.bind(store);
  const clear = store.outgoingClearMessageId.bind(store);

  store.outgoingUpdate = (client, packet) => {
    const s = idsOf(client.id);
    const key = `${packet.brokerId}:${packet.brokerCounter}`;
    const holder = packet.messageId === undefined ? undefined : s.byId.get(packet.messageId);
    if (packet.messageId !== undefined && holder !== undefined && holder !== key) {
      const free = freeId(client, s);
      if (free === undefined) return Promise.reject(new Error(`session ${client.id}: all ${MAX_ID} packet identifiers are in use`));
      packet.messageId = free;
    }
    // Synchronously, before the store's promise: two packets written at once never pick the same id.
    forget(s, key);
    if (packet.messageId !== undefined) {
      s.byId.set(packet.messageId, key);
      s.byPacket.set(key, packet.messageId);
    }
    return update(client, packet).catch((err: unknown) => {
      forget(s, key); // not in the queue (already acknowledged): nothing holds the id
      throw err;
    });
  };

  store.outgoingClearMessageId = async (client, packet) => {
    const removed = await clear(client, packet);
    if (removed) {
      const s = sessions.get(client.id);
      if (s) forget(s, `${removed.brokerId}:${removed.brokerCounter}`);
    }
    return removed;
  };
}

/** The next identifier after the connection's counter that the session does not hold. */
function freeId(client: SessionClient, s: SessionIds): number | undefined {
  let id = client._nextId;
  for (let tried = 0; tried < MAX_ID; tried++) {
    if (id < 1 || id > MAX_ID) id = 1;
    if (!s.byId.has(id)) {
      client._nextId = id >= MAX_ID ? 1 : id + 1;
      return id;
    }
    id++;
  }
  return undefined;
}
