import { join } from 'node:path';
import { loadConfig, tenantsDir, type Config } from '../core/config.js';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { SimulatorPublisher } from '../demo/mqttPublisher.js';
import type { EmbeddedBroker } from '../broker/embeddedBroker.js';
import { buildGateway, buildRegistry, buildStore, buildWriter, embeddedMetrics } from './components.js';
import { buildSink } from '../sinks/index.js';
import { Startup } from './startup.js';
import { buildIndicatorsApp } from './indicatorsApp.js';
import { demoLine, indicatorsStatus, settledMetrics, startDemoCity } from './demoApp.js';
import { landingRoute } from '../http/landingPage.js';
import { operatorAuth, watchedTenants, withKafkaDefault } from './serviceSupport.js';
import { bootstrapOperatorToken, buildTenants, type Tenants } from './tenantsApp.js';
import { applyBrokerAccess, startAdminApi, startEmbeddedBroker } from './tenantStartup.js';

/**
 * Composition roots: they only wire parts together. `start` runs everything in one
 * process; without MQTT_URL / KAFKA_BROKERS / INFLUX_URL it uses the embedded
 * broker, the in-process bus and DuckDB.
 */
export async function startAllInOne(env = process.env): Promise<void> {
  const c = loadConfig(env);
  const s = new Startup(c, { onStopped: () => process.stderr.write('klimatpuls stopped\n') });
  const { logger, telemetry, tls } = s;
  const lines: string[] = [];
  const fileRegistry = buildRegistry(c);
  const tenants = buildTenants(c, logger, fileRegistry);
  tenants.store.watch(() => {});
  s.add({ stop: async () => tenants.store.close() });

  let mqttUrl = c.MQTT_URL;
  let embedded: EmbeddedBroker | undefined;
  let mqttAuth: { username?: string; password?: string } = { username: c.MQTT_USERNAME, password: c.MQTT_PASSWORD };
  if (!mqttUrl) {
    const { broker, pipelineAuth } = await startEmbeddedBroker(c, tenants, logger, tls);
    mqttAuth = pipelineAuth;
    embedded = broker;
    mqttUrl = broker.urls.internal!;
    s.add(broker);
    lines.push(`MQTT broker   embedded (aedes) on ${mqttUrl}`);
    lines.push(`tenants MQTT  ${[broker.urls.tenant, broker.urls.tls].filter(Boolean).join('  ') || 'no tenant listener (ports in use)'} (credentials required)`);
  } else {
    lines.push(`MQTT broker   ${mqttUrl}`);
    applyBrokerAccess(c, tenants, logger);
    if (c.MOSQUITTO_PASSWORD_FILE) lines.push(`tenants MQTT  ${[c.MQTT_TENANT_URL, c.MQTT_TENANT_TLS_URL].filter(Boolean).join('  ')} (Mosquitto password + ACL files)`);
  }

  const bus = s.bus();
  embeddedMetrics(telemetry, embedded, bus);
  lines.push(`bus           ${bus.kind === 'memory' ? 'in-process (no KAFKA_BROKERS)' : `Kafka ${c.KAFKA_BROKERS!.join(',')}`}`);
  const sink = await buildSink(c, { tenants: tenants.store, logger });
  const store = sink.store;
  s.add({ stop: () => store.close() });
  lines.push(`store         ${store.kind === 'duckdb' ? `DuckDB ${c.DATA_DIR}/klimatpuls.duckdb (no INFLUX_URL)` : `InfluxDB ${c.INFLUX_URL} bucket ${c.INFLUX_BUCKET}`}`);
  const registry = tenants.lookup;

  await store.init();
  const simulate = c.SIMULATOR ?? !c.MQTT_URL;
  // The demo city, and its history when the store is empty (written before the pipeline starts).
  const demo = simulate || c.DEMO_HISTORY === true ? await startDemoCity(c, { sink, logger }) : undefined;
  const status = indicatorsStatus(() => indicatorsApp.scheduler, demo?.status);
  settledMetrics(telemetry, status);
  const indicatorsApp = buildIndicatorsApp(c, { sink, registry: indicatorRegistry(fileRegistry, tenants), logger, status, demo: () => demo?.status.info });
  const writer = buildWriter(c, { bus, store, logger, telemetry, onWritten: (rs) => indicatorsApp.scheduler.markAll(rs), onDeadLettersArchived: (ts) => indicatorsApp.scheduler.markArrivals(ts) });
  await writer.start();
  s.add(writer);
  indicatorsApp.scheduler.start();
  s.add(indicatorsApp.scheduler);
  demo?.settle(indicatorsApp.scheduler);
  const gateway = buildGateway(c, { bus, registry, logger, telemetry, mqttUrl, mqttAuth, embeddedBroker: !c.MQTT_URL });
  await gateway.start();
  s.add(gateway);
  lines.push(`gateway       ${registry.size} devices registered, topics ${(c.DECODER_ROUTES ?? DEFAULT_ROUTES).map((r) => r[0]).join(', ')}`);

  const operatorTokenFile = await bootstrapOperatorToken(c, tenants);
  let adminUrl: string | undefined;
  const { url: httpUrl } = await s.http({
    host: c.HTTP_HOST,
    port: c.HTTP_PORT ?? 8080,
    store,
    readiness: { mqtt: () => gateway.ready, store: () => store.ping() },
    status: () => ({ indicators: status() }),
    routes: indicatorsApp.routes,
    publicRoutes: { '/': landingRoute({ grafanaUrl: c.GRAFANA_URL, adminUrl: () => adminUrl, ...(c.OPERATOR_TOKEN ? {} : { tokenFile: join(tenantsDir(c), 'operator.token') }), status, demo: () => demo?.status.info }) },
    auth: operatorAuth(c, tenants),
  });
  lines.push(`HTTP          ${httpUrl}/api/readings/latest  ${httpUrl}/metrics  ${httpUrl}/healthz`);
  lines.push(`              operator token required (not for /healthz, /readyz)${operatorTokenFile ? `: written to ${operatorTokenFile}` : ''}`);
  lines.push(`indicators    ${httpUrl}/api/indicators  ${httpUrl}/report (recomputed every ${c.INDICATOR_INTERVAL_MS / 1000} s)`);
  const admin = await startAdminApi(c, tenants, { logger, tls, readings: store, optional: c.ADMIN_HTTP_PORT === undefined });
  if (admin.server) s.add(admin.server);
  adminUrl = admin.url;
  lines.push(`admin API     ${admin.url ?? 'not started (port in use; set ADMIN_HTTP_PORT)'}${admin.tokenFile ? `  admin token in ${admin.tokenFile}` : ''}`);

  if (simulate && demo) {
    const city = demo.city;
    const sim = new SimulatorPublisher({ mqttUrl, intervalMs: c.SIMULATOR_INTERVAL_MS, next: (t) => city.step(t), logger, ...mqttAuth });
    await sim.start();
    s.add(sim);
    lines.push(`simulator     demo city, ${registry.size} devices every ${c.SIMULATOR_INTERVAL_MS} ms (SIMULATOR=off to disable)`);
  }
  if (demo) lines.push(`demo history  ${demoLine(demo.status)}`);
  lines.push(`start here    ${httpUrl}/`);
  process.stderr.write(`\nKlimatpuls is running\n  ${lines.join('\n  ')}\nCtrl-C stops it.\n\n`);
}

export async function startGateway(env = process.env): Promise<void> {
  const c = withKafkaDefault(loadConfig(env));
  const s = new Startup(c);
  const bus = s.bus();
  const tenants = watchedTenants(c, s.logger, s.parts);
  const gateway = buildGateway(c, { bus, registry: tenants.lookup, logger: s.logger, telemetry: s.telemetry, mqttUrl: c.MQTT_URL ?? 'mqtt://127.0.0.1:1883' });
  const { server } = await s.http({ host: c.HTTP_HOST, port: c.HTTP_PORT ?? 8081, readiness: { mqtt: () => gateway.ready }, auth: operatorAuth(c, tenants) });
  await gateway.start();
  s.add(gateway);
  s.logger.info({ http: server.port }, 'gateway running');
}

export async function startWriter(env = process.env): Promise<void> {
  const c = withKafkaDefault(loadConfig(env));
  const s = new Startup(c);
  const bus = s.bus();
  const tenants = watchedTenants(c, s.logger, s.parts);
  const store = await buildStore(c, tenants.store, s.logger);
  s.add({ stop: () => store.close() });
  const { server } = await s.http({ host: c.HTTP_HOST, port: c.HTTP_PORT ?? 8082, store, readiness: { store: () => store.ping() }, auth: operatorAuth(c, tenants) });
  const writer = buildWriter(c, { bus, store, logger: s.logger, telemetry: s.telemetry });
  await writer.start();
  s.add(writer);
  s.logger.info({ http: server.port }, 'writer running');
}

/** The indicators see the registry file and the tenants' devices as of the start. */
function indicatorRegistry(file: DeviceRegistry, t: Tenants): DeviceRegistry {
  try {
    return new DeviceRegistry(t.lookup.all());
  } catch {
    return file; // an id in both (edited by hand): the file wins
  }
}

export { startIndicators } from './indicatorsCommand.js';
