import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions } from 'aedes';
import { KlimatpulsError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { DEFAULT_BROKER_LIMITS, ListenerGuard, refusalLog, type BrokerLimits } from './connectionLimits.js';
import type { EmbeddedAccess } from './embeddedAccess.js';
import type { TlsFiles } from '../security/tls.js';
import { SessionBacklog, type PausableClient, type SessionBacklogOptions } from './sessionBacklog.js';
import { keepPacketIdsUnique } from './uniquePacketIds.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Tenant access rules (authenticate/authorize hooks); with it the tenant listeners open. */
  access?: EmbeddedAccess;
  /** Tenant listener (credentials required); needs `access`. */
  tenantPort?: number;
  /** TLS tenant listener (credentials required); needs `access`. */
  tls?: TlsFiles & { port: number };
  /** A tenant listener whose port is in use is skipped with a warning instead of failing the start. */
  optionalTenantListeners?: boolean;
  /** Packet size, connection counts, CONNECT timeout (connectionLimits.ts); defaults: DEFAULT_BROKER_LIMITS. */
  limits?: BrokerLimits;
  /** Bound on the bytes queued for sessions; publishers wait while over it (sessionBacklog.ts). Default DEFAULT_SESSION_BACKLOG. */
  backlog?: SessionBacklogOptions;
}

export const DEFAULT_SESSION_BACKLOG: SessionBacklogOptions = { maxBytes: 128 * 1024 * 1024, maxBytesPerTenant: 32 * 1024 * 1024 };

/**
 * The embedded MQTT broker of `npm start` (aedes): the same topics and payloads as
 * the production Mosquitto, QoS 1 and persistent sessions included (in memory, so
 * they last as long as the process). Like the native stack it has an anonymous
 * loopback listener for Klimatpuls itself (`port`) and, with tenant access rules,
 * tenant listeners that require credentials (`tenantPort`, and `tls.port` over TLS).
 */
export class EmbeddedBroker {
  private broker?: Aedes;
  private servers: Server[] = [];
  private tenantGuard?: ListenerGuard;
  /** What the broker holds for sessions (bytes, waiting publishes). */
  readonly backlog: SessionBacklog;
  /** URLs of the listeners that are open. */
  readonly urls: { internal?: string; tenant?: string; tls?: string } = {};

  constructor(private readonly o: EmbeddedBrokerOptions) {
    this.backlog = new SessionBacklog(o.backlog ?? DEFAULT_SESSION_BACKLOG);
  }

  async start(): Promise<string> {
    const log = this.o.logger.child({ component: 'mqtt-broker' });
    const access = this.o.access;
    const limits = this.o.limits ?? DEFAULT_BROKER_LIMITS;
    const hooks: Partial<ReturnType<EmbeddedAccess['hooks']>> = access ? access.hooks() : {};
    const authorize = hooks.authorizePublish ?? refuseSys;
    const backlog = this.backlog;
    this.broker = await Aedes.createBroker({
      id: 'klimatpuls-embedded',
      connectTimeout: limits.connectTimeoutMs,
      ...hooks,
      // Access rules first; an allowed publish then waits while the session backlog is over its bound.
      authorizePublish: (client, packet, done) => authorize(client, packet, (err?: Error | null) => (err ? done(err) : backlog.admit(client as unknown as PausableClient | null, packet.topic, () => done(null)))),
    });
    const broker = this.broker;
    const persistence = (broker as unknown as { persistence: Parameters<typeof keepPacketIdsUnique>[0] & Parameters<SessionBacklog['attach']>[0] }).persistence;
    // Before any listener opens: no session may hand out an identifier still in use (uniquePacketIds.ts),
    // and what sessions hold is counted and bounded (sessionBacklog.ts).
    keepPacketIdsUnique(persistence);
    backlog.attach(persistence);
    access?.attach(broker);
    broker.on('clientError', (client, err) => log.debug({ client: client?.id, err: err.message }, 'client error'));
    const guard = (maxPerAddress?: number) =>
      new ListenerGuard({ ...limits, maxPerAddress, onRefused: refusalLog((f, m) => log.warn(f, m)) });
    const internalGuard = guard(); // loopback only: every client has the same address
    const tenantGuard = (this.tenantGuard = guard(limits.maxConnectionsPerAddress)); // one count for plain and TLS
    broker.on('connackSent', (_packet, client) => (internalGuard.connected(client.conn), tenantGuard.connected(client.conn)));
    const internalServer = createServer((s) => internalGuard.admit(s) && broker.handle(s));
    internalGuard.attach(internalServer);
    const internal = await this.listen(internalServer, this.o.port);
    this.urls.internal = `mqtt://${this.o.host}:${internal}`;
    const optional = async (port: number, server: Server): Promise<number | undefined> => {
      try {
        return await this.listen(server, port);
      } catch (err) {
        if (!this.o.optionalTenantListeners || !(err instanceof KlimatpulsError)) throw err;
        log.warn({ port }, 'tenant listener not started: port in use (set MQTT_TENANT_PORT / MQTT_TLS_PORT)');
        return undefined;
      }
    };
    if (access && this.o.tenantPort !== undefined) {
      const server = createServer((s) => this.tenantConnection(s));
      tenantGuard.attach(server);
      const port = await optional(this.o.tenantPort, server);
      if (port !== undefined) this.urls.tenant = `mqtt://${this.o.host}:${port}`;
    }
    if (access && this.o.tls) {
      const server = createTlsServer({ cert: this.o.tls.cert, key: this.o.tls.key, minVersion: 'TLSv1.2' }, (s) => this.tenantConnection(s));
      server.on('tlsClientError', (err) => log.debug({ err: err.message }, 'TLS handshake failed'));
      tenantGuard.attach(server);
      const port = await optional(this.o.tls.port, server);
      if (port !== undefined) this.urls.tls = `mqtts://${this.o.host === '127.0.0.1' ? 'localhost' : this.o.host}:${port}`;
    }
    return this.urls.internal;
  }

  private tenantConnection(socket: Socket): void {
    if (!this.tenantGuard!.admit(socket)) return;
    this.o.access!.tenantSockets.add(socket);
    this.broker!.handle(socket);
  }

  private async listen(server: Server, port: number): Promise<number> {
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new KlimatpulsError('BROKER_UNAVAILABLE', `port ${port} is in use (another MQTT broker?); set MQTT_EMBEDDED_PORT or MQTT_URL (tenant listeners: MQTT_TENANT_PORT, MQTT_TLS_PORT)`)
            : err,
        ),
      );
      server.listen(port, this.o.host, () => resolve());
    });
    return (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const { servers, broker } = this;
    this.servers = [];
    this.broker = undefined;
    if (broker) await new Promise<void>((r) => broker.close(() => r()));
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** aedes's default authorizePublish: $SYS topics are the broker's own. */
const refuseSys: NonNullable<AedesOptions['authorizePublish']> = (_client, packet, done) =>
  done(packet.topic.startsWith('$SYS') ? new Error('$SYS topic is reserved') : null);
