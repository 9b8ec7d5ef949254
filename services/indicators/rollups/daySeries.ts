import type { MetricName, SensorKind } from '../../core/metrics.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { deviceMap } from '../series.js';
import type { ReadingSource, Sample, Series } from '../types.js';
import { dayStart } from './days.js';
import { unpackSamples } from './packedHours.js';
import type { RollupReader } from './storeRollups.js';
import { KINDS_WITH_RAW_DAYS, type RollupRow } from './types.js';

/**
 * Raw series of kinds whose day rows carry their readings (KINDS_WITH_RAW_DAYS:
 * waste containers, counters, thermometers, fleet devices), read from those rows
 * instead of a scan of every reading of the city.
 */

/** The series of one device's day rows within [from, to), `metrics` only; undefined when a row has no readings (a row from before). */
function seriesOfDayRows(rows: readonly RollupRow[], metrics: readonly MetricName[], from: number, to: number): Array<{ metric: MetricName; channel: string; samples: Sample[] }> | undefined {
  const out = new Map<string, { metric: MetricName; channel: string; samples: Sample[] }>();
  for (const r of rows) {
    if (!r.d.raw) return undefined;
    for (const x of r.d.raw) {
      if (!metrics.includes(x.metric)) continue;
      const key = `${x.metric}\u0000${x.channel}`;
      let s = out.get(key);
      if (!s) out.set(key, (s = { metric: x.metric, channel: x.channel, samples: [] }));
      for (const p of unpackSamples(x.tv, from, to)) s.samples.push(p);
    }
  }
  return [...out.values()];
}

const servedByDayRows = (kinds: readonly SensorKind[] | undefined): kinds is readonly SensorKind[] =>
  kinds !== undefined && kinds.length > 0 && kinds.every((k) => KINDS_WITH_RAW_DAYS.includes(k));

/** One device's series of [from, to) from its day rows, as indicators see them. */
export type DaySeries = Array<{ metric: MetricName; channel?: string; samples: Sample[] }>;

/**
 * Each device of `kinds` (all in KINDS_WITH_RAW_DAYS) with day rows in [from, to),
 * its series from those rows; undefined for a device with a row from before readings
 * were kept in day rows (the caller reads it raw). One device is held at a time.
 */
export async function eachDeviceDaySeries(
  rollups: RollupReader,
  q: { tenant: string; metrics: readonly MetricName[]; kinds: readonly SensorKind[]; from: number; to: number },
  fn: (device: string, series: DaySeries | undefined) => void,
): Promise<void> {
  await rollups.eachDevice({ tenant: q.tenant, span: 'day', from: dayStart(q.from), to: q.to, kinds: q.kinds }, (id, rows) => {
    const series = seriesOfDayRows(rows, q.metrics, q.from, q.to);
    fn(id, series?.map((x) => ({ metric: x.metric, ...(x.channel ? { channel: x.channel } : {}), samples: x.samples })));
  });
}

/**
 * A source whose `series` serves the kinds of KINDS_WITH_RAW_DAYS from the store's
 * day rows (the sinks wrap their sources with it); other queries, and a window with
 * rows from before, go to `source`.
 */
export function withDaySeries(source: ReadingSource, devices: readonly Device[]): ReadingSource {
  const rollups = source.rollups;
  if (!rollups) return source;
  const map = deviceMap([...devices]);
  return {
    ...source,
    async series(q) {
      if (!q.tenant || !servedByDayRows(q.kinds)) return source.series(q);
      const tenant = q.tenant;
      const kinds = q.kinds;
      // No registered device of these kinds: nothing to read (readings of unregistered devices are not counted).
      if (!devices.some((d) => d.tenant === tenant && kinds.includes(d.kind))) return [];
      const only = q.devices ? new Set(q.devices.map((d) => d.toLowerCase())) : undefined;
      const out: Series[] = [];
      let complete = true;
      await eachDeviceDaySeries(rollups, { ...q, tenant, kinds }, (id, series) => {
        const device = map.get(id.toLowerCase());
        if (!complete || !device || (only && !only.has(id.toLowerCase()))) return;
        if (!series) return void (complete = false);
        for (const s of series) if (s.samples.length > 0) out.push({ device, ...s });
      });
      return complete ? out : source.series(q);
    },
  };
}
