import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { loadConfig } from '../core/config.js';
import { ConfigError, KlimatpulsError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { Progress } from '../core/progress.js';
import { importFile } from '../import/importFile.js';
import { loadMapping } from '../import/mapping.js';
import { formatSummary, summaryJson, type ImportSummary } from '../import/summary.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { isHeldByAnotherProcess } from '../sinks/duckdb/fileLock.js';
import { buildSink } from '../sinks/index.js';
import { buildRegistry } from './components.js';
import { buildIndicatorsApp } from './indicatorsApp.js';
import { buildTenants } from './tenantsApp.js';

/**
 * `klimatpuls import FILE... --mapping MAPPING.json [--tenant T] [--json] [--no-recompute]`:
 * history from CSV or xlsx exports into the store (services/import). Devices are those of
 * the registry file and the tenants' (`klimatpuls device add`). Afterwards the indicators
 * of every month the rows touched are recomputed and stored (the rollups' days are marked
 * as the readings are written), unless --no-recompute.
 */
export async function importCommand(argv: string[], env = process.env): Promise<void> {
  const { values: o, positionals: files } = parseArgs({
    args: argv, allowPositionals: true,
    options: { mapping: { type: 'string' }, tenant: { type: 'string' }, json: { type: 'boolean', default: false }, 'no-recompute': { type: 'boolean', default: false } },
  });
  if (!files.length) throw new ConfigError('FILE', 'one or more CSV or xlsx files to import');
  if (!o.mapping) throw new ConfigError('--mapping', 'the JSON file that says which columns hold what (services/import/README.md)');
  const mapping = loadMapping(o.mapping);
  const c = loadConfig(env);
  const logger = createLogger(c.LOG_LEVEL === 'info' ? 'warn' : c.LOG_LEVEL);
  const fileRegistry = buildRegistry(c);
  const devices = new DeviceRegistry(buildTenants(c, logger, fileRegistry).lookup.all());
  const sink = await buildSink(c, { logger });
  try {
    await sink.store.init();
  } catch (err) {
    if (sink.kind === 'duckdb' && isHeldByAnotherProcess(err)) {
      throw new KlimatpulsError('STORE_UNAVAILABLE', `${c.DATA_DIR}/klimatpuls.duckdb is open in another process (npm start holds it): stop it, import, then start it again`, { cause: err });
    }
    throw err;
  }
  const app = o['no-recompute'] ? undefined : buildIndicatorsApp(c, { sink, registry: devices, logger });
  const summaries: ImportSummary[] = [];
  try {
    for (const file of files) {
      // A bar over the file's bytes (rows are not known before the end), the rows seen beside it.
      const progress = new Progress(`import ${basename(file)}`, statSync(file).size);
      let seen = 0;
      const s = await importFile({
        file, mapping, sink, devices, ...(o.tenant ? { tenant: o.tenant } : {}),
        onProgress: (bytes, rows) => {
          progress.tick(bytes - seen, `bytes, ${rows.toLocaleString('en')} rows`);
          seen = bytes;
        },
        onStored: (readings) => app?.scheduler.markAll(readings),
      });
      progress.finish(`${s.rowsRead} rows`);
      summaries.push(s);
      if (!o.json) process.stdout.write(`${formatSummary(s)}\n`);
    }
    if (app) {
      const before = app.scheduler.recomputed;
      const recompute = new Progress('indicators');
      await app.scheduler.flush();
      recompute.finish(`${app.scheduler.recomputed - before} values recomputed for the imported months`);
    }
  } finally {
    await sink.store.close();
  }
  if (o.json) process.stdout.write(`${JSON.stringify(summaries.map(summaryJson), null, 2)}\n`);
}
