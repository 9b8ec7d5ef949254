import { maxPacketBytes, type Config } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { EmbeddedBroker } from '../broker/embeddedBroker.js';
import type { AdminServer } from '../admin/adminServer.js';
import { EmbeddedAccess } from '../broker/embeddedAccess.js';
import { ensurePipelinePassword, PIPELINE_MQTT_USERNAME } from '../broker/mqttIdentity.js';
import { LoginThrottle } from '../security/loginThrottle.js';
import type { TlsFiles } from '../security/tls.js';
import type { ReadingStore } from '../core/storePorts.js';
import { bootstrapAdminToken, buildAdminServer, type Tenants } from './tenantsApp.js';

/**
 * The embedded broker with the tenants' listeners (credentials; TLS when certificates
 * are configured). Its internal listener takes only the pipeline user, whose password
 * is generated once into DATA_DIR/mqtt/pipeline.password (0600): returned for the
 * in-process gateway and simulator; `klimatpuls record/replay` read the same file.
 */
export async function startEmbeddedBroker(
  c: Config,
  t: Tenants,
  logger: Logger,
  tls?: TlsFiles,
): Promise<{ broker: EmbeddedBroker; pipelineAuth: { username: string; password: string } }> {
  const password = ensurePipelinePassword(c.DATA_DIR);
  const broker = new EmbeddedBroker({
    host: '127.0.0.1',
    port: c.MQTT_EMBEDDED_PORT,
    logger,
    access: new EmbeddedAccess(t.store, logger.child({ component: 'mqtt-access' }), password, new LoginThrottle({ failuresPerMin: c.LOGIN_FAILURES_PER_MIN })),
    limits: {
      maxPacketBytes: maxPacketBytes(c),
      maxConnections: c.MQTT_MAX_CONNECTIONS,
      maxConnectionsPerAddress: c.MQTT_MAX_CONNECTIONS_PER_ADDRESS,
      connectTimeoutMs: c.MQTT_CONNECT_TIMEOUT_MS,
    },
    backlog: {
      maxBytes: c.MQTT_EMBEDDED_MAX_QUEUED_BYTES,
      // a quarter by default: a tenant's burst is paused while others' messages still go in
      maxBytesPerTenant: c.MQTT_EMBEDDED_MAX_QUEUED_BYTES_PER_TENANT ?? Math.floor(c.MQTT_EMBEDDED_MAX_QUEUED_BYTES / 4),
    },
    tenantPort: c.MQTT_TENANT_PORT ?? 1884,
    ...(tls ? { tls: { ...tls, port: c.MQTT_TLS_PORT ?? 8883 } } : {}),
    optionalTenantListeners: c.MQTT_TENANT_PORT === undefined && c.MQTT_TLS_PORT === undefined,
  });
  await broker.start();
  return { broker, pipelineAuth: { username: PIPELINE_MQTT_USERNAME, password } };
}

/**
 * With a real broker, Mosquitto's password and ACL files are rewritten from the
 * registry at start (a broker reset, or changes made while Klimatpuls was down).
 * Without MOSQUITTO_* the tenants' MQTT credentials cannot reach the broker: said once.
 */
export function applyBrokerAccess(c: Config, t: Tenants, logger: Logger): void {
  if (c.MOSQUITTO_PASSWORD_FILE) {
    try {
      t.tenants.syncAccess();
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'could not apply tenant access to Mosquitto');
    }
  } else if (t.store.read().tenants.length > 0) {
    logger.warn('tenants exist but MOSQUITTO_PASSWORD_FILE / MOSQUITTO_ACL_FILE are not set: their MQTT credentials are not applied to the broker');
  }
}

/**
 * The admin API. In `start`, with ADMIN_HTTP_PORT unset and 8084 taken, it is skipped
 * with a warning (like the tenant listeners) so that `npm start` still runs.
 */
export async function startAdminApi(
  c: Config,
  t: Tenants,
  deps: { logger: Logger; tls?: TlsFiles; readings?: ReadingStore; optional: boolean },
): Promise<{ server?: AdminServer; url?: string; tokenFile?: string }> {
  const tokenFile = await bootstrapAdminToken(c, t);
  const server = buildAdminServer(c, t, deps);
  try {
    return { server, url: await server.start(), tokenFile };
  } catch (err) {
    if (!deps.optional || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    deps.logger.warn({ port: c.ADMIN_HTTP_PORT ?? 8084 }, 'admin API not started: port in use (set ADMIN_HTTP_PORT)');
    return { tokenFile };
  }
}
