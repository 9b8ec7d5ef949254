import { loadConfig, type Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { TelemetryToInflux } from '../core/telemetryToInflux.js';
import { Telemetry } from '../core/telemetry.js';
import { EmbeddedBroker } from '../embedded/embeddedBroker.js';
import { HttpServer } from '../http/httpServer.js';
import { DemoCity } from '../../simulators/demo-city/demoCity.js';
import { SimulatorPublisher } from '../../simulators/mqttPublisher.js';
import { buildBus, buildGateway, buildRegistry, buildStore, buildWriter } from './components.js';
import { stopOnSignals, type Service } from './lifecycle.js';
import { buildIndicatorsApp } from './indicatorsApp.js';

/**
 * Composition roots: they only wire parts together. `start` runs everything in one
 * process; without MQTT_URL / KAFKA_BROKERS / INFLUX_URL it uses the embedded
 * broker, the in-process bus and DuckDB.
 */
export async function startAllInOne(env = process.env): Promise<void> {
  const c = loadConfig(env);
  const logger = createLogger(c.LOG_LEVEL);
  const telemetry = new Telemetry();
  const parts: Service[] = [];
  stopOnSignals(parts, logger, () => process.stderr.write('klimatpuls stopped\n'));
  telemetryToInflux(c, telemetry, logger, parts);
  const lines: string[] = [];

  let mqttUrl = c.MQTT_URL;
  if (!mqttUrl) {
    const broker = new EmbeddedBroker({ host: '127.0.0.1', port: c.MQTT_EMBEDDED_PORT, logger });
    mqttUrl = await broker.start();
    parts.push(broker);
    lines.push(`MQTT broker   embedded (aedes) on ${mqttUrl}`);
  } else lines.push(`MQTT broker   ${mqttUrl}`);

  const bus = buildBus(c, logger);
  parts.push({ stop: () => bus.close() });
  lines.push(`bus           ${bus.kind === 'memory' ? 'in-process (no KAFKA_BROKERS)' : `Kafka ${c.KAFKA_BROKERS!.join(',')}`}`);
  const store = await buildStore(c);
  parts.push({ stop: () => store.close() });
  lines.push(`store         ${store.kind === 'duckdb' ? `DuckDB ${c.DATA_DIR}/klimatpuls.duckdb (no INFLUX_URL)` : `InfluxDB ${c.INFLUX_URL} bucket ${c.INFLUX_BUCKET}`}`);
  const registry = buildRegistry(c);

  await store.init();
  const indicatorsApp = buildIndicatorsApp(c, { readingStore: store, registry, logger });
  const writer = buildWriter(c, { bus, store, logger, telemetry, onWritten: (rs) => indicatorsApp.scheduler.markAll(rs) });
  await writer.start();
  parts.push(writer);
  indicatorsApp.scheduler.start();
  parts.push(indicatorsApp.scheduler);
  const gateway = buildGateway(c, { bus, registry, logger, telemetry, mqttUrl });
  await gateway.start();
  parts.push(gateway);
  lines.push(`gateway       ${registry.size} devices registered, topics ${c.DECODER_ROUTES?.map((r) => r[0]).join(', ') ?? 'klimatpuls/+/+/up'}`);

  const http = new HttpServer({
    host: c.HTTP_HOST,
    port: c.HTTP_PORT ?? 8080,
    telemetry,
    store,
    logger,
    readiness: { mqtt: () => gateway.ready, store: () => store.ping() },
    routes: indicatorsApp.routes,
  });
  const httpUrl = await http.start();
  parts.push(http);
  lines.push(`HTTP          ${httpUrl}/api/readings/latest  ${httpUrl}/metrics  ${httpUrl}/healthz`);
  lines.push(`indicators    ${httpUrl}/api/indicators  ${httpUrl}/report (recomputed every ${c.INDICATOR_INTERVAL_MS / 1000} s)`);

  if (c.SIMULATOR ?? !c.MQTT_URL) {
    const city = new DemoCity();
    const sim = new SimulatorPublisher({ mqttUrl, intervalMs: c.SIMULATOR_INTERVAL_MS, next: (t) => city.step(t), logger, username: c.MQTT_USERNAME, password: c.MQTT_PASSWORD });
    await sim.start();
    parts.push(sim);
    lines.push(`simulator     demo city, ${registry.size} devices every ${c.SIMULATOR_INTERVAL_MS} ms (SIMULATOR=off to disable)`);
  }
  process.stderr.write(`\nKlimatpuls is running\n  ${lines.join('\n  ')}\nCtrl-C stops it.\n\n`);
}

export async function startGateway(env = process.env): Promise<void> {
  const c = withKafkaDefault(loadConfig(env));
  const logger = createLogger(c.LOG_LEVEL);
  const telemetry = new Telemetry();
  const parts: Service[] = [];
  stopOnSignals(parts, logger);
  telemetryToInflux(c, telemetry, logger, parts);
  const bus = buildBus(c, logger);
  parts.push({ stop: () => bus.close() });
  const gateway = buildGateway(c, { bus, registry: buildRegistry(c), logger, telemetry, mqttUrl: c.MQTT_URL ?? 'mqtt://127.0.0.1:1883' });
  const http = new HttpServer({ host: c.HTTP_HOST, port: c.HTTP_PORT ?? 8081, telemetry, logger, readiness: { mqtt: () => gateway.ready } });
  parts.push(http);
  await http.start();
  await gateway.start();
  parts.push(gateway);
  logger.info({ http: http.port }, 'gateway running');
}

export async function startWriter(env = process.env): Promise<void> {
  const c = withKafkaDefault(loadConfig(env));
  const logger = createLogger(c.LOG_LEVEL);
  const telemetry = new Telemetry();
  const parts: Service[] = [];
  stopOnSignals(parts, logger);
  telemetryToInflux(c, telemetry, logger, parts);
  const bus = buildBus(c, logger);
  parts.push({ stop: () => bus.close() });
  const store = await buildStore(c);
  parts.push({ stop: () => store.close() });
  const http = new HttpServer({ host: c.HTTP_HOST, port: c.HTTP_PORT ?? 8082, telemetry, store, logger, readiness: { store: () => store.ping() } });
  parts.push(http);
  await http.start();
  const writer = buildWriter(c, { bus, store, logger, telemetry });
  await writer.start();
  parts.push(writer);
  logger.info({ http: http.port }, 'writer running');
}

/** With InfluxDB configured, every service also writes its own figures there (pipeline health). */
function telemetryToInflux(c: Config, telemetry: Telemetry, logger: Logger, parts: Service[]): void {
  if (!c.INFLUX_URL || !c.INFLUX_TOKEN) return;
  const t = new TelemetryToInflux({ telemetry, url: c.INFLUX_URL, token: c.INFLUX_TOKEN, org: c.INFLUX_ORG, bucket: c.INFLUX_BUCKET, intervalMs: c.TELEMETRY_INTERVAL_MS, logger });
  t.start();
  parts.push(t);
}

/** Run alone, the gateway and writer talk to Kafka: default to the local stack. */
function withKafkaDefault(c: Config): Config {
  return c.KAFKA_BROKERS ? c : Object.freeze({ ...c, KAFKA_BROKERS: ['127.0.0.1:9092'] });
}

/**
 * The indicator service for the real stack: follows the readings topic in its own
 * consumer group to learn which periods got (late) readings, recomputes them from
 * InfluxDB, stores the results, and serves /api/indicators and /report.
 */
export async function startIndicators(env = process.env): Promise<void> {
  const c = withKafkaDefault(loadConfig(env));
  const logger = createLogger(c.LOG_LEVEL);
  const telemetry = new Telemetry();
  const parts: Service[] = [];
  stopOnSignals(parts, logger);
  telemetryToInflux(c, telemetry, logger, parts);
  const bus = buildBus(c, logger);
  parts.push({ stop: () => bus.close() });
  const store = await buildStore(c);
  await store.init();
  parts.push({ stop: () => store.close() });
  const app = buildIndicatorsApp(c, { readingStore: store, registry: buildRegistry(c), logger });
  const http = new HttpServer({ host: c.HTTP_HOST, port: c.HTTP_PORT ?? 8083, telemetry, logger, readiness: { store: () => store.ping() }, routes: app.routes });
  parts.push(http);
  await http.start();
  await bus.ensureTopics([c.READINGS_TOPIC]);
  const consumer = bus.consumer(`${c.WRITER_GROUP_ID}-indicators`);
  await consumer.connect();
  await consumer.run(c.READINGS_TOPIC, async (batch) => {
    for (const m of batch.messages) {
      try {
        const r = JSON.parse(m.value?.toString('utf8') ?? '') as { tenant?: string; observedAt?: string };
        if (r.tenant && r.observedAt) app.scheduler.mark(r.tenant, Date.parse(r.observedAt));
      } catch {
        /* not a reading: the writer dead-letters it */
      }
    }
    await batch.commit(batch.messages[batch.messages.length - 1]!.offset);
  });
  parts.push({ stop: () => consumer.disconnect() });
  app.scheduler.start();
  parts.push(app.scheduler);
  logger.info({ http: http.port }, 'indicator service running');
}
