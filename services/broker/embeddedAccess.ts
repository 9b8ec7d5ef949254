import type { Aedes, AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Logger } from '../core/logger.js';
import type { Tenant, TenantState } from '../tenants/model.js';
import { mayPublish } from '../tenants/topicSpace.js';
import type { TenantStore } from '../tenants/tenantStore.js';
import { LoginThrottle } from '../security/loginThrottle.js';
import { isReservedTenantId } from '../tenants/tenantIds.js';
import { PIPELINE_MQTT_USERNAME, sameSecret } from './mqttIdentity.js';

type Hooks = Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

/**
 * The embedded broker's (aedes) version of Mosquitto's tenant listeners:
 *
 * - a connection to a tenant listener (plain or TLS) must present a tenant's MQTT
 *   username and password (checked against the registry's scrypt hash; the tenant
 *   must be active); anonymous is refused (CONNACK 5);
 * - a tenant client's id must be its username (CONNACK 2 otherwise, before any
 *   registry lookup), so a tenant can take over no session but its own — not the
 *   gateway's, not another tenant's (mqttIdentity.ts; Mosquitto forces the same id
 *   with `use_username_as_clientid`); tenant ids `klimatpuls…` are refused;
 * - the internal listener is the pipeline's own: only the user `klimatpuls` with the
 *   pipeline password (DATA_DIR/mqtt/pipeline.password) connects there, with any
 *   client id; anonymous clients and tenants are refused (CONNACK 5), like on
 *   Mosquitto, whose 1883 password file holds the pipeline user only;
 * - a tenant's client may publish and subscribe only under its own roots
 *   (topicSpace.ts): a publish elsewhere closes the connection (MQTT 3.1.1 has no
 *   negative PUBACK), a subscription elsewhere gets SUBACK 0x80, and nothing of
 *   another tenant is ever forwarded to it;
 * - when a tenant is disabled, or its password rotated, its connected clients are
 *   disconnected at once (the registry is watched; own changes are seen at once);
 * - failed logins are throttled per address and username, unknown users cost the
 *   same as wrong passwords (loginThrottle.ts); tenants publish only: no
 *   subscriptions (nothing is ever queued for a tenant's offline session) and no
 *   retained messages (a retained publish closes the connection, as Mosquitto's
 *   `retain_available false` does), so a tenant cannot make the broker hold its data.
 */
export class EmbeddedAccess {
  /** Sockets accepted by a tenant listener: these must authenticate. */
  readonly tenantSockets = new WeakSet<object>();
  private readonly tenantOf = new WeakMap<Client, { tenant: string; passwordHash: string }>();
  private readonly clients = new Map<string, Set<Client>>();

  constructor(
    private readonly store: TenantStore,
    private readonly log: Logger,
    /** The pipeline's password on the internal listener (user `klimatpuls`). */
    private readonly pipelinePassword: string,
    private readonly throttle = new LoginThrottle({ failuresPerMin: 10 }),
  ) {
    store.watch((before, after) => this.onRegistryChange(before, after));
  }

  hooks(): Hooks {
    return {
      authenticate: (client, username, password, done) => {
        if (!this.tenantSockets.has(client.conn)) {
          // The internal (pipeline) listener.
          if (username !== PIPELINE_MQTT_USERNAME) return done(authError(5, 'the pipeline listener is for Klimatpuls itself; tenants connect on the tenant listener'), null);
          if (!password || !sameSecret(password.toString('utf8'), this.pipelinePassword)) return done(authError(4, 'bad username or password'), null);
          return done(null, true);
        }
        if (username === undefined || username === '') return done(authError(5, 'anonymous clients are not allowed on the tenant listener'), null);
        // Checked before the registry: the rule needs no lookup, and answers the same for unknown users.
        if (client.id !== username) return done(authError(2, 'the client id must be the MQTT username'), null);
        const tenant = this.byUsername(username);
        const hash = tenant?.status === 'active' && password && !isReservedTenantId(tenant.id) ? tenant.mqtt.passwordHash : undefined;
        const address = (client.conn as { remoteAddress?: string }).remoteAddress;
        this.throttle.check(username, address, password?.toString('utf8') ?? '', hash).then(
          (result) => {
            if (result === 'throttled' || result === 'busy') return done(authError(3, 'too many failed logins: try again later'), null);
            if (result !== 'ok') return done(authError(4, 'bad username or password'), null);
            this.tenantOf.set(client, { tenant: tenant!.id, passwordHash: hash! });
            done(null, true);
          },
          () => done(authError(3, 'cannot check credentials'), null),
        );
      },
      authorizePublish: (client, packet, done) => {
        const t = client ? this.activeTenantOf(client) : undefined;
        if (client && t === null) return done(new Error('tenant disabled'));
        if (t && !mayPublish(t, packet.topic)) {
          this.log.warn({ tenant: t, topic: packet.topic }, 'publish outside the tenant topic space refused');
          return done(new Error('not authorized'));
        }
        if (t && packet.retain) {
          this.log.warn({ tenant: t, topic: packet.topic }, 'retained publish of a tenant refused (tenants may not retain)');
          return done(new Error('retain not available'));
        }
        done(null);
      },
      authorizeSubscribe: (client, sub, done) => {
        const t = this.activeTenantOf(client);
        // Tenants publish only (their data is read through the API): a subscription would
        // let the broker queue messages for the tenant's offline session without bound.
        if (t !== undefined) return done(null, null);
        done(null, sub);
      },
      authorizeForward: (client, packet) => {
        const t = this.activeTenantOf(client);
        if (t === null || (t && !mayPublish(t, packet.topic))) return null;
        return packet;
      },
    };
  }

  /** Tracks connected tenant clients (for disconnecting them when the tenant is disabled). */
  attach(broker: Aedes): void {
    broker.on('clientReady', (client) => {
      const t = this.tenantOf.get(client);
      if (!t) return;
      let set = this.clients.get(t.tenant);
      if (!set) this.clients.set(t.tenant, (set = new Set()));
      set.add(client);
    });
    broker.on('clientDisconnect', (client) => {
      const t = this.tenantOf.get(client);
      if (t) this.clients.get(t.tenant)?.delete(client);
    });
  }

  /** undefined: not a tenant client (internal); null: a tenant that is no longer active. */
  private activeTenantOf(client: Client): string | undefined | null {
    const t = this.tenantOf.get(client);
    if (!t) return undefined;
    const now = this.store.fresh(100).tenant(t.tenant);
    return now && now.status === 'active' && now.mqtt.passwordHash === t.passwordHash ? t.tenant : null;
  }

  private byUsername(username: string): Tenant | undefined {
    this.store.fresh();
    return this.store.tenant(username) ?? this.store.read().tenants.find((t) => t.mqtt.username === username);
  }

  private onRegistryChange(_before: TenantState, after: TenantState): void {
    for (const [tenant, set] of this.clients) {
      const t = after.tenants.find((x) => x.id === tenant);
      for (const client of set) {
        if (t && t.status === 'active' && t.mqtt.passwordHash === this.tenantOf.get(client)?.passwordHash) continue;
        this.log.info({ tenant, client: client.id }, 'tenant access revoked: disconnecting its client');
        set.delete(client);
        client.close();
      }
    }
  }
}

function authError(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}
