import { InfluxDB } from '@influxdata/influxdb-client';
import type { MetricName } from '../core/metrics.js';
import type { Device } from '../registry/deviceRegistry.js';
import type { DuckDbStore } from '../store/duckdbStore.js';
import { normalizeSamples } from './series.js';
import type { ReadingSource, Sample, Series } from './types.js';

function group(rows: Array<{ device: string; metric: string; channel?: string | null; t: number; v: number }>, devices: Map<string, Device>): Series[] {
  const by = new Map<string, { device: Device; metric: MetricName; channel?: string; samples: Sample[] }>();
  for (const r of rows) {
    const device = devices.get(r.device.toLowerCase());
    if (!device) continue; // readings of devices no longer registered are not indicators' business
    const key = `${r.device}\u0000${r.metric}\u0000${r.channel ?? ''}`;
    let s = by.get(key);
    if (!s) by.set(key, (s = { device, metric: r.metric as MetricName, ...(r.channel ? { channel: r.channel } : {}), samples: [] }));
    s.samples.push({ t: r.t, v: r.v });
  }
  return [...by.values()].map((s) => ({ ...s, samples: normalizeSamples(s.samples) })).sort((a, b) => `${a.device.id}${a.metric}${a.channel}`.localeCompare(`${b.device.id}${b.metric}${b.channel}`));
}

const deviceMap = (devices: Device[]) => new Map(devices.map((d) => [d.id.toLowerCase(), d]));

/** Readings from the embedded DuckDB store. */
export function duckDbSource(store: DuckDbStore, devices: Device[]): ReadingSource {
  const map = deviceMap(devices);
  const list = (xs: string[]) => xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',');
  return {
    async series(q) {
      const rows = await store.queryRows(`SELECT device_id AS device, metric, channel, epoch_ms(observed_at) AS t, value AS v FROM readings
        WHERE metric IN (${list(q.metrics)}) ${q.tenant ? `AND tenant = ${list([q.tenant])}` : ''}
          AND observed_at >= make_timestamptz(${Math.floor(q.from)} * 1000) AND observed_at < make_timestamptz(${Math.floor(q.to)} * 1000)`);
      return group(rows.map((r) => ({ device: String(r.device), metric: String(r.metric), channel: r.channel as string | null, t: Number(r.t), v: Number(r.v) })), map).filter(
        (s) => !q.kinds || q.kinds.includes(s.device.kind),
      );
    },
    async messageCounts(q) {
      const rows = await store.queryRows(`SELECT count(*) AS n FROM dead_letters WHERE received_at >= make_timestamptz(${Math.floor(q.from)} * 1000) AND received_at < make_timestamptz(${Math.floor(q.to)} * 1000)`);
      return { received: 0, deadLettered: Number(rows[0]?.n ?? 0) };
    },
  };
}

/** Readings from InfluxDB (the `readings` measurement of INFLUX_BUCKET). */
export function influxSource(o: { url: string; token: string; org: string; bucket: string; measurement: string }, devices: Device[]): ReadingSource {
  const map = deviceMap(devices);
  const query = new InfluxDB({ url: o.url, token: o.token, timeout: 120_000 }).getQueryApi(o.org);
  const str = JSON.stringify;
  return {
    async series(q) {
      const fields = q.metrics.map((m) => `r._field == ${str(m)}`).join(' or ');
      const flux = `from(bucket: ${str(o.bucket)})
        |> range(start: time(v: ${str(new Date(q.from).toISOString())}), stop: time(v: ${str(new Date(q.to).toISOString())}))
        |> filter(fn: (r) => r._measurement == ${str(o.measurement)}${q.tenant ? ` and r.tenant == ${str(q.tenant)}` : ''})
        |> filter(fn: (r) => ${fields})
        |> keep(columns: ["_time", "_value", "_field", "device", "channel"])`;
      const rows: Array<{ device: string; metric: string; channel?: string; t: number; v: number }> = [];
      for await (const { values, tableMeta } of query.iterateRows(flux)) {
        const r = tableMeta.toObject(values);
        rows.push({ device: String(r.device), metric: String(r._field), channel: r.channel ? String(r.channel) : undefined, t: Date.parse(String(r._time)), v: Number(r._value) });
      }
      return group(rows, map).filter((s) => !q.kinds || q.kinds.includes(s.device.kind));
    },
    async messageCounts(q) {
      // Dead letters archived by the writer (measurement dead_letters, one point each).
      // They carry no tenant (a message may be refused before its tenant is known),
      // so the count is for the whole bucket; received is unknown here (0).
      const flux = `from(bucket: ${str(o.bucket)})
        |> range(start: time(v: ${str(new Date(q.from).toISOString())}), stop: time(v: ${str(new Date(q.to).toISOString())}))
        |> filter(fn: (r) => r._measurement == "dead_letters" and r._field == "count")
        |> group() |> count()`;
      const rows = await query.collectRows<{ _value: number }>(flux);
      return { received: 0, deadLettered: Number(rows[0]?._value ?? 0) };
    },
  };
}
