import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { Progress } from '../core/progress.js';
import { parsePeriod } from '../indicators/periods.js';
import type { IndicatorSettings } from '../indicators/types.js';
import { buildReportData } from '../report/buildReport.js';
import { ReportValues } from '../report/reportValues.js';
import type { Lang, ReportData } from '../report/reportData.js';
import { fetchReportData, operatorTokenOf, runningServerUrl } from '../report/remoteReport.js';
import { isHeldByAnotherProcess } from '../sinks/duckdb/fileLock.js';
import { REPORT_FORMATS, writeReport, type ReportFormat } from '../report/writeReport.js';
import { buildRegistry } from './components.js';
import { buildSink } from '../sinks/index.js';
import { buildIndicatorsApp, targetsFor } from './indicatorsApp.js';

/**
 * `klimatpuls report --city kalmar --quarter 2025Q3 [--lang sv|en|both] [--format html,csv,json,xlsx] [--out DIR] [--server URL]`:
 * the quarterly follow-up as HTML, CSV (+ the finance CSV), JSON and xlsx (all by default, or the `--format` list), computed from the stored readings
 * (InfluxDB when INFLUX_URL is set, else the embedded DuckDB in DATA_DIR). While
 * `npm start` runs, it holds the DuckDB file (no other process may open it, not even
 * read-only): the report data then comes from that server's /api/report (HTTP_HOST,
 * HTTP_PORT; the operator token from OPERATOR_TOKEN or TENANTS_DIR/operator.token),
 * and the files are rendered here as always. `--server URL` asks that server directly.
 */
export async function reportCommand(argv: string[], env = process.env): Promise<void> {
  const { values: o } = parseArgs({
    args: argv,
    options: { city: { type: 'string' }, quarter: { type: 'string' }, lang: { type: 'string', default: 'both' }, out: { type: 'string', default: 'reports' }, format: { type: 'string', default: REPORT_FORMATS.join(',') }, server: { type: 'string' } },
  });
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
  const formats = o.format!.split(',').map((f) => f.trim()) as ReportFormat[];
  if (!formats.length || formats.some((f) => !REPORT_FORMATS.includes(f))) throw new ConfigError('--format', `a comma-separated list of ${REPORT_FORMATS.join(', ')}`, o.format);
  if (o.server !== undefined && !/^https?:\/\/[^/]+\/?$/.test(o.server)) throw new ConfigError('--server', 'the base URL of a running Klimatpuls server, e.g. http://127.0.0.1:8080', o.server);
  const c = loadConfig(env);
  const targets = targetsFor(c, o.city);
  const city = o.city;
  const render = async (dataFor: (lang: Lang) => Promise<ReportData>) => {
    const progress = new Progress(`report ${city} ${quarter.label}`, langs.length);
    for (const lang of langs) {
      const files = await writeReport(await dataFor(lang), o.out!, formats);
      progress.tick(1, lang);
      process.stdout.write(Object.values(files).map((f) => `${f}\n`).join(''));
    }
    progress.finish(`${targets.targets.length} targets, ${langs.join(' + ')}`);
  };
  const fromServer = (server: string) => {
    const token = operatorTokenOf(c);
    const ca = c.TLS_CERT_FILE ? readFileSync(c.TLS_CERT_FILE, 'utf8') : undefined;
    return render((lang) => fetchReportData({ server, token, city, quarter: quarter.label, lang, ...(ca ? { ca } : {}) }));
  };
  if (o.server) return fromServer(o.server);

  const logger = createLogger(c.LOG_LEVEL === 'info' ? 'warn' : c.LOG_LEVEL);
  const sink = await buildSink(c, { logger });
  const store = sink.store;
  try {
    await store.init();
  } catch (err) {
    if (sink.kind !== 'duckdb' || !isHeldByAnotherProcess(err)) throw err;
    const server = runningServerUrl(c);
    process.stderr.write(`${c.DATA_DIR}/klimatpuls.duckdb is open in another process (the running server): asking ${server}/api/report\n`);
    return fromServer(server);
  }
  const registry = buildRegistry(c);
  try {
    const app = buildIndicatorsApp(c, { sink, registry, logger });
    const engine = app.engine(targets.settings as Partial<IndicatorSettings>);
    const devicesRegistered = registry.all().filter((d) => d.tenant === targets.tenant).length;
    const effects = app.effects ? await app.effects(targets.tenant, quarter) : undefined;
    // Both languages from one set of values: stored ones where current, the rest computed once.
    const values = new ReportValues({ engine, tenant: targets.tenant, store: sink.indicators, marks: sink.rollups });
    await render((lang) => buildReportData({ engine, values, lang, targets, quarter, devicesRegistered, figures: sink.figures, ...(effects ? { effects } : {}) }));
  } finally {
    await store.close();
  }
}
