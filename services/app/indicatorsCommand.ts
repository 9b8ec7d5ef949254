import { loadConfig } from '../core/config.js';
import { applyHeapGrowth } from '../core/heapGrowth.js';
import { createLogger } from '../core/logger.js';
import { Telemetry } from '../core/telemetry.js';
import { HttpServer } from '../http/httpServer.js';
import { loadTls } from '../security/tls.js';
import { buildBus, buildRegistry } from './components.js';
import { buildSink } from '../sinks/index.js';
import { buildIndicatorsApp } from './indicatorsApp.js';
import { stopOnSignals, type Service } from './lifecycle.js';
import { operatorAuth, telemetryToInflux, watchedTenants, withKafkaDefault } from './serviceSupport.js';

/**
 * The indicator service for the real stack: follows the readings topic in its own
 * consumer group to learn which periods got (late) readings, recomputes them from
 * InfluxDB, stores the results, and serves /api/indicators and /report.
 */
export async function startIndicators(env = process.env): Promise<void> {
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
  const sink = await buildSink(c, { logger });
  const store = sink.store;
  await store.init();
  parts.push({ stop: () => store.close() });
  const app = buildIndicatorsApp(c, { sink, registry: buildRegistry(c), logger });
  const http = new HttpServer({ host: c.HTTP_HOST, port: c.HTTP_PORT ?? 8083, telemetry, logger, readiness: { store: () => store.ping() }, routes: app.routes, tls: loadTls(c), auth: operatorAuth(c, tenants) });
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
