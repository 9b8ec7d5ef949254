/**
 * Where the memory of one period's indicators is at its peak (profiling aid for the
 * indicators-scale step): computes every indicator as the quarter phase does
 * (computeEach, stored with provenance), samples RSS every 100 ms and, at each new
 * peak, the V8 heap and DuckDB's duckdb_memory() tags. Start it with the memory
 * settings to be measured (it does not apply services/app/memoryDefaults.ts itself):
 *   MALLOC_ARENA_MAX=2 DUCKDB_JE_MALLOC_CONF=... NODE_OPTIONS=... tsx bench/memoryPeak.ts '<agent json>' [2025Q1]
 * Prints one line per indicator (in computeEach's order) and a PEAK line (MiB; `after`: the last indicator handed over before it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../services/core/config.js';
import { createLogger } from '../services/core/logger.js';
import { buildRegistry } from '../services/app/components.js';
import { buildIndicatorsApp, targetsFor } from '../services/app/indicatorsApp.js';
import { parsePeriod } from '../services/indicators/periods.js';
import { provenanceOf } from '../services/indicators/scheduler.js';
import type { IndicatorSettings } from '../services/indicators/types.js';
import type { DuckDbStore } from '../services/sinks/duckdb/duckdbStore.js';
import { buildSink } from '../services/sinks/index.js';
import type { AgentConfig } from './indicatorsAgent.js';

const [json, label = '2025Q1'] = process.argv.slice(2);
const o = JSON.parse(json!) as AgentConfig;
const duckdbEnv = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('DUCKDB_') && v !== undefined)) as Record<string, string>;
const c = loadConfig({ DATA_DIR: o.dataDir, REGISTRY_FILE: join(o.dataDir, 'registry.json'), LOG_LEVEL: 'warn', ...duckdbEnv });
const logger = createLogger('warn');
const sink = await buildSink(c, { logger });
await sink.store.init();
const registry = buildRegistry(c);
const targets = targetsFor(c, 'kalmar');
const engine = buildIndicatorsApp(c, { sink, registry, logger }).engine(targets.settings as Partial<IndicatorSettings>);
const mib = (b: number) => Math.round(b / 1048576);
const status = () => Object.fromEntries(readFileSync('/proc/self/status', 'utf8').split('\n').filter((l) => /^(VmRSS|RssAnon|RssFile):/.test(l)).map((l) => [l.split(':')[0]!, Math.round(parseInt(l.split(':')[1]!, 10) / 1024)]));
const duckdb = async () => {
  if (sink.store.kind !== 'duckdb') return '';
  const rows = await (sink.store as DuckDbStore).queryRows('SELECT tag, (memory_usage_bytes / 1048576)::INT AS mib FROM duckdb_memory() WHERE memory_usage_bytes >= 1048576');
  return rows.map((r) => `${String(r.tag)}=${String(r.mib)}`).join(' ');
};
let during = '(none yet)';
let peak: Record<string, unknown> & { rss: number } = { rss: 0 };
let busy = false;
const timer = setInterval(() => {
  if (busy) return;
  busy = true;
  const s = status();
  const m = process.memoryUsage();
  if (s.VmRSS! <= peak.rss) return void (busy = false);
  const at = { rss: s.VmRSS!, anon: s.RssAnon, file: s.RssFile, heapUsed: mib(m.heapUsed), heapTotal: mib(m.heapTotal), external: mib(m.external), after: during };
  void duckdb().then((d) => (peak = { ...at, duckdb: d }), () => (peak = at)).finally(() => (busy = false));
}, 100);
const provenance = provenanceOf(engine);
const t0 = Date.now();
let last = t0;
await engine.computeEach('kalmar', [parsePeriod(label)], async (values) => {
  await sink.indicators.write(values, provenance);
  const m = process.memoryUsage();
  process.stdout.write(`${values[0]!.indicator.padEnd(28)} ${String(Date.now() - last).padStart(6)} ms  rss ${status().VmRSS} heap ${mib(m.heapUsed)}/${mib(m.heapTotal)} MiB\n`);
  last = Date.now();
  during = values[0]!.indicator;
});
clearInterval(timer);
process.stdout.write(`PEAK ${JSON.stringify(peak)} ${Date.now() - t0} ms\n`);
await sink.store.close();
