import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { Progress } from '../core/progress.js';
import { parsePeriod } from '../indicators/periods.js';
import type { IndicatorSettings } from '../indicators/types.js';
import { buildReportData } from '../report/buildReport.js';
import type { Lang } from '../report/reportData.js';
import { writeReport } from '../report/writeReport.js';
import { buildRegistry } from './components.js';
import { buildSink } from '../sinks/index.js';
import { buildIndicatorsApp, targetsFor } from './indicatorsApp.js';

/**
 * `klimatpuls report --city kalmar --quarter 2025Q3 [--lang sv|en|both] [--out DIR]`:
 * the quarterly follow-up as HTML, CSV and JSON, computed from the stored readings
 * (InfluxDB when INFLUX_URL is set, else the embedded DuckDB in DATA_DIR).
 */
export async function reportCommand(argv: string[], env = process.env): Promise<void> {
  const { values: o } = parseArgs({ args: argv, options: { city: { type: 'string' }, quarter: { type: 'string' }, lang: { type: 'string', default: 'both' }, out: { type: 'string', default: 'reports' } } });
  if (!o.city) throw new ConfigError('--city', 'a city id with a targets file (kalmar, malmo)');
  if (!o.quarter) throw new ConfigError('--quarter', 'a quarter such as 2025Q3');
  let quarter;
  try {
    quarter = parsePeriod(o.quarter);
  } catch {
    throw new ConfigError('--quarter', 'a quarter such as 2025Q3', o.quarter);
  }
  if (quarter.kind !== 'quarter') throw new ConfigError('--quarter', 'a quarter such as 2025Q3', o.quarter);
  const langs: Lang[] = o.lang === 'both' ? ['sv', 'en'] : o.lang === 'sv' || o.lang === 'en' ? [o.lang] : [];
  if (!langs.length) throw new ConfigError('--lang', 'sv, en or both', o.lang);
  const c = loadConfig(env);
  const targets = targetsFor(c, o.city);
  const logger = createLogger(c.LOG_LEVEL === 'info' ? 'warn' : c.LOG_LEVEL);
  const sink = await buildSink(c, { logger });
  const store = sink.store;
  await store.init();
  const registry = buildRegistry(c);
  try {
    const app = buildIndicatorsApp(c, { sink, registry, logger });
    const engine = app.engine(targets.settings as Partial<IndicatorSettings>);
    const progress = new Progress(`report ${o.city} ${quarter.label}`, langs.length);
    for (const lang of langs) {
      const data = await buildReportData({ engine, targets, quarter, lang, devicesRegistered: registry.all().filter((d) => d.tenant === targets.tenant).length });
      const files = writeReport(data, o.out!);
      progress.tick(1, lang);
      process.stdout.write(`${files.html}\n${files.csv}\n${files.json}\n`);
    }
    progress.finish(`${targets.targets.length} targets, ${langs.join(' + ')}`);
  } finally {
    await store.close();
  }
}
