import { InfluxDB, Point } from '@influxdata/influxdb-client';
import type { DuckDbStore } from '../store/duckdbStore.js';
import type { IndicatorValue } from './types.js';

export interface IndicatorQuery {
  indicator?: string;
  period?: string;
  tenant?: string;
  entity?: string;
}

/** Where computed indicator values are kept; writing a value again replaces it. */
export interface IndicatorStore {
  write(values: IndicatorValue[]): Promise<void>;
  query(q: IndicatorQuery): Promise<IndicatorValue[]>;
}

const esc = (s: string) => s.replace(/'/g, "''");

/** DuckDB table `indicators` (embedded `npm start`). */
export function duckDbIndicatorStore(store: DuckDbStore): IndicatorStore {
  let ready: Promise<unknown> | undefined;
  const init = () =>
    (ready ??= store.queryRows(`CREATE TABLE IF NOT EXISTS indicators (
      indicator VARCHAR, tenant VARCHAR, entity VARCHAR, period VARCHAR, period_kind VARCHAR,
      value DOUBLE, unit VARCHAR, coverage DOUBLE, sufficient BOOLEAN, details VARCHAR,
      PRIMARY KEY (indicator, tenant, entity, period))`));
  return {
    async write(values) {
      await init();
      for (let i = 0; i < values.length; i += 500) {
        const rows = values.slice(i, i + 500).map((v) =>
          `('${esc(v.indicator)}','${esc(v.tenant)}','${esc(v.entity)}','${esc(v.period)}','${v.periodKind}',${Number.isFinite(v.value) ? v.value : 'NULL'},'${esc(v.unit)}',${v.coverage},${v.sufficient},'${esc(JSON.stringify(v.details ?? {}))}')`,
        );
        await store.queryRows(`INSERT OR REPLACE INTO indicators VALUES ${rows.join(',')}`);
      }
    },
    async query(q) {
      await init();
      const where = [
        q.indicator && `indicator = '${esc(q.indicator)}'`,
        q.period && `period = '${esc(q.period)}'`,
        q.tenant && `tenant = '${esc(q.tenant)}'`,
        q.entity && `entity = '${esc(q.entity)}'`,
      ].filter(Boolean);
      const rows = await store.queryRows(`SELECT * FROM indicators ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY indicator, tenant, period, entity`);
      return rows.map((r) => ({
        indicator: String(r.indicator), tenant: String(r.tenant), entity: String(r.entity), period: String(r.period),
        periodKind: r.period_kind as IndicatorValue['periodKind'], value: r.value === null ? Number.NaN : Number(r.value), unit: String(r.unit),
        coverage: Number(r.coverage), sufficient: Boolean(r.sufficient), details: JSON.parse(String(r.details)),
      }));
    },
  };
}

/**
 * InfluxDB measurement `indicators`: tags indicator, tenant, entity, period,
 * period_kind; fields value, coverage, sufficient, unit, details (JSON); time =
 * period start, so a recomputed value overwrites the old one.
 */
export function influxIndicatorStore(o: { url: string; token: string; org: string; bucket: string; measurement?: string; periodStart: (v: IndicatorValue) => number }): IndicatorStore {
  const influx = new InfluxDB({ url: o.url, token: o.token, timeout: 60_000 });
  const m = o.measurement ?? 'indicators';
  const str = JSON.stringify;
  return {
    async write(values) {
      if (values.length === 0) return;
      const lines = values.map((v) => {
        const p = new Point(m).tag('indicator', v.indicator).tag('tenant', v.tenant).tag('entity', v.entity).tag('period', v.period).tag('period_kind', v.periodKind)
          .floatField('coverage', v.coverage).booleanField('sufficient', v.sufficient).stringField('unit', v.unit).stringField('details', JSON.stringify(v.details ?? {}))
          .timestamp(o.periodStart(v));
        if (Number.isFinite(v.value)) p.floatField('value', v.value);
        return p.toLineProtocol()!;
      });
      const q = new URLSearchParams({ org: o.org, bucket: o.bucket, precision: 'ms' });
      await influx.transport.request(`/api/v2/write?${q}`, lines.join('\n'), { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, gzipThreshold: 1000 });
    },
    async query(q) {
      const f = [`r._measurement == ${str(m)}`];
      if (q.indicator) f.push(`r.indicator == ${str(q.indicator)}`);
      if (q.period) f.push(`r.period == ${str(q.period)}`);
      if (q.tenant) f.push(`r.tenant == ${str(q.tenant)}`);
      if (q.entity) f.push(`r.entity == ${str(q.entity)}`);
      const flux = `from(bucket: ${str(o.bucket)}) |> range(start: 0) |> filter(fn: (r) => ${f.join(' and ')})
        |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`;
      const rows = await influx.getQueryApi(o.org).collectRows<Record<string, unknown>>(flux);
      return rows.map((r) => ({
        indicator: String(r.indicator), tenant: String(r.tenant), entity: String(r.entity), period: String(r.period),
        periodKind: r.period_kind as IndicatorValue['periodKind'], value: r.value === undefined || r.value === null ? Number.NaN : Number(r.value),
        unit: String(r.unit), coverage: Number(r.coverage), sufficient: r.sufficient === true || r.sufficient === 'true', details: JSON.parse(String(r.details ?? '{}')),
      })).sort((a, b) => `${a.indicator}${a.tenant}${a.period}${a.entity}`.localeCompare(`${b.indicator}${b.tenant}${b.period}${b.entity}`));
    },
  };
}
