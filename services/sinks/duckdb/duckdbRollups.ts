import type { DuckDBConnection } from '@duckdb/node-api';
import type { MetricName, SensorKind } from '../../core/metrics.js';
import type { RawDeviceSeries, RollupRow, RollupStorage } from '../../indicators/rollups/types.js';
import type { DuckDbStore } from './duckdbStore.js';
import { daysBetween } from '../../indicators/rollups/days.js';
import { SHORT_MS } from '../../indicators/rollups/types.js';

/**
 * Rollups in the DuckDB file: table `rollups` (one row per tenant, span, start and
 * device; the buckets as JSON, read back whole) and `rollup_dirty` (days to
 * rebuild, with the time they were last marked, so a mark that arrives during a
 * rebuild survives it). Reads stream: a day of a city's readings is never
 * materialized, only the device being rolled up.
 */
const sql = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ts = (ms: number) => `make_timestamptz(${Math.floor(ms)}::BIGINT * 1000)`;
const ROWS_PER_INSERT = 500;

export function duckDbRollups(store: DuckDbStore): RollupStorage {
  let ready: Promise<unknown> | undefined;
  const run = <T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> => {
    ready ??= store.onRollupConnection(async (c) => {
      const existed = (await c.runAndReadAll(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'rollups'`)).getRows()[0]?.[0];
      await c.run(`CREATE TABLE IF NOT EXISTS rollups (tenant VARCHAR, span VARCHAR, start_ms BIGINT, device VARCHAR, kind VARCHAR, data VARCHAR,
               PRIMARY KEY (tenant, span, start_ms, device));
             CREATE TABLE IF NOT EXISTS rollup_dirty (tenant VARCHAR, day_ms BIGINT, marked_ms BIGINT, PRIMARY KEY (tenant, day_ms));`);
      // A data directory from before rollups: every day with readings is marked once, so
      // the first read rebuilds it (hours from SQL, Stockholm days in Node: no ICU needed).
      if (Number(existed) === 0) {
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
    });
    return ready.then(() => store.onRollupConnection(fn));
  };
  return {
    eachRawDevice: (tenant, from, to, fn, only) =>
      run(async (c) => {
        const kinds = only?.kinds ? `AND kind IN (${only.kinds.map(sql).join(',')})` : '';
        const metrics = only?.metrics ? `AND metric IN (${only.metrics.map(sql).join(',')})` : '';
        const result = await c.stream(`SELECT device_id, kind, metric, coalesce(channel, '') AS ch, epoch_ms(observed_at)::DOUBLE AS t, value
          FROM readings WHERE tenant = ${sql(tenant)} AND observed_at >= ${ts(from)} AND observed_at < ${ts(to)} ${kinds} ${metrics}
          ORDER BY device_id, metric, ch, t`);
        let current: RawDeviceSeries | undefined;
        let series: RawDeviceSeries['series'][number] | undefined;
        for await (const rows of result.yieldRowsJs()) {
          for (const r of rows) {
            const device = String(r[0]);
            if (current?.device !== device) {
              if (current) fn(current);
              current = { device, kind: String(r[1]) as SensorKind, series: [] };
              series = undefined;
            }
            const metric = String(r[2]) as MetricName;
            const channel = String(r[3]);
            if (series?.metric !== metric || series.channel !== channel) current.series.push((series = { metric, channel, samples: [] }));
            const t = Number(r[4]);
            const v = Number(r[5]);
            const last = series.samples[series.samples.length - 1];
            if (last?.t === t) last.v = v; // one value per instant, like the stores
            else series.samples.push({ t, v });
          }
        }
        if (current) fn(current);
      }),
    writeRows: (tenant, rows) =>
      run(async (c) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
          const values = rows.slice(i, i + ROWS_PER_INSERT).map((r) => `(${sql(tenant)}, '${r.span}', ${r.start}, ${sql(r.device)}, ${sql(r.kind)}, ${sql(JSON.stringify({ d: r.d, s: r.s }))})`);
          await c.run(`INSERT OR REPLACE INTO rollups VALUES ${values.join(',')}`);
        }
      }),
    eachDeviceRows: (q, fn) =>
      run(async (c) => {
        const kinds = q.kinds ? `AND kind IN (${q.kinds.map(sql).join(',')})` : '';
        const result = await c.stream(`SELECT device, kind, start_ms::DOUBLE, data FROM rollups
          WHERE tenant = ${sql(q.tenant)} AND span = '${q.span}' AND start_ms >= ${Math.floor(q.from)} AND start_ms < ${Math.floor(q.to)} ${kinds}
          ORDER BY device, start_ms`);
        let device: string | undefined;
        let list: RollupRow[] = [];
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
        if (device !== undefined) await fn(device, list);
      }),
    markDirty: (tenant, days) =>
      days.length === 0 ? Promise.resolve() : run(async (c) => {
        const now = Date.now();
        await c.run(`INSERT OR REPLACE INTO rollup_dirty VALUES ${days.map((d) => `(${sql(tenant)}, ${d}, ${now})`).join(',')}`);
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
    dirtyTenants: () => run(async (c) => (await c.runAndReadAll('SELECT DISTINCT tenant FROM rollup_dirty ORDER BY tenant')).getRows().map((r) => String(r[0]))),
  };
}
