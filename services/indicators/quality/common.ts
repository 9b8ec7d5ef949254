import { METRIC_NAMES, type SensorKind } from '../../core/metrics.js';
import type { Device } from '../../registry/deviceRegistry.js';
import type { IndicatorContext } from '../types.js';
import type { DeviceBucket } from '../rollups/types.js';

/** Shared plumbing of the data-quality indicators. */

export const HOUR = 3_600_000;
export const ALL = '*';

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The tenant's registered devices, in a stable order. */
export function tenantDevices(ctx: IndicatorContext): Device[] {
  return ctx.devices.filter((d) => d.tenant === ctx.tenant).sort((a, b) => cmp(a.id, b.id));
}

/**
 * Reading times per device (lower-case id) in [from, to), every metric and
 * channel merged, sorted and unique.
 */
export async function readingTimes(ctx: IndicatorContext, from: number, to: number): Promise<Map<string, number[]>> {
  const series = await ctx.source.series({ tenant: ctx.tenant, metrics: [...METRIC_NAMES], from, to });
  const sets = new Map<string, Set<number>>();
  for (const s of series) {
    if (s.device.tenant !== ctx.tenant) continue;
    const key = s.device.id.toLowerCase();
    let set = sets.get(key);
    if (!set) sets.set(key, (set = new Set()));
    for (const x of s.samples) if (x.t >= from && x.t < to) set.add(x.t);
  }
  return new Map([...sets].map(([k, set]) => [k, [...set].sort((a, b) => a - b)]));
}

/** Number of stored readings of the tenant in [from, to) (every metric and channel). */
export async function readingCount(ctx: IndicatorContext, from: number, to: number): Promise<number> {
  let fromRollups = 0;
  if (await eachDeviceWindow(ctx, from, to, (_id, buckets) => { for (const b of buckets) fromRollups += b.readings; })) return fromRollups;
  const series = await ctx.source.series({ tenant: ctx.tenant, metrics: [...METRIC_NAMES], from, to });
  let n = 0;
  for (const s of series) if (s.device.tenant === ctx.tenant) for (const x of s.samples) if (x.t >= from && x.t < to) n++;
  return n;
}

/** The longest silence that is not yet a gap for a kind: 3 h, or 3 expected intervals for sensors reporting less than hourly. */
export function gapThresholdMs(ctx: IndicatorContext, kind: SensorKind): number {
  const perHour = ctx.settings.expectedPerHour[kind] ?? 1;
  return Math.max(3 * HOUR, perHour > 0 ? (3 * HOUR) / perHour : 3 * HOUR);
}

/**
 * With rollups: each of the tenant's registered devices that has readings in
 * [from, to) (whole days: the period, or its start to now), with its buckets in
 * time order; day rows for days and weeks, month rows else. Returns false when
 * the source keeps no rollups (the caller reads raw series).
 */
export async function eachDeviceWindow(ctx: IndicatorContext, from: number, to: number, fn: (id: string, buckets: DeviceBucket[]) => void): Promise<boolean> {
  const rollups = ctx.source.rollups;
  if (!rollups) return false;
  const registered = new Set(ctx.devices.filter((d) => d.tenant === ctx.tenant).map((d) => d.id.toLowerCase()));
  const span = ctx.period.kind === 'day' || ctx.period.kind === 'week' ? 'day' : 'month';
  await rollups.eachDevice({ tenant: ctx.tenant, span, from, to }, (device, rows) => {
    if (registered.has(device.toLowerCase())) fn(device.toLowerCase(), rows.map((r) => r.d));
  });
  return true;
}
