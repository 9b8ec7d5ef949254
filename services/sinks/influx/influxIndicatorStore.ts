import { InfluxDB, Point } from '@influxdata/influxdb-client';
import type { IndicatorStore, ValueProvenance } from '../../core/storePorts.js';
import type { IndicatorValue } from '../../indicators/types.js';
import { fluxRows } from './fluxRows.js';

/**
 * InfluxDB measurement `indicators`: tags indicator, tenant, entity, period,
 * period_kind; fields value, coverage, sufficient, unit, details (JSON); time =
 * period start, so a recomputed value overwrites the old one, and the values of one
 * period are read from that instant alone. A value written with
 * its provenance has the fields computed_ms, window_from, window_to and basis.
 */
export function influxIndicatorStore(o: { url: string; token: string; org: string; bucket: string; measurement?: string; periodStart: (period: string) => number }): IndicatorStore {
  const influx = new InfluxDB({ url: o.url, token: o.token, timeout: 60_000 });
  const m = o.measurement ?? 'indicators';
  const str = JSON.stringify;
  const rows = async (q: { indicator?: string; period?: string; tenant?: string; entity?: string; entities?: readonly string[] }) => {
    const f = [`r._measurement == ${str(m)}`];
    if (q.indicator) f.push(`r.indicator == ${str(q.indicator)}`);
    if (q.period) f.push(`r.period == ${str(q.period)}`);
    if (q.tenant) f.push(`r.tenant == ${str(q.tenant)}`);
    if (q.entity) f.push(`r.entity == ${str(q.entity)}`);
    // A few entities (a report's city-wide values) are found by tag, not among all of the period's.
    if (q.entities && q.entities.length <= FEW_ENTITIES) f.push(`(${q.entities.length ? q.entities.map((e) => `r.entity == ${str(e)}`).join(' or ') : 'false'})`);
    const t = q.period ? o.periodStart(q.period) : undefined;
    const range = t === undefined ? 'start: 0' : `start: time(v: ${str(new Date(t).toISOString())}), stop: time(v: ${str(new Date(t + 1).toISOString())})`;
    const flux = `from(bucket: ${str(o.bucket)}) |> range(${range}) |> filter(fn: (r) => ${f.join(' and ')})
      |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`;
    const out: Array<Record<string, string | undefined>> = [];
    for await (const values of fluxRows(influx, o.org, flux, COLUMNS)) {
      const r: Record<string, string | undefined> = {};
      COLUMNS.forEach((c, i) => (r[c] = values[i] === '' && NUMBERS.has(c) ? undefined : values[i]));
      out.push(r);
    }
    return out;
  };
  return {
    async write(values, provenance) {
      if (values.length === 0) return;
      // A city's values share a few periods: each period's start is worked out once.
      const starts = new Map<string, number>();
      const startOf = (period: string) => {
        let t = starts.get(period);
        if (t === undefined) starts.set(period, (t = o.periodStart(period)));
        return t;
      };
      const lines = values.map((v) => {
        const p = new Point(m).tag('indicator', v.indicator).tag('tenant', v.tenant).tag('entity', v.entity).tag('period', v.period).tag('period_kind', v.periodKind)
          .floatField('coverage', v.coverage).booleanField('sufficient', v.sufficient).stringField('unit', v.unit).stringField('details', JSON.stringify(v.details ?? {}))
          .timestamp(startOf(v.period));
        if (Number.isFinite(v.value)) p.floatField('value', v.value);
        const pv = provenance?.(v);
        // Without a provenance the old one is cleared (basis ''), so the value is never taken as current.
        if (pv) p.floatField('computed_ms', pv.computedAt).floatField('window_from', pv.windowFrom).floatField('window_to', pv.windowTo).stringField('basis', pv.basis);
        else p.stringField('basis', '');
        return p.toLineProtocol()!;
      });
      const q = new URLSearchParams({ org: o.org, bucket: o.bucket, precision: 'ms' });
      await influx.transport.request(`/api/v2/write?${q}`, lines.join('\n'), { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, gzipThreshold: 1000 });
    },
    async query(q) {
      return (await rows(q)).map(valueOf).sort((a, b) => `${a.indicator}${a.tenant}${a.period}${a.entity}`.localeCompare(`${b.indicator}${b.tenant}${b.period}${b.entity}`));
    },
    async stored(q) {
      const wanted = q.entities ? new Set(q.entities) : undefined;
      const found = (await rows({ indicator: q.indicator, tenant: q.tenant, period: q.period, ...(q.entities ? { entities: q.entities } : {}) })).filter((r) => !wanted || wanted.has(String(r.entity)));
      return found.map((r) => {
        const p = provenanceOf(r);
        return { value: valueOf(r), ...(p ? { provenance: p } : {}) };
      }).sort((a, b) => a.value.entity.localeCompare(b.value.entity));
    },
  };
}

const FEW_ENTITIES = 50;

/** Tags and fields of a stored value; a number field absent from a row ('' in its CSV) is undefined. */
const COLUMNS = ['indicator', 'tenant', 'entity', 'period', 'period_kind', 'value', 'coverage', 'sufficient', 'unit', 'details', 'computed_ms', 'window_from', 'window_to', 'basis'];
const NUMBERS = new Set(['value', 'coverage', 'computed_ms', 'window_from', 'window_to']);

function valueOf(r: Record<string, unknown>): IndicatorValue {
  return {
    indicator: String(r.indicator), tenant: String(r.tenant), entity: String(r.entity), period: String(r.period),
    periodKind: r.period_kind as IndicatorValue['periodKind'], value: r.value === undefined || r.value === null ? Number.NaN : Number(r.value),
    unit: String(r.unit), coverage: Number(r.coverage), sufficient: r.sufficient === true || r.sufficient === 'true', details: JSON.parse(String(r.details ?? '{}')),
  };
}

function provenanceOf(r: Record<string, unknown>): ValueProvenance | undefined {
  if (typeof r.basis !== 'string' || r.basis === '' || r.computed_ms === undefined || r.computed_ms === null) return undefined;
  return { computedAt: Number(r.computed_ms), windowFrom: Number(r.window_from), windowTo: Number(r.window_to), basis: r.basis };
}
