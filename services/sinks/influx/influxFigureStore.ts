import { InfluxDB, Point } from '@influxdata/influxdb-client';
import type { FigureStore, YearlyFigure } from '../../core/storePorts.js';

/**
 * InfluxDB measurement `yearly_figures`: tags tenant, figure, entity; fields value,
 * unit, source, imported_from; time = 1 January (UTC) of the year, so a figure written
 * again overwrites itself.
 */
export function influxFigureStore(o: { url: string; token: string; org: string; bucket: string }): FigureStore {
  const influx = new InfluxDB({ url: o.url, token: o.token, timeout: 60_000 });
  const m = 'yearly_figures';
  const str = JSON.stringify;
  return {
    async write(figures) {
      if (figures.length === 0) return;
      const lines = figures.map((f) => {
        const p = new Point(m).tag('tenant', f.tenant).tag('figure', f.figure).tag('entity', f.entity)
          .floatField('value', f.value).stringField('unit', f.unit).stringField('source', f.source).timestamp(Date.UTC(f.year, 0, 1));
        if (f.importedFrom !== undefined) p.stringField('imported_from', f.importedFrom);
        return p.toLineProtocol()!;
      });
      const q = new URLSearchParams({ org: o.org, bucket: o.bucket, precision: 'ms' });
      await influx.transport.request(`/api/v2/write?${q}`, lines.join('\n'), { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, gzipThreshold: 1000 });
    },
    async query(q) {
      const f = [`r._measurement == ${str(m)}`];
      if (q.tenant) f.push(`r.tenant == ${str(q.tenant)}`);
      if (q.figure) f.push(`r.figure == ${str(q.figure)}`);
      if (q.entity) f.push(`r.entity == ${str(q.entity)}`);
      const range = q.year === undefined ? 'start: 0' : `start: ${new Date(Date.UTC(q.year, 0, 1)).toISOString()}, stop: ${new Date(Date.UTC(q.year, 0, 1) + 1).toISOString()}`;
      const flux = `from(bucket: ${str(o.bucket)}) |> range(${range}) |> filter(fn: (r) => ${f.join(' and ')})
        |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`;
      const rows = await influx.getQueryApi(o.org).collectRows<Record<string, unknown>>(flux);
      return rows.map((r): YearlyFigure => ({
        tenant: String(r.tenant), figure: String(r.figure), entity: String(r.entity), year: new Date(String(r._time)).getUTCFullYear(),
        value: Number(r.value), unit: String(r.unit), source: String(r.source), ...(r.imported_from != null ? { importedFrom: String(r.imported_from) } : {}),
      })).sort((a, b) => `${a.tenant}\u0000${a.figure}\u0000${a.entity}\u0000${a.year}`.localeCompare(`${b.tenant}\u0000${b.figure}\u0000${b.entity}\u0000${b.year}`));
    },
  };
}
