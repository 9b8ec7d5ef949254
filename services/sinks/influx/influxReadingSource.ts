import { InfluxDB } from '@influxdata/influxdb-client';
import type { Device } from '../../registry/deviceRegistry.js';
import { deviceMap, groupRows } from '../../indicators/series.js';
import type { ReadingSource } from '../../indicators/types.js';
import type { RollupReader } from '../../indicators/rollups/storeRollups.js';
import { fluxRows } from './fluxRows.js';

/** Readings from InfluxDB (the `readings` measurement of INFLUX_BUCKET). */
export function influxSource(o: { url: string; token: string; org: string; bucket: string; measurement: string }, devices: Device[], rollups?: RollupReader): ReadingSource {
  const map = deviceMap(devices);
  const influx = new InfluxDB({ url: o.url, token: o.token, timeout: 120_000 });
  const query = influx.getQueryApi(o.org);
  const str = JSON.stringify;
  return {
    ...(rollups ? { rollups } : {}),
    async series(q) {
      const fields = q.metrics.map((m) => `r._field == ${str(m)}`).join(' or ');
      const flux = `from(bucket: ${str(o.bucket)})
        |> range(start: time(v: ${str(new Date(q.from).toISOString())}), stop: time(v: ${str(new Date(q.to).toISOString())}))
        |> filter(fn: (r) => r._measurement == ${str(o.measurement)}${q.tenant ? ` and r.tenant == ${str(q.tenant)}` : ''})
        |> filter(fn: (r) => ${fields})${q.devices ? `\n        |> filter(fn: (r) => ${q.devices.map((d) => `r.device == ${str(d)}`).join(' or ')})` : ''}
        |> keep(columns: ["_time", "_value", "_field", "device", "channel"])`;
      const rows: Array<{ device: string; metric: string; channel?: string; t: number; v: number }> = [];
      for await (const [t, v, metric, device, channel] of fluxRows(influx, o.org, flux, ['_time', '_value', '_field', 'device', 'channel'])) {
        rows.push({ device: device!, metric: metric!, channel: channel || undefined, t: Date.parse(t!), v: Number(v) });
      }
      return groupRows(rows, map).filter((s) => !q.kinds || q.kinds.includes(s.device.kind));
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
