import type { DuckDBConnection } from '@duckdb/node-api';
import { daysBetween } from '../../indicators/rollups/days.js';
import { KINDS_WITH_RAW_DAYS, SHORT_MS } from '../../indicators/rollups/types.js';

/**
 * The rollup tables' layout and its migrations. `rollup_layout` records the version a
 * data directory is at, so the migrations' scans of every rollup row run once, on the
 * first start after an upgrade, not on every start (at city scale each scan reads the
 * whole rollups table). Version history:
 *   1  rollups without a primary key (the key's VARCHAR index ran DuckDB out of memory)
 *   2  day rows of KINDS_WITH_RAW_DAYS carry their readings; electricity meters' months
 *      have `month_hours` rows
 */
export const ROLLUP_LAYOUT_VERSION = 2;

const sql = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function layoutVersion(c: DuckDBConnection): Promise<number> {
  await c.run('CREATE TABLE IF NOT EXISTS rollup_layout (version INTEGER)');
  const v = (await c.runAndReadAll('SELECT max(version) FROM rollup_layout')).getRows()[0]?.[0];
  return v === null || v === undefined ? 0 : Number(v);
}

/** Creates the rollup tables, or brings an older data directory's up to ROLLUP_LAYOUT_VERSION. */
export async function prepareRollupTables(c: DuckDBConnection): Promise<void> {
  const existed = Number((await c.runAndReadAll(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'rollups'`)).getRows()[0]?.[0]) > 0;
  await c.run(`CREATE TABLE IF NOT EXISTS rollups (tenant VARCHAR, span VARCHAR, start_ms BIGINT, device VARCHAR, kind VARCHAR, data VARCHAR);
         CREATE TABLE IF NOT EXISTS rollup_dirty (tenant VARCHAR, day_ms BIGINT, marked_ms BIGINT, PRIMARY KEY (tenant, day_ms));
         CREATE TABLE IF NOT EXISTS rollup_marks (tenant VARCHAR, day_ms BIGINT, marked_ms BIGINT, PRIMARY KEY (tenant, day_ms));`);
  const version = await layoutVersion(c);
  if (version >= ROLLUP_LAYOUT_VERSION) return;
  if (!existed) await markEveryDayWithReadings(c);
  else await migrateRollups(c, version);
  await c.run(`DELETE FROM rollup_layout; INSERT INTO rollup_layout VALUES (${ROLLUP_LAYOUT_VERSION})`);
}

async function migrateRollups(c: DuckDBConnection, from: number): Promise<void> {
  // No primary key on rollups: a rebuild replaces a day's (or month's) rows as a whole
  // (replaceRows), so rows are unique by construction.
  if (from < 1) {
    const keyed = (await c.runAndReadAll(`SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'rollups' AND constraint_type = 'PRIMARY KEY'`)).getRows()[0]?.[0];
    if (Number(keyed) > 0)
      await c.run(`BEGIN; CREATE TABLE rollups_unkeyed AS SELECT * FROM rollups; DROP TABLE rollups; ALTER TABLE rollups_unkeyed RENAME TO rollups; COMMIT;`);
  }
  if (from < 2) {
    // Day rows from before they carried their readings (DeviceBucket.raw): their days are
    // rebuilt once (the indicators read such devices raw until then).
    await c.run(`INSERT OR IGNORE INTO rollup_dirty SELECT DISTINCT tenant, start_ms, 0 FROM rollups
      WHERE span = 'day' AND kind IN (${KINDS_WITH_RAW_DAYS.map(sql).join(',')}) AND data NOT LIKE '%"raw":%'`);
    // Months built before `month_hours` rows: their first day is marked, which rebuilds the month.
    await c.run(`INSERT OR IGNORE INTO rollup_dirty SELECT DISTINCT m.tenant, m.start_ms, 0 FROM rollups m
      WHERE m.span = 'month' AND m.kind = 'electricity_meter'
        AND NOT EXISTS (SELECT 1 FROM rollups h WHERE h.span = 'month_hours' AND h.tenant = m.tenant AND h.start_ms = m.start_ms)`);
  }
}

/**
 * A data directory from before rollups: every day with readings is marked once, so the
 * first read rebuilds it (hours from SQL, Stockholm days in Node: no ICU needed).
 */
async function markEveryDayWithReadings(c: DuckDBConnection): Promise<void> {
  const hours = (await c.runAndReadAll(`SELECT DISTINCT tenant, (epoch_ms(observed_at) // 3600000)::DOUBLE FROM readings`)).getRows();
  const days = new Map<string, Set<number>>();
  for (const [tenant, h] of hours) {
    const set = days.get(String(tenant)) ?? new Set<number>();
    days.set(String(tenant), set);
    for (const d of daysBetween(Number(h) * 3_600_000 - SHORT_MS, Number(h) * 3_600_000 + 3_600_000 + SHORT_MS)) set.add(d);
  }
  // Marked at time 0: older than any rebuild, so the first one clears them.
  for (const [tenant, set] of days) {
    const list = [...set];
    for (let i = 0; i < list.length; i += 1000) await c.run(`INSERT OR REPLACE INTO rollup_dirty VALUES ${list.slice(i, i + 1000).map((d) => `(${sql(tenant)}, ${d}, 0)`).join(',')}`);
  }
}
