import type { Device } from '../../registry/deviceRegistry.js';
import { deviceMap, groupRows } from '../../indicators/series.js';
import type { ReadingSource } from '../../indicators/types.js';
import type { DuckDbStore } from './duckdbStore.js';
import type { RollupReader } from '../../indicators/rollups/storeRollups.js';

/** Readings from the embedded DuckDB store. */
export function duckDbSource(store: DuckDbStore, devices: Device[], rollups?: RollupReader): ReadingSource {
  const map = deviceMap(devices);
  const list = (xs: string[]) => xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',');
  return {
    ...(rollups ? { rollups } : {}),
    async series(q) {
      const rows = await store.queryRows(`SELECT device_id AS device, metric, channel, epoch_ms(observed_at) AS t, value AS v FROM readings
        WHERE metric IN (${list(q.metrics)}) ${q.tenant ? `AND tenant = ${list([q.tenant])}` : ''}
          ${q.devices ? `AND lower(device_id) IN (${list(q.devices.map((d) => d.toLowerCase()))})` : ''}
          AND observed_at >= make_timestamptz(${Math.floor(q.from)} * 1000) AND observed_at < make_timestamptz(${Math.floor(q.to)} * 1000)`);
      return groupRows(rows.map((r) => ({ device: String(r.device), metric: String(r.metric), channel: r.channel as string | null, t: Number(r.t), v: Number(r.v) })), map).filter(
        (s) => !q.kinds || q.kinds.includes(s.device.kind),
      );
    },
    async messageCounts(q) {
      const rows = await store.queryRows(`SELECT count(*) AS n FROM dead_letters WHERE received_at >= make_timestamptz(${Math.floor(q.from)} * 1000) AND received_at < make_timestamptz(${Math.floor(q.to)} * 1000)`);
      // Readings by arrival too (received_at), the dead letters' clock: a replay of old
      // data counts in the period it arrived in, with its dead letters.
      const arrived = await store.queryRows(`SELECT count(*) AS n FROM readings WHERE received_at >= make_timestamptz(${Math.floor(q.from)} * 1000) AND received_at < make_timestamptz(${Math.floor(q.to)} * 1000)
        ${q.tenant ? `AND tenant = ${list([q.tenant])}` : ''}`);
      return { received: 0, deadLettered: Number(rows[0]?.n ?? 0), readingsArrived: Number(arrived[0]?.n ?? 0) };
    },
  };
}
