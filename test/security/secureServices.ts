import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBus, buildGateway, buildRegistry, buildStore, buildWriter } from '../../services/app/components.js';
import { buildAdminServer, buildTenants } from '../../services/app/tenantsApp.js';
import { loadConfig } from '../../services/core/config.js';
import { Telemetry } from '../../services/core/telemetry.js';
import { randomSecret } from '../../services/security/secrets.js';
import { loadTls } from '../../services/security/tls.js';
import { portOpen } from '../helpers/portOpen.js';
import { STACK, createBucket, discardSession, runId, writeRegistry } from '../helpers/stack.js';
import { capturedLogger, httpsJson, securityStack } from './support.js';

/**
 * Klimatpuls as a city runs it for tenants, in this process, against the real
 * stack: the admin API over HTTPS (the stack's local CA), the tenant registry in a
 * temporary TENANTS_DIR writing the real Mosquitto's password and ACL files, a
 * bucket and read token per tenant in the real InfluxDB, and a gateway + writer
 * (Kafka) routing each tenant's readings to its bucket. Names are unique per run.
 * Every log line of every part is captured (`lines`).
 */
export async function startSecureServices(extraEnv: Record<string, string> = {}) {
  const stack = securityStack();
  for (const url of [stack.tenantUrl, stack.tlsUrl]) {
    const u = new URL(url);
    if (!(await portOpen(Number(u.port)))) {
      throw new Error(`Mosquitto has no tenant listener on ${u.port} (started by an older stack.sh?); run: bash deploy/stack/stack.sh restart mosquitto`);
    }
  }
  const id = runId('s');
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-security-'));
  const mainBucket = `test-${id}`;
  await createBucket(mainBucket);
  const adminToken = randomSecret(32);
  const operatorDevice = `op-${id}`;
  const c = loadConfig({
    ...stack.env,
    MQTT_URL: STACK.mqttUrl, KAFKA_BROKERS: STACK.kafka, INFLUX_URL: STACK.influxUrl, INFLUX_TOKEN: STACK.influxToken, INFLUX_ORG: STACK.influxOrg,
    INFLUX_BUCKET: mainBucket, INFLUX_TENANT_BUCKET_PREFIX: `${id}-`,
    MQTT_CLIENT_ID: `gw-${id}`, READINGS_TOPIC: `test.${id}.readings`, DEADLETTER_TOPIC: `test.${id}.deadletter`, WRITER_GROUP_ID: `writer-${id}`,
    DATA_DIR: dir, GRAFANA_TENANTS_DIR: join(dir, 'grafana'),
    REGISTRY_FILE: writeRegistry([{ id: operatorDevice, tenant: 'kalmar', kind: 'temperature' }]),
    TLS_CERT_FILE: stack.certFile, TLS_KEY_FILE: stack.keyFile,
    ADMIN_TOKEN: adminToken, ADMIN_HTTP_PORT: '0',
    RATE_LIMIT_DEVICE_PER_MIN: '60', RATE_LIMIT_DEVICE_BURST: '3',
    LOG_LEVEL: 'debug',
    ...extraEnv,
  });
  const { logger, lines } = capturedLogger('debug');
  const telemetry = new Telemetry({ defaultMetrics: false });
  const tenants = buildTenants(c, logger, buildRegistry(c));
  tenants.store.watch(() => {});
  tenants.tenants.syncAccess();
  const tls = loadTls(c)!;
  const admin = buildAdminServer(c, tenants, { logger, tls, port: 0 });
  const adminUrl = await admin.start();
  const bus = buildBus(c, logger);
  const store = await buildStore(c, tenants.store);
  const writer = buildWriter(c, { bus, store, logger, telemetry });
  await writer.start();
  const gateway = buildGateway(c, { bus, registry: tenants.lookup, logger, telemetry, mqttUrl: c.MQTT_URL! });
  await gateway.start();
  const ca = readFileSync(stack.caFile);
  const api = (method: string, path: string, token?: string, body?: unknown) => httpsJson(`${adminUrl}${path}`, { ca, method, token, body });

  /** Creates a tenant through the admin API; its secrets are remembered for the log check. */
  const secrets: string[] = [adminToken];
  async function createTenant(name: string) {
    const tenantId = `${name}-${id}`;
    const res = await api('POST', '/api/admin/tenants', adminToken, { id: tenantId, name: `Housing company ${name.toUpperCase()}` });
    if (res.status !== 201) throw new Error(`create ${tenantId}: ${res.status} ${JSON.stringify(res.body)}`);
    const cr = res.body.credentials;
    secrets.push(cr.mqtt.password, cr.apiToken, cr.influx.readToken);
    return { id: tenantId, mqtt: cr.mqtt as { url: string; tlsUrl: string; username: string; password: string; clientId: string }, apiToken: cr.apiToken as string, influx: cr.influx as { bucket: string; readToken: string }, response: res.body };
  }

  return {
    id, dir, config: c, stack, ca, adminUrl, adminToken, operatorDevice, lines, secrets, tenants, api, createTenant,
    async stop() {
      await gateway.stop();
      await writer.stop();
      await bus.close();
      await admin.stop();
      tenants.store.close();
      await discardSession(c.MQTT_CLIENT_ID);
      // Leave the broker as it was: no tenant of this run keeps access.
      await tenants.store.update((s) => {
        s.tenants = [];
      });
      tenants.tenants.syncAccess();
    },
  };
}

export type SecureServices = Awaited<ReturnType<typeof startSecureServices>>;
export type TestTenant = Awaited<ReturnType<SecureServices['createTenant']>>;

