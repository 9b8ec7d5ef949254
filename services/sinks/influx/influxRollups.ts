import { InfluxDB, Point } from '@influxdata/influxdb-client';
import type { MetricName, SensorKind } from '../../core/metrics.js';
import { dayStart } from '../../indicators/rollups/days.js';
import type { RawDeviceSeries, RollupRow, RollupStorage } from '../../indicators/rollups/types.js';
import { fluxRows } from './fluxRows.js';

/**
 * Rollups in the main bucket: measurement `rollups` (tags tenant, span, device,
 * kind; one string field `v`, the buckets as JSON; time = the bucket's start, so
 * a rebuilt row overwrites the old one) and `rollup_dirty` (tag tenant, field
 * `marked` = when the day was last marked, 0 once rebuilt; `changed` = when it
 * was last marked, kept after the rebuild; time = the day's start). Raw readings of a day are read grouped by device and handed on one
 * device at a time.
 */
export interface InfluxRollupOptions {
  url: string;
  token: string;
  org: string;
  bucket: string;
  /** The readings' measurement (INFLUX_MEASUREMENT). */
  measurement: string;
}

const str = JSON.stringify;
const time = (ms: number) => `time(v: ${str(new Date(ms).toISOString())})`;
const START = 0;
/** A window's first day starts before the window (Stockholm midnight is at most 2 h before UTC's). */
const dayFloor = (t: number) => dayStart(t);
/** Days may be marked ahead of now (clock skew allowed by the gateway). */
const FAR = Date.UTC(2200, 0, 1);

export function influxRollups(o: InfluxRollupOptions): RollupStorage {
  const influx = new InfluxDB({ url: o.url, token: o.token, timeout: 300_000 });
  const rowsOf = (flux: string, columns: readonly string[]) => fluxRows(influx, o.org, flux, columns);
  const write = async (lines: string[]) => {
    const q = new URLSearchParams({ org: o.org, bucket: o.bucket, precision: 'ms' });
    for (let i = 0; i < lines.length; i += 5_000) {
      await influx.transport.request(`/api/v2/write?${q}`, lines.slice(i, i + 5_000).join('\n'), { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, gzipThreshold: 1000 });
    }
  };
  const marks = async (tenant: string | undefined, from: number, to: number) => {
    const rows: Array<{ tenant: string; day: number; marked: number }> = [];
    const flux = `from(bucket: ${str(o.bucket)}) |> range(start: ${time(Number.isFinite(from) ? from : START)}, stop: ${time(Number.isFinite(to) ? to : FAR)})
      |> filter(fn: (r) => r._measurement == "rollup_dirty" and r._field == "marked"${tenant ? ` and r.tenant == ${str(tenant)}` : ''})
      |> filter(fn: (r) => r._value > 0.0) |> keep(columns: ["_time", "_value", "tenant"])`;
    for await (const [t, v, tn] of rowsOf(flux, ['_time', '_value', 'tenant'])) rows.push({ tenant: tn!, day: Date.parse(t!), marked: Number(v) });
    return rows;
  };
  return {
    async eachRawDevice(tenant, from, to, fn) {
      const flux = `from(bucket: ${str(o.bucket)}) |> range(start: ${time(from)}, stop: ${time(to)})
        |> filter(fn: (r) => r._measurement == ${str(o.measurement)} and r.tenant == ${str(tenant)})
        |> keep(columns: ["_time", "_value", "_field", "device", "kind", "channel"])
        |> group(columns: ["device"])`;
      let current: { device: string; kind: SensorKind; rows: Array<{ metric: string; channel: string; t: number; v: number }> } | undefined;
      const emit = () => {
        if (!current) return;
        current.rows.sort((a, b) => (a.metric !== b.metric ? (a.metric < b.metric ? -1 : 1) : a.channel !== b.channel ? (a.channel < b.channel ? -1 : 1) : a.t - b.t));
        const raw: RawDeviceSeries = { device: current.device, kind: current.kind, series: [] };
        let s: RawDeviceSeries['series'][number] | undefined;
        for (const r of current.rows) {
          if (s?.metric !== r.metric || s.channel !== r.channel) raw.series.push((s = { metric: r.metric as MetricName, channel: r.channel, samples: [] }));
          const last = s.samples[s.samples.length - 1];
          if (last?.t === r.t) last.v = r.v;
          else s.samples.push({ t: r.t, v: r.v });
        }
        fn(raw);
      };
      for await (const [t, v, field, device, kind, channel] of rowsOf(flux, ['_time', '_value', '_field', 'device', 'kind', 'channel'])) {
        if (!current || current.device !== device) {
          emit();
          current = { device: device!, kind: kind as SensorKind, rows: [] };
        }
        current.rows.push({ metric: field!, channel: channel!, t: Date.parse(t!), v: Number(v) });
      }
      emit();
    },
    // A point replaces the one with the same tags and time, so a rebuild overwrites its
    // devices' rows; a device that lost all its readings would keep its old row (readings
    // are never deleted by the pipeline).
    async replaceRows(tenant, _span, _start, rows) {
      await write(rows.map((r) => new Point('rollups').tag('tenant', tenant).tag('span', r.span).tag('device', r.device).tag('kind', r.kind)
        .stringField('v', JSON.stringify({ d: r.d, s: r.s })).timestamp(r.start).toLineProtocol()!));
    },
    async eachDeviceRows(q, fn) {
      const kinds = q.kinds ? ` and (${q.kinds.map((k) => `r.kind == ${str(k)}`).join(' or ')})` : '';
      // One table (ungrouped): the series come one after another in key order, so a
      // device's rows are contiguous and in time order, without a table per device.
      const flux = `from(bucket: ${str(o.bucket)}) |> range(start: ${time(q.from)}, stop: ${time(q.to)})
        |> filter(fn: (r) => r._measurement == "rollups" and r._field == "v" and r.tenant == ${str(q.tenant)} and r.span == ${str(q.span)}${kinds})
        |> keep(columns: ["_time", "_value", "device", "kind"]) |> group()`;
      let device: string | undefined;
      let list: RollupRow[] = [];
      for await (const [t, v, d, kind] of rowsOf(flux, ['_time', '_value', 'device', 'kind'])) {
        if (d !== device) {
          if (device !== undefined) await fn(device, list);
          device = d!;
          list = [];
        }
        const data = JSON.parse(v!) as Pick<RollupRow, 'd' | 's'>;
        list.push({ device: d!, kind: kind as SensorKind, span: q.span, start: Date.parse(t!), d: data.d, s: data.s });
      }
      if (device !== undefined) await fn(device, list);
    },
    async markDirty(tenant, days) {
      const now = Date.now();
      await write(days.map((d) => new Point('rollup_dirty').tag('tenant', tenant).floatField('marked', now).floatField('changed', now).timestamp(d).toLineProtocol()!));
    },
    async dirtyDays(tenant, from, to) {
      return (await marks(tenant, from, to)).map((m) => m.day).sort((a, b) => a - b);
    },
    async clearDirty(tenant, days, markedBefore) {
      if (days.length === 0) return;
      const wanted = new Set(days);
      const done = (await marks(tenant, Math.min(...days), Math.max(...days) + 1)).filter((m) => wanted.has(m.day) && m.marked < markedBefore);
      await write(done.map((m) => new Point('rollup_dirty').tag('tenant', tenant).floatField('marked', 0).timestamp(m.day).toLineProtocol()!));
    },
    async dirtyTenants() {
      return [...new Set((await marks(undefined, -Infinity, Infinity)).map((m) => m.tenant))].sort();
    },
    async markedDays(tenant) {
      // Every mark writes `marked` (0 once rebuilt): the day's point stays.
      const flux = `from(bucket: ${str(o.bucket)}) |> range(start: ${time(START)}, stop: ${time(FAR)})
        |> filter(fn: (r) => r._measurement == "rollup_dirty" and r._field == "marked" and r.tenant == ${str(tenant)})
        |> keep(columns: ["_time"])`;
      const days: number[] = [];
      for await (const [t] of rowsOf(flux, ['_time'])) days.push(Date.parse(t!));
      return days;
    },
    async lastMarked(tenant, from, to) {
      const flux = `from(bucket: ${str(o.bucket)}) |> range(start: ${time(Number.isFinite(from) ? dayFloor(from) : START)}, stop: ${time(Number.isFinite(to) ? to : FAR)})
        |> filter(fn: (r) => r._measurement == "rollup_dirty" and r._field == "changed" and r.tenant == ${str(tenant)})
        |> group() |> max()`;
      let last = 0;
      for await (const [v] of rowsOf(flux, ['_value'])) last = Math.max(last, Number(v));
      return last;
    },
  };
}
