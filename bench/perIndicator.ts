/**
 * Time and heap per indicator for one period on a bench data directory (profiling aid for
 * the indicators-scale step): tsx bench/perIndicator.ts '<agent json>' 2025Q1 [report]
 */
import { loadConfig } from '../services/core/config.js';
import { createLogger } from '../services/core/logger.js';
import { buildRegistry } from '../services/app/components.js';
import { buildIndicatorsApp, targetsFor } from '../services/app/indicatorsApp.js';
import { parsePeriod } from '../services/indicators/periods.js';
import type { IndicatorSettings } from '../services/indicators/types.js';
import { buildSink } from '../services/sinks/index.js';
import { env as agentEnv, type AgentConfig } from './indicatorsAgent.js';

const [json, label = '2025Q1'] = process.argv.slice(2);
const o = JSON.parse(json!) as AgentConfig;
const c = loadConfig(agentEnv(o));
const sink = await buildSink(c, { logger: createLogger('warn') });
await sink.store.init();
const registry = buildRegistry(c);
const targets = targetsFor(c, 'kalmar');
const engine = buildIndicatorsApp(c, { sink, registry, logger: createLogger('warn') }).engine(targets.settings as Partial<IndicatorSettings>);
const period = parsePeriod(label);
const mb = (b: number) => Math.round(b / 1e6);
for (const id of engine.ids()) {
  const t0 = Date.now();
  const v = await engine.compute(id, 'kalmar', period);
  process.stdout.write(`${id.padEnd(28)} ${String(Date.now() - t0).padStart(7)} ms  ${String(v.length).padStart(6)} values  rss ${mb(process.memoryUsage().rss)} MB heap ${mb(process.memoryUsage().heapUsed)} MB external ${mb(process.memoryUsage().external)} MB\n`);
}
await sink.store.close();
