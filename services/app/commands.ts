import { loadConfig, type Config } from '../core/config.js';
import { applyHeapGrowth } from '../core/heapGrowth.js';
import { createLogger, type Logger } from '../core/logger.js';
import { Telemetry } from '../core/telemetry.js';
import { HttpServer } from '../http/httpServer.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { loadTls } from '../security/tls.js';
import { DemoCity } from '../../simulators/demo-city/demoCity.js';
import { SimulatorPublisher } from '../../simulators/mqttPublisher.js';
import type { EmbeddedBroker } from '../broker/embeddedBroker.js';
import { buildBus, buildGateway, buildRegistry, buildStore, buildWriter, embeddedMetrics } from './components.js';
import { buildSink } from '../sinks/index.js';
import { stopOnSignals, type Service } from './lifecycle.js';
import { buildIndicatorsApp } from './indicatorsApp.js';
import { operatorAuth, telemetryToInflux, watchedTenants, withKafkaDefault } from './serviceSupport.js';
import { bootstrapOperatorToken, buildTenants, type Tenants } from './tenantsApp.js';
import { applyBrokerAccess, startAdminApi, startEmbeddedBroker } from './tenantStartup.js';

/**
 * Composition roots: they only wire parts together. `start` runs everything in one
 * process; without MQTT_URL / KAFKA_BROKERS / INFLUX_URL it uses the embedded
 * broker, the in-process bus and DuckDB.
 */
export async function startAllInOne(env = process.env): Promise<void> {
  const c = loadConfig(env);
  applyHeapGrowth(c.HEAP_GROWING_PERCENT);
  const logger = createLogger(c.LOG_LEVEL);
  const telemetry = new Telemetry();
  const parts: Service[] = [];
  stopOnSignals(parts, logger, () => process.stderr.write('klimatpuls stopped\n'));
  telemetryToInflux(c, telemetry, logger, parts);
  const lines: string[] = [];
  const tls = loadTls(c);
  const fileRegistry = buildRegistry(c);
  const tenants = buildTenants(c, logger, fileRegistry);
  tenants.store.watch(() => {});
  parts.push({ stop: async () => tenants.store.close() });

  let mqttUrl = c.MQTT_URL;
  let embedded: EmbeddedBroker | undefined;
  let mqttAuth: { username?: string; password?: string } = { username: c.MQTT_USERNAME, password: c.MQTT_PASSWORD };
  if (!mqttUrl) {
    const { broker, pipelineAuth } = await startEmbeddedBroker(c, tenants, logger, tls);
    mqttAuth = pipelineAuth;
    embedded = broker;
    mqttUrl = broker.urls.internal!;
    parts.push(broker);
    lines.push(`MQTT broker   embedded (aedes) on ${mqttUrl}`);
    lines.push(`tenants MQTT  ${[broker.urls.tenant, broker.urls.tls].filter(Boolean).join('  ') || 'no tenant listener (ports in use)'} (credentials required)`);
  } else {
    lines.push(`MQTT broker   ${mqttUrl}`);
    applyBrokerAccess(c, tenants, logger);
    if (c.MOSQUITTO_PASSWORD_FILE) lines.push(`tenants MQTT  ${[c.MQTT_TENANT_URL, c.MQTT_TENANT_TLS_URL].filter(Boolean).join('  ')} (Mosquitto password + ACL files)`);
  }

  const bus = buildBus(c, logger);
  parts.push({ stop: () => bus.close() });
  embeddedMetrics(telemetry, embedded, bus);
  lines.push(`bus           ${bus.kind === 'memory' ? 'in-process (no KAFKA_BROKERS)' : `Kafka ${c.KAFKA_BROKERS!.join(',')}`}`);
  const sink = await buildSink(c, { tenants: tenants.store, logger });
  const store = sink.store;
  parts.push({ stop: () => store.close() });
  lines.push(`store         ${store.kind === 'duckdb' ? `DuckDB ${c.DATA_DIR}/klimatpuls.duckdb (no INFLUX_URL)` : `InfluxDB ${c.INFLUX_URL} bucket ${c.INFLUX_BUCKET}`}`);
  const registry = tenants.lookup;

  await store.init();
  const indicatorsApp = buildIndicatorsApp(c, { sink, registry: indicatorRegistry(fileRegistry, tenants), logger });
  const writer = buildWriter(c, { bus, store, logger, telemetry, onWritten: (rs) => indicatorsApp.scheduler.markAll(rs), onDeadLettersArchived: (ts) => indicatorsApp.scheduler.markArrivals(ts) });
  await writer.start();
  parts.push(writer);
  indicatorsApp.scheduler.start();
  parts.push(indicatorsApp.scheduler);
  const gateway = buildGateway(c, { bus, registry, logger, telemetry, mqttUrl, mqttAuth, embeddedBroker: !c.MQTT_URL });
  await gateway.start();
  parts.push(gateway);
  lines.push(`gateway       ${registry.size} devices registered, topics ${c.DECODER_ROUTES?.map((r) => r[0]).join(', ') ?? 'klimatpuls/+/+/up'}`);

  const operatorTokenFile = await bootstrapOperatorToken(c, tenants);
  const http = new HttpServer({
    host: c.HTTP_HOST,
    port: c.HTTP_PORT ?? 8080,
    telemetry,
    store,
    logger,
    readiness: { mqtt: () => gateway.ready, store: () => store.ping() },
    routes: indicatorsApp.routes,
    tls,
    auth: operatorAuth(c, tenants),
  });
  const httpUrl = await http.start();
  parts.push(http);
  lines.push(`HTTP          ${httpUrl}/api/readings/latest  ${httpUrl}/metrics  ${httpUrl}/healthz`);
  lines.push(`              operator token required (not for /healthz, /readyz)${operatorTokenFile ? `: written to ${operatorTokenFile}` : ''}`);
  lines.push(`indicators    ${httpUrl}/api/indicators  ${httpUrl}/report (recomputed every ${c.INDICATOR_INTERVAL_MS / 1000} s)`);
  const admin = await startAdminApi(c, tenants, { logger, tls, readings: store, optional: c.ADMIN_HTTP_PORT === undefined });
  if (admin.server) parts.push(admin.server);
  lines.push(`admin API     ${admin.url ?? 'not started (port in use; set ADMIN_HTTP_PORT)'}${admin.tokenFile ? `  admin token in ${admin.tokenFile}` : ''}`);

  if (c.SIMULATOR ?? !c.MQTT_URL) {
    const city = new DemoCity();
    const sim = new SimulatorPublisher({ mqttUrl, intervalMs: c.SIMULATOR_INTERVAL_MS, next: (t) => city.step(t), logger, ...mqttAuth });
    await sim.start();
    parts.push(sim);
    lines.push(`simulator     demo city, ${registry.size} devices every ${c.SIMULATOR_INTERVAL_MS} ms (SIMULATOR=off to disable)`);
  }
  process.stderr.write(`\nKlimatpuls is running\n  ${lines.join('\n  ')}\nCtrl-C stops it.\n\n`);
}

export async function startGateway(env = process.env): Promise<void> {
  const c = withKafkaDefault(loadConfig(env));
  applyHeapGrowth(c.HEAP_GROWING_PERCENT);
  const logger = createLogger(c.LOG_LEVEL);
  const telemetry = new Telemetry();
  const parts: Service[] = [];
  stopOnSignals(parts, logger);
  telemetryToInflux(c, telemetry, logger, parts);
  const bus = buildBus(c, logger);
  parts.push({ stop: () => bus.close() });
  const tenants = watchedTenants(c, logger, parts);
  const gateway = buildGateway(c, { bus, registry: tenants.lookup, logger, telemetry, mqttUrl: c.MQTT_URL ?? 'mqtt://127.0.0.1:1883' });
  const http = new HttpServer({ host: c.HTTP_HOST, port: c.HTTP_PORT ?? 8081, telemetry, logger, readiness: { mqtt: () => gateway.ready }, tls: loadTls(c), auth: operatorAuth(c, tenants) });
  parts.push(http);
  await http.start();
  await gateway.start();
  parts.push(gateway);
  logger.info({ http: http.port }, 'gateway running');
}

export async function startWriter(env = process.env): Promise<void> {
  const c = withKafkaDefault(loadConfig(env));
  applyHeapGrowth(c.HEAP_GROWING_PERCENT);
  const logger = createLogger(c.LOG_LEVEL);
  const telemetry = new Telemetry();
  const parts: Service[] = [];
  stopOnSignals(parts, logger);
  telemetryToInflux(c, telemetry, logger, parts);
  const bus = buildBus(c, logger);
  parts.push({ stop: () => bus.close() });
  const tenants = watchedTenants(c, logger, parts);
  const store = await buildStore(c, tenants.store, logger);
  parts.push({ stop: () => store.close() });
  const http = new HttpServer({ host: c.HTTP_HOST, port: c.HTTP_PORT ?? 8082, telemetry, store, logger, readiness: { store: () => store.ping() }, tls: loadTls(c), auth: operatorAuth(c, tenants) });
  parts.push(http);
  await http.start();
  const writer = buildWriter(c, { bus, store, logger, telemetry });
  await writer.start();
  parts.push(writer);
  logger.info({ http: http.port }, 'writer running');
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
