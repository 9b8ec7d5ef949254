import { InfluxDB, Point } from '@influxdata/influxdb-client';
import type { IndicatorStore } from '../../core/storePorts.js';
import type { IndicatorValue } from '../../indicators/types.js';

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
