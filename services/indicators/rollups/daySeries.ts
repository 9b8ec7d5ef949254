import type { MetricName, SensorKind } from '../../core/metrics.js';
import type { Device } from '../../registry/deviceRegistry.js';
import type { Sample, Series } from '../types.js';
import { dayStart } from './days.js';
import { unpackSamples } from './packedHours.js';
import type { RollupReader } from './storeRollups.js';
import { KINDS_WITH_RAW_DAYS, type RollupRow } from './types.js';

/**
 * Raw series of kinds whose day rows carry their readings (KINDS_WITH_RAW_DAYS:
 * waste containers, counters, thermometers), read from those rows instead of a
 * scan of every reading of the city: a store's `series` serves such queries here.
 */

/** The series of one device's day rows within [from, to), `metrics` only; undefined when a row has no readings (a row from before). */
export function seriesOfDayRows(rows: readonly RollupRow[], metrics: readonly MetricName[], from: number, to: number): Array<{ metric: MetricName; channel: string; samples: Sample[] }> | undefined {
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

export const servedByDayRows = (kinds: readonly SensorKind[] | undefined): kinds is readonly SensorKind[] =>
  kinds !== undefined && kinds.length > 0 && kinds.every((k) => KINDS_WITH_RAW_DAYS.includes(k));

/**
 * A tenant's series of `kinds` (all in KINDS_WITH_RAW_DAYS) from the day rows, or
 * undefined when some row predates readings in day rows (the caller reads raw).
 */
export async function seriesFromDayRows(
  rollups: RollupReader,
  devices: ReadonlyMap<string, Device>,
  q: { tenant: string; metrics: MetricName[]; kinds: readonly SensorKind[]; devices?: string[]; from: number; to: number },
): Promise<Series[] | undefined> {
  // No registered device of these kinds: nothing to read (readings of unregistered devices are not counted).
  if (![...devices.values()].some((d) => d.tenant === q.tenant && q.kinds.includes(d.kind))) return [];
  const only = q.devices ? new Set(q.devices.map((d) => d.toLowerCase())) : undefined;
  const out: Series[] = [];
  let complete = true;
  await rollups.eachDevice({ tenant: q.tenant, span: 'day', from: dayStart(q.from), to: q.to, kinds: q.kinds }, (id, rows) => {
    const device = devices.get(id.toLowerCase());
    if (!complete || !device || (only && !only.has(id.toLowerCase()))) return;
    const series = seriesOfDayRows(rows, q.metrics, q.from, q.to);
    if (!series) return void (complete = false);
    for (const s of series) if (s.samples.length > 0) out.push({ device, metric: s.metric, ...(s.channel ? { channel: s.channel } : {}), samples: s.samples });
  });
  return complete ? out : undefined;
}
