import { DateTime } from 'luxon';
import type { MetricName, SensorKind } from '../../core/metrics.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { ZONE, type Period } from '../periods.js';
import { coverage, registerConsumption } from '../series.js';
import type { IndicatorContext, IndicatorValue, Sample, Series } from '../types.js';
import { dayStart, monthStart } from '../rollups/days.js';
import { seriesFigures, type SeriesFigures } from '../rollups/reducers.js';

/**
 * Shared plumbing of the energy indicators: which devices make up a building,
 * loading a period's series with margins, register consumption per device, and
 * building IndicatorValues with coverage and the sufficiency flag.
 */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Readings loaded before and after the period, so register differences across its boundaries can be taken. */
export const MARGIN_MS = 2 * DAY;
/** A gap between readings longer than this is a hole (hourly data). */
export const MAX_GAP_MS = 3 * HOUR;
/** Entity of the whole tenant. */
export const ALL = '*';

/** The building a device belongs to: its site, or the device itself when it has none. */
export function entityOf(d: Device): string {
  return d.site ?? d.id;
}

/**
 * The tenant's devices of these kinds that exist in the period, in a stable order.
 * A device whose building was built after the period (`params.building_year` later
 * than the period's last year) is left out: a building that did not exist is not
 * a meter missing from a baseline year's total.
 */
export function devicesOf(ctx: IndicatorContext, kinds: readonly SensorKind[]): Device[] {
  return ctx.devices.filter((d) => d.tenant === ctx.tenant && kinds.includes(d.kind) && builtBy(d, ctx.period.end)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Whether the device's building (`params.building_year`) was built by the end of a period ending at `end`. */
export function builtBy(d: Device, end: number): boolean {
  const v = d.params?.building_year;
  const year = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return !Number.isInteger(year) || year <= new Date(end - 1).getUTCFullYear();
}

/** A numeric device parameter (numbers or numeric strings), undefined when absent or not a positive finite number. */
export function numParam(d: Device, name: string): number | undefined {
  const v = d.params?.[name];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Energy carrier of a meter: params.carrier, else electricity for electricity meters and district heating for heat meters. */
export function carrierOf(d: Device): string {
  const c = d.params?.carrier;
  if (typeof c === 'string' && /^[a-z0-9_]+$/.test(c)) return c;
  return d.kind === 'heat_meter' ? 'district_heating' : 'electricity';
}

/** Series of one window, looked up by device and metric. */
export class SeriesSet {
  private readonly by = new Map<string, Series[]>();

  constructor(series: Series[]) {
    for (const s of series) {
      const key = `${s.device.id.toLowerCase()}\u0000${s.metric}`;
      const list = this.by.get(key) ?? [];
      list.push(s);
      this.by.set(key, list);
    }
    for (const list of this.by.values()) list.sort((a, b) => ((a.channel ?? '') < (b.channel ?? '') ? -1 : (a.channel ?? '') > (b.channel ?? '') ? 1 : 0));
  }

  /**
   * The series of a device's metric that make up its total: the one without a
   * channel when there is one (the meter's own total), else every channel
   * (tariff registers, phases), which are then added up.
   */
  get(device: Device, metric: MetricName): Series[] {
    const list = this.by.get(`${device.id.toLowerCase()}\u0000${metric}`) ?? [];
    const plain = list.filter((s) => s.channel === undefined);
    return plain.length > 0 ? plain : list;
  }

  has(device: Device, metric: MetricName): boolean {
    return this.get(device, metric).length > 0;
  }
}

/** Loads the tenant's series for `metrics` of devices of `kinds` for `period`, with margins. */
export async function loadSeries(ctx: IndicatorContext, metrics: MetricName[], kinds: SensorKind[], period: Period = ctx.period, margin = MARGIN_MS): Promise<SeriesSet> {
  const series = await ctx.source.series({ tenant: ctx.tenant, metrics, kinds, from: period.start - margin, to: period.end + margin });
  return new SeriesSet(series);
}

/**
 * Register figures of a period per device and metric (what registerOf gives for
 * the series a SeriesSet holds), from the store's rollups when the source keeps
 * them (month rows for months, quarters and years; day rows else), else from the
 * raw series. Holds a few numbers per series, never readings.
 */
export interface RegisterSet {
  get(device: Device, metric: MetricName): RegisterResult;
  has(device: Device, metric: MetricName): boolean;
}

export async function loadRegisters(ctx: IndicatorContext, metrics: MetricName[], kinds: SensorKind[], period: Period = ctx.period): Promise<RegisterSet> {
  const rollups = ctx.source.rollups;
  if (!rollups) {
    const set = await loadSeries(ctx, metrics, kinds, period);
    return { get: (d, m) => registerOf(set.get(d, m), period.start, period.end), has: (d, m) => set.has(d, m) };
  }
  const w = { from: period.start, to: period.end, loadedFrom: period.start - MARGIN_MS, loadedTo: period.end + MARGIN_MS };
  const span = period.kind === 'day' || period.kind === 'week' ? 'day' : 'month';
  const registered = new Map(ctx.devices.filter((d) => d.tenant === ctx.tenant && kinds.includes(d.kind)).map((d) => [d.id.toLowerCase(), d]));
  const figures = new Map<string, SeriesFigures[]>();
  await rollups.eachDevice({ tenant: ctx.tenant, span, from: span === 'day' ? dayStart(w.loadedFrom) : monthStart(w.loadedFrom), to: w.loadedTo, kinds }, (device, rows) => {
    const key = device.toLowerCase();
    if (!registered.has(key)) return;
    figures.set(key, [...(figures.get(key) ?? []), ...seriesFigures(rows, w, metrics).filter((f) => f.found)]);
  });
  const list = (d: Device, m: MetricName) => {
    const all = (figures.get(d.id.toLowerCase()) ?? []).filter((f) => f.metric === m).sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
    const plain = all.filter((f) => f.channel === '');
    return plain.length > 0 ? plain : all;
  };
  const hours = period.end - period.start;
  return {
    has: (d, m) => list(d, m).length > 0,
    get(d, m) {
      const l = list(d, m);
      if (l.length === 0) return { kwh: 0, resets: 0, coverage: 0, found: false };
      let kwh = 0;
      let resets = 0;
      let cov = 0;
      for (const f of l) {
        kwh += f.kwh;
        resets += f.resets;
        cov += Math.min(1, f.coveredMs / hours);
      }
      return { kwh, resets, coverage: cov / l.length, found: true };
    },
  };
}

export interface RegisterResult {
  /** Consumption in the window, kWh (never negative). */
  kwh: number;
  /** Register decreases (meter replaced or rolled over) seen in the window. */
  resets: number;
  /** Share of the window covered by readings (gaps over 3 h are holes). */
  coverage: number;
  /** Whether the device had any series of the metric at all. */
  found: boolean;
}

/** Consumption of a cumulative register over [from, to), channels added up; coverage is their mean. */
export function registerOf(list: Series[], from: number, to: number): RegisterResult {
  if (list.length === 0) return { kwh: 0, resets: 0, coverage: 0, found: false };
  let kwh = 0;
  let resets = 0;
  let cov = 0;
  for (const s of list) {
    const r = registerConsumption(s.samples, from, to);
    kwh += r.value;
    resets += r.resets;
    cov += coverage(s.samples, from, to, MAX_GAP_MS);
  }
  return { kwh, resets, coverage: cov / list.length, found: true };
}

/**
 * Register consumption per whole hour of [from, to) (hours aligned to the epoch,
 * which Stockholm hours are): kWh in the hour and how much of the hour was covered
 * by reading intervals no longer than 3 h. Linear in one pass, for long periods.
 */
export function registerPerHour(samples: Sample[], from: number, to: number): Map<number, { kwh: number; covered: number }> {
  const out = new Map<number, { kwh: number; covered: number }>();
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (b.t <= from || a.t >= to || b.t - a.t > MAX_GAP_MS) continue;
    const inc = b.v >= a.v ? b.v - a.v : b.v;
    const lo = Math.max(a.t, from);
    const hi = Math.min(b.t, to);
    for (let h = Math.floor(lo / HOUR) * HOUR; h < hi; h += HOUR) {
      const overlap = Math.min(hi, h + HOUR) - Math.max(lo, h);
      if (overlap <= 0) continue;
      const e = out.get(h) ?? { kwh: 0, covered: 0 };
      e.kwh += inc * (overlap / (b.t - a.t));
      e.covered += overlap;
      out.set(h, e);
    }
  }
  return out;
}

export function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Local ISO time of an instant in Stockholm (for details). */
export function isoLocal(t: number): string {
  return DateTime.fromMillis(t, { zone: ZONE }).toISO({ suppressMilliseconds: true }) ?? new Date(t).toISOString();
}

/** Entities in a stable order, the tenant's '*' last. */
export function byEntity(a: IndicatorValue, b: IndicatorValue): number {
  if (a.entity === b.entity) return 0;
  if (a.entity === ALL) return 1;
  if (b.entity === ALL) return -1;
  return a.entity < b.entity ? -1 : 1;
}

/**
 * An IndicatorValue for the context's period; coverage clamped to 0..1, sufficient
 * against settings.minCoverage (and false when the caller knows the value cannot
 * stand, e.g. an input it depends on is missing).
 */
export function makeValue(
  ctx: IndicatorContext,
  o: { indicator: string; unit: string; entity: string; value: number; coverage: number; details?: Record<string, number | string>; insufficient?: boolean },
): IndicatorValue {
  const cov = Number.isFinite(o.coverage) ? Math.min(1, Math.max(0, o.coverage)) : 0;
  const value = Number.isFinite(o.value) ? o.value : 0;
  return {
    indicator: o.indicator,
    period: ctx.period.label,
    periodKind: ctx.period.kind,
    tenant: ctx.tenant,
    entity: o.entity,
    value,
    unit: o.unit,
    coverage: cov,
    sufficient: !o.insufficient && Number.isFinite(o.value) && cov >= ctx.settings.minCoverage,
    ...(o.details ? { details: o.details } : {}),
  };
}
