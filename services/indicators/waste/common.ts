import type { Device } from '../../registry/deviceRegistry.js';
import { eachDeviceDaySeries } from '../rollups/daySeries.js';
import { coverage } from '../series.js';
import type { IndicatorContext, Series } from '../types.js';

/**
 * Shared plumbing of the waste indicators: one fill series per container
 * (fill_level % and fill_volume L merged by time), emptying detection and coverage
 * (values are built with ../indicatorValue.ts).
 *
 * Emptying: between two consecutive readings the fill level drops by more than
 * EMPTYING_DROP_PP percentage points (or, without a level, the volume drops by
 * more than that share of the container's volume_l). Smaller drops are sensor
 * noise or settling, not emptyings.
 */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const ALL = '*';
/** A drop of more than this many percentage points between consecutive readings is an emptying. */
export const EMPTYING_DROP_PP = 20;

export interface FillPoint {
  t: number;
  /** Fill level, %. */
  level?: number;
  /** Waste volume, L. */
  litres?: number;
}

export interface Container {
  device: Device;
  /** The bin room (site), else the device id. */
  site: string;
  volumeL?: number;
  households?: number;
  /** Sorted by time, one point per instant. */
  points: FillPoint[];
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A positive finite numeric parameter (numbers or numeric strings). */
export function numParam(d: Device, name: string): number | undefined {
  const v = d.params?.[name];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Largest gap between readings that still counts as covered (3 h, or 3 expected intervals when the sensor reports less than hourly). */
export function maxGapMs(ctx: IndicatorContext): number {
  const perHour = ctx.settings.expectedPerHour.waste_fill ?? 1;
  return Math.max(3 * HOUR, perHour > 0 ? (3 * HOUR) / perHour : 3 * HOUR);
}

/** The tenant's registered waste containers, by id. */
export function containerDevices(ctx: IndicatorContext): Device[] {
  return ctx.devices.filter((d) => d.tenant === ctx.tenant && d.kind === 'waste_fill').sort((a, b) => cmp(a.id, b.id));
}

/** Containers read per query where the source cannot stream device by device. */
export const CONTAINERS_PER_READ = 100;

/**
 * The tenant's waste containers with their fill readings in [from, to), one at a
 * time: from the containers' day rollups where the store keeps them (each day row
 * carries the day's readings, rollups/types.ts DeviceBucket.raw: one pass over a
 * few rows per container instead of a scan of every reading of the city), else read
 * CONTAINERS_PER_READ at a time. Every registered container is handed on, also
 * without readings. A missing level or volume is derived from the other with
 * volume_l. What is held is one container's readings.
 */
export async function forEachContainer(ctx: IndicatorContext, from: number, to: number, fn: (c: Container) => void): Promise<void> {
  const devices = containerDevices(ctx);
  const rollups = ctx.source.rollups;
  if (!rollups) return readInChunks(ctx, devices, from, to, fn);
  const byId = new Map(devices.map((d) => [d.id.toLowerCase(), d]));
  const seen = new Set<string>();
  // Day rows written before they carried readings: those containers are read raw.
  const withoutRaw: Device[] = [];
  await eachDeviceDaySeries(rollups, { tenant: ctx.tenant, metrics: ['fill_level', 'fill_volume'], kinds: ['waste_fill'], from, to }, (id, series) => {
    const d = byId.get(id.toLowerCase());
    if (!d || seen.has(d.id)) return;
    seen.add(d.id);
    if (!series) return void withoutRaw.push(d);
    fn(containersOf(ctx, [d], series.map((x) => ({ device: d, ...x })), from, to)[0]!);
  });
  await readInChunks(ctx, withoutRaw, from, to, fn);
  for (const d of devices) if (!seen.has(d.id)) fn(containersOf(ctx, [d], [], from, to)[0]!);
}

async function readInChunks(ctx: IndicatorContext, devices: Device[], from: number, to: number, fn: (c: Container) => void): Promise<void> {
  for (let i = 0; i < devices.length; i += CONTAINERS_PER_READ) {
    const chunk = devices.slice(i, i + CONTAINERS_PER_READ);
    const series = await ctx.source.series({ tenant: ctx.tenant, metrics: ['fill_level', 'fill_volume'], kinds: ['waste_fill'], devices: chunk.map((d) => d.id), from, to });
    for (const c of containersOf(ctx, chunk, series, from, to)) fn(c);
  }
}

/** Every container of the tenant at once (tests, small tenants). */
export async function loadContainers(ctx: IndicatorContext, from: number, to: number): Promise<Container[]> {
  const out: Container[] = [];
  await forEachContainer(ctx, from, to, (c) => out.push(c));
  return out;
}

function containersOf(ctx: IndicatorContext, devices: Device[], series: Series[], from: number, to: number): Container[] {
  const byId = new Map<string, { device: Device; at: Map<number, FillPoint> }>();
  for (const d of devices) byId.set(d.id.toLowerCase(), { device: d, at: new Map() });
  for (const s of series) {
    if (s.device.tenant !== ctx.tenant || s.device.kind !== 'waste_fill') continue;
    const e = byId.get(s.device.id.toLowerCase());
    if (!e) continue;
    for (const x of s.samples) {
      if (x.t < from || x.t >= to || !Number.isFinite(x.v)) continue;
      const p = e.at.get(x.t) ?? { t: x.t };
      if (s.metric === 'fill_level') p.level = x.v;
      else p.litres = x.v;
      e.at.set(x.t, p);
    }
  }
  return [...byId.values()].map(({ device, at }) => {
    const volumeL = numParam(device, 'volume_l');
    const households = numParam(device, 'households');
    const points = [...at.values()].sort((a, b) => a.t - b.t);
    if (volumeL)
      for (const p of points) {
        if (p.level === undefined && p.litres !== undefined) p.level = (100 * p.litres) / volumeL;
        if (p.litres === undefined && p.level !== undefined) p.litres = (p.level / 100) * volumeL;
      }
    return { device, site: device.site ?? device.id, ...(volumeL ? { volumeL } : {}), ...(households ? { households } : {}), points };
  });
}

/** Whether the container was emptied between consecutive readings a and b. */
/**
 * A drop is an emptying when it is large (more than EMPTYING_DROP_PP points), or
 * when it ends near empty (below NEAR_EMPTY_PCT) and is clearly more than sensor
 * noise (more than MIN_EMPTYING_DROP_PP): a container emptied at 15 % drops only
 * ~13 points, and that early emptying is exactly what `emptyings_low_fill` is for.
 */
export const NEAR_EMPTY_PCT = 10;
export const MIN_EMPTYING_DROP_PP = 5;

export function isEmptying(c: Container, a: FillPoint, b: FillPoint): boolean {
  if (a.level !== undefined && b.level !== undefined) {
    const drop = a.level - b.level;
    return drop > EMPTYING_DROP_PP || (b.level < NEAR_EMPTY_PCT && drop > MIN_EMPTYING_DROP_PP);
  }
  if (a.litres !== undefined && b.litres !== undefined) {
    // No level and no volume_l: the largest volume seen stands in for the container's volume.
    const ref = c.volumeL ?? Math.max(0, ...c.points.map((p) => p.litres ?? 0));
    return ref > 0 && a.litres - b.litres > (EMPTYING_DROP_PP / 100) * ref;
  }
  return false;
}

export interface Emptying {
  /** Time of the first reading after the emptying. */
  t: number;
  /** Fill level just before (the last reading before the drop), % — undefined when only volumes without volume_l are known. */
  before?: number;
  after?: number;
}

/** Emptyings observed in [from, to) (by the time of the reading after the drop). */
export function emptyings(c: Container, from: number, to: number): Emptying[] {
  const out: Emptying[] = [];
  for (let i = 1; i < c.points.length; i++) {
    const a = c.points[i - 1]!;
    const b = c.points[i]!;
    if (b.t < from || b.t >= to || !isEmptying(c, a, b)) continue;
    out.push({ t: b.t, ...(a.level !== undefined ? { before: a.level } : {}), ...(b.level !== undefined ? { after: b.level } : {}) });
  }
  return out;
}

/** Share (0-1) of [from, to) covered by the container's readings. */
export function fillCoverage(ctx: IndicatorContext, c: Container, from: number, to: number): number {
  return coverage(c.points.map((p) => ({ t: p.t, v: 0 })), from, to, maxGapMs(ctx));
}
