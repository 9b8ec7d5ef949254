import { loadConfig } from '../core/config.js';
import { followReadings } from '../indicators/readingsFollower.js';
import { buildSink } from '../sinks/index.js';
import { buildRegistry } from './components.js';
import { buildIndicatorsApp } from './indicatorsApp.js';
import { operatorAuth, watchedTenants, withKafkaDefault } from './serviceSupport.js';
import { Startup } from './startup.js';

/**
 * The indicator service for the real stack: follows the readings topic in its own
 * consumer group to learn which periods got (late) readings, recomputes them from
 * InfluxDB, stores the results, and serves /api/indicators and /report.
 */
export async function startIndicators(env = process.env): Promise<void> {
  const c = withKafkaDefault(loadConfig(env));
  const s = new Startup(c);
  const bus = s.bus();
  const tenants = watchedTenants(c, s.logger, s.parts);
  const sink = await buildSink(c, { logger: s.logger });
  const store = sink.store;
  await store.init();
  s.add({ stop: () => store.close() });
  const app = buildIndicatorsApp(c, { sink, registry: buildRegistry(c), logger: s.logger });
  const { server } = await s.http({ host: c.HTTP_HOST, port: c.HTTP_PORT ?? 8083, readiness: { store: () => store.ping() }, routes: app.routes, auth: operatorAuth(c, tenants) });
  s.add(await followReadings({ bus, readingsTopic: c.READINGS_TOPIC, groupId: `${c.WRITER_GROUP_ID}-indicators`, scheduler: app.scheduler }));
  app.scheduler.start();
  s.add(app.scheduler);
  s.logger.info({ http: server.port }, 'indicator service running');
}
