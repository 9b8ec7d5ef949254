import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { Progress } from '../core/progress.js';
import { parsePeriod } from '../indicators/periods.js';
import { buildSink } from '../sinks/index.js';

/**
 * `klimatpuls rollups settle [--tenant T]`: rebuilds the marked days (every
 * tenant's without --tenant). `klimatpuls rollups rebuild --tenant T --from
 * 2025-01-01 --to 2025-04-01`: marks every day of the window, then rebuilds them
 * (after readings were written past the pipeline: a restore, a bulk import).
 * Periods as the API takes them: a day, month, quarter or year label.
 */
export async function rollupsCommand(argv: string[], env = process.env): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'settle' && sub !== 'rebuild') throw new ConfigError('rollups', 'a subcommand: settle or rebuild', sub);
  const { values: o } = parseArgs({ args: rest, options: { tenant: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });
  const c = loadConfig(env);
  const logger = createLogger(c.LOG_LEVEL === 'info' ? 'warn' : c.LOG_LEVEL);
  const sink = await buildSink(c, { logger });
  await sink.store.init();
  try {
    if (sub === 'rebuild') {
      if (!o.tenant) throw new ConfigError('--tenant', 'the tenant whose days to rebuild');
      const from = periodStart('--from', o.from);
      const to = periodStart('--to', o.to);
      if (to <= from) throw new ConfigError('--to', 'a period after --from', o.to);
      await sink.rollups.markRange(o.tenant, from, to);
    }
    let progress: Progress | undefined;
    const onDay = (done: number, total: number) => {
      progress ??= new Progress('rollups', total);
      progress.tick(1, `${done}/${total} days`);
    };
    const tenants = o.tenant ? [o.tenant] : await sink.rollups.tenants();
    let days = 0;
    for (const tenant of tenants) days += (await sink.rollups.settle({ tenant, onDay })).days;
    const summary = `${days} days rebuilt (${tenants.length} tenants)`;
    if (progress) progress.finish(summary);
    else process.stdout.write(`rollups: ${summary}\n`);
  } finally {
    await sink.store.close();
  }
}

function periodStart(name: string, v: string | undefined): number {
  if (!v) throw new ConfigError(name, 'a day, month, quarter or year such as 2025-01-01, 2025-01, 2025Q1');
  try {
    return parsePeriod(v).start;
  } catch {
    throw new ConfigError(name, 'a day, month, quarter or year such as 2025-01-01, 2025-01, 2025Q1', v);
  }
}
