import type { DuckDBConnection } from '@duckdb/node-api';
import type { MetricName, SensorKind } from '../../core/metrics.js';
import type { RawDeviceSeries, RollupRow, RollupStorage } from '../../indicators/rollups/types.js';
import type { Sample } from '../../indicators/types.js';
import type { DuckDbStore } from './duckdbStore.js';
import { prepareRollupTables } from './duckdbRollupLayout.js';
import { KINDS_WITH_RAW_DAYS, SHORT_MS } from '../../indicators/rollups/types.js';
import { dayStart } from '../../indicators/rollups/days.js';

/**
 * Rollups in the DuckDB file: table `rollups` (one row per tenant, span, start and
 * device; the buckets as JSON, read back whole) and `rollup_dirty` (days to
 * rebuild, with the time they were last marked, so a mark that arrives during a
 * rebuild survives it) and `rollup_marks` (when each day was last marked, kept
 * after its rebuild: stored indicator values are current when newer). Reads stream: a day of a city's readings is never
 * materialized, only the device being rolled up.
 */
const sql = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ts = (ms: number) => `make_timestamptz(${Math.floor(ms)}::BIGINT * 1000)`;
const ROWS_PER_INSERT = 500;
/** Readings aggregated per query by eachRawDevice (a batch of devices' series is held by DuckDB as text). */
export const RAW_READINGS_PER_QUERY = 500_000;

/**
 * Rollup text (JSON) sorted per query by eachDeviceRows: DuckDB sorts the rows with their payload.
 * 8 MB rather than 32 MB: the full Kalmar quarter phase peaks ~100 MB lower (docs/scaling.md).
 */
export const ROLLUP_BYTES_PER_QUERY = 8_000_000;

/**
 * Device id ranges (SQL conditions, in device order) that each hold at most `limit`
 * of `weight` (count(*) of readings, or bytes of rollup text) over the rows of `table`
 * matching `where` (a device with more is a range of its own); one range without a
 * condition when all fit. Queries that sort or aggregate per series run range by
 * range, so DuckDB's memory (DUCKDB_MEMORY_LIMIT_BYTES, 128 MiB by default) holds one range, not a city.
 */
async function deviceRanges(c: DuckDBConnection, table: 'readings' | 'rollups', where: string, weight: string, limit: number): Promise<string[]> {
  const col = table === 'readings' ? 'device_id' : 'device';
  const counts = (await c.runAndReadAll(`SELECT ${col}, (${weight})::DOUBLE FROM ${table} WHERE ${where} GROUP BY ${col} ORDER BY ${col}`)).getRows();
  const total = counts.reduce((s, r) => s + Number(r[1]), 0);
  if (total <= limit) return [''];
  const ranges: string[] = [];
  let first: string | undefined;
  let n = 0;
  for (let i = 0; i < counts.length; i++) {
    const id = String(counts[i]![0]);
    first ??= id;
    n += Number(counts[i]![1]);
    const next = counts[i + 1];
    if (!next || n + Number(next[1]) > limit) {
      ranges.push(`AND ${col} >= ${sql(first)} AND ${col} <= ${sql(id)}`);
      first = undefined;
      n = 0;
    }
  }
  return ranges;
}

/** "t,v,t,v,..." pairs as samples sorted by time, one value per instant like the stores. */
export function samplesInTimeOrder(flat: number[]): Sample[] {
  const pairs: Sample[] = [];
  let sorted = true;
  for (let i = 0; i < flat.length; i += 2) {
    const t = flat[i]!;
    if (sorted && pairs.length > 0 && t < pairs[pairs.length - 1]!.t) sorted = false;
    pairs.push({ t, v: flat[i + 1]! });
  }
  if (!sorted) pairs.sort((a, b) => a.t - b.t);
  const samples: Sample[] = [];
  for (const p of pairs) {
    const last = samples[samples.length - 1];
    if (last?.t === p.t) last.v = p.v;
    else samples.push(p);
  }
  return samples;
}

export function duckDbRollups(store: DuckDbStore): RollupStorage {
  let ready: Promise<unknown> | undefined;
  const run = <T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> => {
    ready ??= store.onRollupConnection(prepareRollupTables);
    return ready.then(() => store.onRollupConnection(fn));
  };
  return {
    eachRawDevice: (tenant, from, to, fn) =>
      run(async (c) => {
        const where = `tenant = ${sql(tenant)} AND observed_at >= ${ts(from)} AND observed_at < ${ts(to)}`;
        for (const range of await deviceRanges(c, 'readings', where, 'count(*)', RAW_READINGS_PER_QUERY)) {
          // One row per series, its times and values as one text: converting a row per
          // reading (strings for device, metric, channel each time) cost ~10 µs a reading in
          // the DuckDB client, and this is the path rollups are built on. DuckDB prints a
          // double in its shortest round-trip form, so the numbers read back are the ones stored.
          // No ORDER BY inside string_agg: DuckDB's ordered aggregate keeps a sort state per
          // group and ran out of 256 MB on one day of the full Kalmar scenario (37,076
          // devices, 250,000 readings); the pairs are put in time order here instead.
          const result = await c.stream(`SELECT device_id, any_value(kind), metric, coalesce(channel, '') AS ch,
              string_agg(epoch_ms(observed_at)::VARCHAR || ',' || value::VARCHAR, ',')
            FROM readings WHERE ${where} ${range} GROUP BY device_id, metric, ch ORDER BY device_id, metric, ch`);
          let current: RawDeviceSeries | undefined;
          for await (const rows of result.yieldRowsJs()) {
            for (const r of rows) {
              const device = String(r[0]);
              if (current?.device !== device) {
                if (current) fn(current);
                current = { device, kind: String(r[1]) as SensorKind, series: [] };
              }
              const samples = samplesInTimeOrder(JSON.parse(`[${String(r[4])}]`) as number[]);
              current.series.push({ metric: String(r[2]) as MetricName, channel: String(r[3]), samples });
            }
          }
          if (current) fn(current);
        }
      }),
    replaceRows: (tenant, span, start, rows) =>
      run(async (c) => {
        await c.run('BEGIN TRANSACTION');
        try {
          await c.run(`DELETE FROM rollups WHERE tenant = ${sql(tenant)} AND span = '${span}' AND start_ms = ${Math.floor(start)}`);
          for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
            const values = rows.slice(i, i + ROWS_PER_INSERT).map((r) => `(${sql(tenant)}, '${r.span}', ${r.start}, ${sql(r.device)}, ${sql(r.kind)}, ${sql(JSON.stringify({ d: r.d, s: r.s }))})`);
            await c.run(`INSERT INTO rollups VALUES ${values.join(',')}`);
          }
          await c.run('COMMIT');
        } catch (err) {
          await c.run('ROLLBACK').catch(() => {});
          throw err;
        }
      }),
    eachDeviceRows: (q, fn) =>
      run(async (c) => {
        const kinds = q.kinds ? `AND kind IN (${q.kinds.map(sql).join(',')})` : '';
        const where = `tenant = ${sql(q.tenant)} AND span = '${q.span}' AND start_ms >= ${Math.floor(q.from)} AND start_ms < ${Math.floor(q.to)} ${kinds}`;
        let device: string | undefined;
        let list: RollupRow[] = [];
        // Range by range: sorting a quarter of a city's day rows (~600 MB of text for Kalmar)
        // in one query ran DuckDB out of its 256 MB.
        for (const range of await deviceRanges(c, 'rollups', where, 'sum(length(data))', ROLLUP_BYTES_PER_QUERY)) {
          const result = await c.stream(`SELECT device, kind, start_ms::DOUBLE, data FROM rollups WHERE ${where} ${range} ORDER BY device, start_ms`);
          for await (const rows of result.yieldRowsJs()) {
            for (const r of rows) {
              const d = String(r[0]);
              if (d !== device) {
                if (device !== undefined) await fn(device, list);
                device = d;
                list = [];
              }
              const data = JSON.parse(String(r[3])) as Pick<RollupRow, 'd' | 's'>;
              list.push({ device: d, kind: String(r[1]) as SensorKind, span: q.span, start: Number(r[2]), d: data.d, s: data.s });
            }
          }
        }
        if (device !== undefined) await fn(device, list);
      }),
    markDirty: (tenant, days) =>
      days.length === 0 ? Promise.resolve() : run(async (c) => {
        const now = Date.now();
        const values = days.map((d) => `(${sql(tenant)}, ${d}, ${now})`).join(',');
        await c.run(`INSERT OR REPLACE INTO rollup_dirty VALUES ${values}; INSERT OR REPLACE INTO rollup_marks VALUES ${values}`);
      }),
    dirtyDays: (tenant, from, to) =>
      run(async (c) => {
        const bounds = `${Number.isFinite(from) ? `AND day_ms >= ${Math.floor(from)}` : ''} ${Number.isFinite(to) ? `AND day_ms < ${Math.floor(to)}` : ''}`;
        const rows = (await c.runAndReadAll(`SELECT day_ms::DOUBLE AS d FROM rollup_dirty WHERE tenant = ${sql(tenant)} ${bounds} ORDER BY day_ms`)).getRows();
        return rows.map((r) => Number(r[0]));
      }),
    clearDirty: (tenant, days, markedBefore) =>
      days.length === 0 ? Promise.resolve() : run(async (c) => {
        await c.run(`DELETE FROM rollup_dirty WHERE tenant = ${sql(tenant)} AND day_ms IN (${days.join(',')}) AND marked_ms < ${Math.floor(markedBefore)}`);
      }),
    // Days marked before rollup_marks kept them (a directory from before rollups) have day rows.
    markedDays: (tenant) =>
      run(async (c) => {
        const rows = (await c.runAndReadAll(`SELECT day_ms::DOUBLE FROM rollup_marks WHERE tenant = ${sql(tenant)} UNION SELECT day_ms::DOUBLE FROM rollup_dirty WHERE tenant = ${sql(tenant)}
          UNION SELECT DISTINCT start_ms::DOUBLE FROM rollups WHERE tenant = ${sql(tenant)} AND span = 'day'`)).getRows();
        return rows.map((r) => Number(r[0]));
      }),
    lastMarked: (tenant, from, to) =>
      run(async (c) => {
        const bounds = `${Number.isFinite(from) ? `AND day_ms >= ${Math.floor(dayStart(from))}` : ''} ${Number.isFinite(to) ? `AND day_ms < ${Math.floor(to)}` : ''}`;
        const v = (await c.runAndReadAll(`SELECT max(marked_ms)::DOUBLE FROM rollup_marks WHERE tenant = ${sql(tenant)} ${bounds}`)).getRows()[0]?.[0];
        return v === null || v === undefined ? 0 : Number(v);
      }),
    dirtyTenants: () => run(async (c) => (await c.runAndReadAll('SELECT DISTINCT tenant FROM rollup_dirty ORDER BY tenant')).getRows().map((r) => String(r[0]))),
  };
}
