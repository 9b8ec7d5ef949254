import { tenantOfTopic } from '../tenants/topicSpace.js';

/**
 * A bound on what the embedded broker (aedes, sessions in memory) holds for persistent
 * sessions — in practice the gateway's: QoS 1 messages queued and not yet acknowledged.
 * While the gateway reads, aedes already paces publishers (a publisher's packets are
 * handled only once they were written to the subscriber). But a gateway that is offline
 * (restarting, reconnecting after a keepalive or drain timeout) makes every publish an
 * append to aedes-persistence's in-memory queue that nothing bounds: a tenant's burst
 * faster than the pipeline drains was all held in the broker's RAM (issue 13; flooding
 * it, aedes also crashed with "Maximum call stack size exceeded" in mqemitter).
 *
 * How: the store's outgoingEnqueue/outgoingEnqueueCombi (a message queued for a session)
 * and outgoingClearMessageId (acknowledged, or dropped for a clean session) are wrapped to
 * count bytes, per session and per tenant that owns the topic. `admit` is called from
 * authorizePublish: while the backlog is over `maxBytes`, or the publishing tenant holds
 * more than `maxBytesPerTenant` of it, its `done` waits. aedes handles a connection's
 * packets in batches and reads the socket again only when every packet of the batch is
 * done (nextBatch in aedes/lib/client.js), so the publisher's socket is not read, TCP
 * backpressure reaches the device, and its PUBACK waits: nothing is refused or lost.
 * No deadlock: only publishes wait; the gateway never publishes, and its PUBACKs (which
 * free the bound) arrive on its own connection. Per tenant, so a hostile tenant is paused
 * at its share while the others' messages still go in. No option of aedes does this
 * (its queueLimit counts packets before CONNECT only).
 */
export interface SessionBacklogOptions {
  /** Bytes of queued messages for all sessions together (MQTT_EMBEDDED_MAX_QUEUED_BYTES). */
  maxBytes: number;
  /** Bytes of queued messages one tenant's topics may hold (MQTT_EMBEDDED_MAX_QUEUED_BYTES_PER_TENANT). */
  maxBytesPerTenant: number;
}

interface QueuedPacket {
  topic: string;
  payload?: Buffer | string;
  brokerId?: string;
  brokerCounter?: number;
}
interface SessionStore {
  outgoingEnqueue(sub: { clientId: string }, packet: QueuedPacket): Promise<void>;
  outgoingEnqueueCombi(subs: Array<{ clientId: string }>, packet: QueuedPacket): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<QueuedPacket | undefined>;
}

/** aedes's Client: `pause()` makes it stop reading its socket; `_paused` is what it checks. */
export interface PausableClient {
  pause(): void;
  _paused: boolean;
  /** Set by aedes once the connection is closed. */
  closed?: boolean;
}

/** Publishes without a tenant (the pipeline's own, on the internal listener) are counted here. */
const NO_TENANT = '';
/** Object overhead of a queued packet (aedes-packet, the queue slot) beyond topic and payload. */
const PACKET_OVERHEAD = 200;

export const packetBytes = (p: { topic: string; payload?: Buffer | string }) =>
  p.topic.length + (p.payload === undefined ? 0 : typeof p.payload === 'string' ? Buffer.byteLength(p.payload) : p.payload.length) + PACKET_OVERHEAD;

export class SessionBacklog {
  private total = 0;
  private readonly byTenant = new Map<string, number>();
  /** session + packet → what it was counted for (one entry per session a message is queued for). */
  private readonly queued = new Map<string, { bytes: number; tenant: string }>();
  private waiting: Array<{ tenant: string; client: PausableClient | null; go: () => void }> = [];
  private readonly waitingOf = new Map<PausableClient, number>();
  /** Publishes that had to wait, since the start (for metrics and tests). */
  paused = 0;

  constructor(private readonly o: SessionBacklogOptions) {}

  /** Bytes held now, in total and per tenant. */
  get bytes(): number {
    return this.total;
  }
  tenantBytes(tenant: string): number {
    return this.byTenant.get(tenant) ?? 0;
  }
  get waitingPublishes(): number {
    return this.waiting.length;
  }

  attach(store: SessionStore): void {
    const enqueue = store.outgoingEnqueue.bind(store);
    const enqueueCombi = store.outgoingEnqueueCombi.bind(store);
    const clear = store.outgoingClearMessageId.bind(store);
    store.outgoingEnqueue = (sub, packet) => (this.add(sub.clientId, packet), enqueue(sub, packet));
    store.outgoingEnqueueCombi = (subs, packet) => {
      for (const s of subs) this.add(s.clientId, packet);
      return enqueueCombi(subs, packet);
    };
    store.outgoingClearMessageId = async (client, packet) => {
      const removed = await clear(client, packet);
      if (removed) this.remove(client.id, removed);
      return removed;
    };
  }

  /**
   * Calls `go` now if the tenant owning `topic` may add to the backlog, else once it may
   * (in arrival order among those that may). A tenant may publish only in its own topic
   * space (embeddedAccess.ts), so the topic's owner is the publishing tenant.
   *
   * While one of its publishes waits, the publisher's connection is paused (aedes
   * `client.pause()`): aedes otherwise reads the socket again on every 'readable' event
   * when a batch holds a single packet (nextBatch counts the event as a finished packet),
   * so a publisher of large messages would be read on and on, each waiting packet held
   * here. Unpaused (without aedes's `resume`, which would count one more finished
   * packet) before its publishes go on: the last of them reads the socket again.
   */
  admit(client: PausableClient | null, topic: string, go: () => void): void {
    const tenant = tenantOfTopic(topic) ?? NO_TENANT;
    if (this.waiting.length === 0 && this.mayAdd(tenant)) return go();
    this.paused++;
    if (client) {
      client.pause();
      this.waitingOf.set(client, (this.waitingOf.get(client) ?? 0) + 1);
    }
    this.waiting.push({ tenant, client, go });
    this.wake();
  }

  private mayAdd(tenant: string): boolean {
    return this.total < this.o.maxBytes && this.tenantBytes(tenant) < this.o.maxBytesPerTenant;
  }

  private add(clientId: string, packet: QueuedPacket): void {
    const key = `${clientId}\u0000${packet.brokerId}:${packet.brokerCounter}`;
    if (packet.brokerCounter === undefined || this.queued.has(key)) return;
    const entry = { bytes: packetBytes(packet), tenant: tenantOfTopic(packet.topic) ?? NO_TENANT };
    this.queued.set(key, entry);
    this.total += entry.bytes;
    this.byTenant.set(entry.tenant, this.tenantBytes(entry.tenant) + entry.bytes);
  }

  private remove(clientId: string, packet: QueuedPacket): void {
    const key = `${clientId}\u0000${packet.brokerId}:${packet.brokerCounter}`;
    const entry = this.queued.get(key);
    if (!entry) return;
    this.queued.delete(key);
    this.total -= entry.bytes;
    const left = this.tenantBytes(entry.tenant) - entry.bytes;
    if (left > 0) this.byTenant.set(entry.tenant, left);
    else this.byTenant.delete(entry.tenant);
    if (this.waiting.length > 0) this.wake();
  }

  /**
   * Lets through every waiting publish whose tenant may add now, oldest first. A tenant
   * over its share does not hold back one that is not; what went through is counted
   * only once aedes queues it, so a few batches may overshoot the bound by what was
   * admitted at once (one socket read per publisher).
   */
  private wake(): void {
    // A publish of a closed connection goes on too: aedes then fails to write its PUBACK and
    // drops it (the device resends it), so nothing of a gone client is held here. A paused
    // connection is not read, so aedes notices the peer gone only when the client's
    // keepalive (1.5 x) runs out; until then it holds one socket read of that client.
    const full = this.total >= this.o.maxBytes;
    if (full && !this.waiting.some((w) => w.client?.closed)) return;
    const still: typeof this.waiting = [];
    const go: typeof this.waiting = [];
    for (const w of this.waiting) (w.client?.closed || (!full && this.mayAdd(w.tenant)) ? go : still).push(w);
    this.waiting = still;
    for (const w of go) {
      const left = w.client ? (this.waitingOf.get(w.client) ?? 1) - 1 : 0;
      if (w.client && left > 0) this.waitingOf.set(w.client, left);
      else if (w.client) {
        this.waitingOf.delete(w.client);
        w.client._paused = false;
      }
    }
    for (const w of go) w.go();
  }
}
