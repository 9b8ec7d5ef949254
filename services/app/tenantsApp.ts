import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { grafanaTenantsDir, tenantsDir, type Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import { AdminServer } from '../admin/adminServer.js';
import { adminRoutes } from '../admin/adminRoutes.js';
import type { DeviceRegistry } from '../registry/deviceRegistry.js';
import { MosquittoAccess } from '../broker/mosquittoAccess.js';
import type { TlsFiles } from '../security/tls.js';
import type { ReadingStore } from '../core/storePorts.js';
import { AccessTokens } from '../tenants/accessTokens.js';
import { AuditLog } from '../tenants/auditLog.js';
import { DeviceService } from '../tenants/deviceService.js';
import { InfluxTenants } from '../sinks/influx/influxTenants.js';
import { TenantDeviceLookup } from '../tenants/tenantDevices.js';
import { TenantTopicRouter } from '../gateway/routing/tenantRouter.js';
import { TenantService } from '../tenants/tenantService.js';
import { TenantStore } from '../tenants/tenantStore.js';
import { LoginThrottle } from '../security/loginThrottle.js';
import { securePrivateDir } from '../core/privateFiles.js';

export interface Tenants {
  dir: string;
  store: TenantStore;
  audit: AuditLog;
  tenants: TenantService;
  devices: DeviceService;
  tokens: AccessTokens;
  /** REGISTRY_FILE + tenant-registered devices: what the gateway looks devices up in. */
  lookup: TenantDeviceLookup;
}

/**
 * The tenant part of Klimatpuls from configuration: registry in TENANTS_DIR
 * (default DATA_DIR/tenants), Mosquitto's files when MOSQUITTO_* are set, a bucket
 * per tenant when INFLUX_URL is set, Grafana provisioning next to it.
 */
export function buildTenants(c: Config, logger: Logger, fileRegistry: DeviceRegistry, mqttDefaults: { url: string; tlsUrl?: string } = defaultTenantUrls(c)): Tenants {
  const dir = resolve(tenantsDir(c));
  if (existsSync(dir)) securePrivateDir(dir, logger, ['secrets']); // created 0700 at its first change
  const store = new TenantStore(dir, { maxBytes: c.REGISTRY_MAX_BYTES });
  const audit = new AuditLog(join(dir, 'audit.ndjson'));
  const secretsDir = join(dir, 'secrets');
  const influx = c.INFLUX_URL ? new InfluxTenants({ url: c.INFLUX_URL, token: c.INFLUX_TOKEN!, org: c.INFLUX_ORG, bucketPrefix: c.INFLUX_TENANT_BUCKET_PREFIX }) : undefined;
  const mosquitto = c.MOSQUITTO_PASSWORD_FILE && c.MOSQUITTO_ACL_FILE
    ? new MosquittoAccess({ passwordFile: c.MOSQUITTO_PASSWORD_FILE, aclFile: c.MOSQUITTO_ACL_FILE, pidFile: c.MOSQUITTO_PID_FILE, logger: logger.child({ component: 'mosquitto-access' }) })
    : undefined;
  const tenants = new TenantService({
    store, audit, logger, secretsDir, mosquitto, influx,
    mqtt: { url: c.MQTT_TENANT_URL ?? mqttDefaults.url, ...((c.MQTT_TENANT_TLS_URL ?? mqttDefaults.tlsUrl) ? { tlsUrl: c.MQTT_TENANT_TLS_URL ?? mqttDefaults.tlsUrl } : {}) },
    ...(c.INFLUX_URL ? { grafana: { dir: grafanaTenantsDir(c), secretsDir: c.GRAFANA_SECRETS_DIR ?? secretsDir, influxUrl: c.INFLUX_URL, influxOrg: c.INFLUX_ORG } } : {}),
  });
  return {
    dir, store, audit, tenants,
    devices: new DeviceService(store, fileRegistry, audit, { maxDevicesPerTenant: c.MAX_DEVICES_PER_TENANT, maxBuildingsPerTenant: c.MAX_BUILDINGS_PER_TENANT }),
    tokens: new AccessTokens(store, audit, c.ADMIN_TOKEN, c.OPERATOR_TOKEN, new LoginThrottle({ failuresPerMin: c.LOGIN_FAILURES_PER_MIN })),
    lookup: new TenantDeviceLookup(fileRegistry, store),
  };
}

export function defaultTenantUrls(c: Config, tls = Boolean(c.TLS_CERT_FILE)): { url: string; tlsUrl?: string } {
  return {
    url: `mqtt://${c.HTTP_HOST}:${c.MQTT_TENANT_PORT ?? 1884}`,
    ...(tls ? { tlsUrl: `mqtts://${c.HTTP_HOST === '127.0.0.1' ? 'localhost' : c.HTTP_HOST}:${c.MQTT_TLS_PORT ?? 8883}` } : {}),
  };
}

export function buildAdminServer(c: Config, t: Tenants, deps: { logger: Logger; tls?: TlsFiles; readings?: ReadingStore; port?: number }): AdminServer {
  return new AdminServer({
    host: c.ADMIN_HTTP_HOST,
    port: deps.port ?? c.ADMIN_HTTP_PORT ?? 8084,
    tokens: t.tokens,
    logger: deps.logger,
    tls: deps.tls,
    // A building or device with params of 4 kB fits many times over; only the dry run carries a payload.
    maxBodyBytes: ADMIN_MAX_BODY_BYTES,
    routes: adminRoutes({
      dryRunMaxBodyBytes: Math.max(64 * 1024, Math.ceil((c.MAX_PAYLOAD_BYTES * 4) / 3) + 8 * 1024),
      tenants: t.tenants,
      devices: t.devices,
      tokens: t.tokens,
      audit: t.audit,
      readings: deps.readings,
      dryRun: {
        router: new TenantTopicRouter(c.DECODER_ROUTES ?? DEFAULT_ROUTES),
        devices: t.lookup,
        maxPayloadBytes: c.MAX_PAYLOAD_BYTES,
        maxReadingsPerMessage: c.MAX_READINGS_PER_MESSAGE,
        maxFutureMs: c.MAX_FUTURE_SKEW_S * 1000,
      },
    }),
  });
}

/** Largest body of an admin API request other than a dry run. */
export const ADMIN_MAX_BODY_BYTES = 32 * 1024;

/**
 * First start without any admin token (and no ADMIN_TOKEN): issue one and leave it in
 * `<TENANTS_DIR>/admin.token` (mode 0600) for the operator; its path is printed,
 * never the token. Returns that path when a token was issued.
 */
export async function bootstrapAdminToken(c: Config, t: Tenants): Promise<string | undefined> {
  return bootstrapToken(t, 'admin', c.ADMIN_TOKEN);
}

/**
 * The same for the operational endpoints (/metrics, /api/readings/latest,
 * /api/indicators, /report): without OPERATOR_TOKEN and any stored operator token,
 * `start` issues one into `<TENANTS_DIR>/operator.token` (0600), so that
 * `curl -H "Authorization: Bearer $(cat .klimatpuls/tenants/operator.token)"` works.
 */
export async function bootstrapOperatorToken(c: Config, t: Tenants): Promise<string | undefined> {
  return bootstrapToken(t, 'operator', c.OPERATOR_TOKEN);
}

async function bootstrapToken(t: Tenants, role: 'admin' | 'operator', fromConfig: string | undefined): Promise<string | undefined> {
  if (fromConfig || t.tokens.hasTokens(role)) return undefined;
  const file = join(t.dir, `${role}.token`);
  if (existsSync(file)) return undefined;
  const issued = await t.tokens.createToken(role, 'bootstrap', { kind: 'system', id: 'first-start' });
  mkdirSync(t.dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${issued.token}\n`, { mode: 0o600 });
  return file;
}
