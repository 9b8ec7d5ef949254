// Reference copy of the raw-sample engine (before rollups), the oracle of test/helpers/compareEngines.ts. Not used at runtime.
import { METRIC_NAMES, type SensorKind } from '../../../../services/core/metrics.js';
import type { Device } from '../../../../services/registry/deviceRegistry.js';
import type { IndicatorContext } from '../../../../services/indicators/types.js';

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
