import type { SensorKind } from '../../core/metrics.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { makeValue, mean } from '../indicatorValue.js';
import { hoursIn, type Period } from '../periods.js';
import type { IndicatorContext, IndicatorValue } from '../types.js';

/**
 * Shared plumbing of the mobility indicators: counting points, per-point counts
 * of a period, hour coverage and the flow values (built with ../indicatorValue.ts).
 *
 * A count reading is the number of passages in one interval; it belongs to the
 * period (and the hour) that contains its timestamp. Directions come from the
 * reading's channel (`in`/`out`); readings without a channel count to the total.
 */

export const HOUR = 3_600_000;
/** Entity of the whole tenant. */
export const ALL = '*';

/** The counting point of a counter: params.counting_point, else its site, else the device id. */
export function countingPoint(d: Device): string {
  const cp = d.params?.counting_point;
  if ((typeof cp === 'string' && cp.trim() !== '') || typeof cp === 'number') return String(cp).trim();
  return d.site ?? d.id;
}

/** The tenant's registered devices of these kinds, in a stable order. */
export function devicesOf(ctx: IndicatorContext, kinds: readonly SensorKind[]): Device[] {
  return ctx.devices.filter((d) => d.tenant === ctx.tenant && kinds.includes(d.kind)).sort((a, b) => cmp(a.id, b.id));
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Counts of one counting point in one period, for one sensor kind. */
export interface PointCounts {
  point: string;
  total: number;
  in: number;
  out: number;
  /** Counts without a direction (no or another channel). */
  other: number;
  /** Indices (hours since period start) of the hours with at least one reading. */
  hours: Set<number>;
  devices: Set<string>;
}

const empty = (point: string): PointCounts => ({ point, total: 0, in: 0, out: 0, other: 0, hours: new Set(), devices: new Set() });

/**
 * Counts per sensor kind and counting point in `period` (default: the context's).
 * Every registered counter's point is present, also when it sent nothing.
 */
export async function loadCounts(ctx: IndicatorContext, kinds: readonly SensorKind[], period: Period = ctx.period): Promise<Map<SensorKind, Map<string, PointCounts>>> {
  const out = new Map<SensorKind, Map<string, PointCounts>>(kinds.map((k) => [k, new Map()]));
  const at = (kind: SensorKind, point: string): PointCounts => {
    const m = out.get(kind)!;
    let p = m.get(point);
    if (!p) m.set(point, (p = empty(point)));
    return p;
  };
  for (const d of devicesOf(ctx, kinds)) at(d.kind, countingPoint(d)).devices.add(d.id);
  const series = await ctx.source.series({ tenant: ctx.tenant, metrics: ['count'], kinds: [...kinds], from: period.start, to: period.end });
  for (const s of series) {
    if (s.device.tenant !== ctx.tenant || !kinds.includes(s.device.kind)) continue;
    const p = at(s.device.kind, countingPoint(s.device));
    p.devices.add(s.device.id);
    for (const x of s.samples) {
      if (x.t < period.start || x.t >= period.end || !Number.isFinite(x.v)) continue;
      p.total += x.v;
      if (s.channel === 'in') p.in += x.v;
      else if (s.channel === 'out') p.out += x.v;
      else p.other += x.v;
      p.hours.add(Math.floor((x.t - period.start) / HOUR));
    }
  }
  return out;
}

/** Hours of the period in which readings are expected (23 or 25 on DST days; fewer when a kind reports less than hourly). */
export function expectedHours(ctx: IndicatorContext, kinds: readonly SensorKind[], period: Period = ctx.period): number {
  const perHour = Math.min(1, ...kinds.map((k) => ctx.settings.expectedPerHour[k] ?? 1));
  return hoursIn(period) * (perHour > 0 ? perHour : 1);
}

/** Share (0-1) of the expected hours that had a reading. */
export function hourCoverage(hoursWithData: number, expected: number): number {
  return expected > 0 ? Math.min(1, hoursWithData / expected) : 0;
}

/**
 * Flow of one counter kind: passages per counting point (both directions) and
 * the tenant's sum. Coverage per point = share of the period's hours with a
 * reading from the point; the tenant's coverage is the mean over its points.
 * A tenant without counters of this kind gets no values.
 */
export async function computeFlow(ctx: IndicatorContext, indicator: string, kind: SensorKind, unit: string): Promise<IndicatorValue[]> {
  const points = (await loadCounts(ctx, [kind])).get(kind)!;
  if (points.size === 0) return [];
  const expected = expectedHours(ctx, [kind]);
  const out: IndicatorValue[] = [];
  const coverages: number[] = [];
  const total = { total: 0, in: 0, out: 0, other: 0 };
  for (const p of [...points.values()].sort((a, b) => cmp(a.point, b.point))) {
    const c = hourCoverage(p.hours.size, expected);
    coverages.push(c);
    total.total += p.total;
    total.in += p.in;
    total.out += p.out;
    total.other += p.other;
    out.push(makeValue(ctx, indicator, unit, p.point, p.total, c, flowDetails(p, p.hours.size, expected)));
  }
  out.push(makeValue(ctx, indicator, unit, ALL, total.total, mean(coverages), { ...flowDetails(total), points: points.size }));
  return out;
}

function flowDetails(p: { in: number; out: number; other: number }, hoursWithData?: number, expected?: number): Record<string, number> {
  return {
    in: p.in,
    out: p.out,
    ...(p.other ? { no_direction: p.other } : {}),
    ...(hoursWithData !== undefined ? { hours_with_data: hoursWithData, hours_expected: expected ?? 0 } : {}),
  };
}
