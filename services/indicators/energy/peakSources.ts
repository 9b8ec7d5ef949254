import type { Device } from '../../registry/deviceRegistry.js';
import { periodOf } from '../periods.js';
import { dayStart, monthsBetween } from '../rollups/days.js';
import { unpackHours } from '../rollups/packedHours.js';
import { hourlyMeans } from '../series.js';
import type { IndicatorContext } from '../types.js';
import { entityOf, HOUR, loadSeries, MARGIN_MS, mean, registerPerHour } from './common.js';

/** peak_power's figures per building: the highest hour, hours with data, meters, coverage; and the tenant's coverage. */
export interface Peaks {
  entities: Map<string, { peak?: { kw: number; hour: number }; hoursWithData: number; meters: number; coverage: number }>;
  coverage: number;
}

interface Acc {
  peak?: { kw: number; hour: number };
  hoursWithData: number;
  counts: number[];
}

function finish(accs: Map<string, Acc>, all: number[], hours: number): Peaks {
  const entities: Peaks['entities'] = new Map();
  for (const [e, a] of accs) entities.set(e, { ...(a.peak ? { peak: a.peak } : {}), hoursWithData: a.hoursWithData, meters: a.counts.length, coverage: mean(a.counts.map((n) => n / hours)) });
  return { entities, coverage: mean(all.map((n) => n / hours)) };
}

/** Adds one stretch of hours (sums per building, undefined: no data) to the building's peak, in time order. */
function addHours(acc: Acc, sums: Array<number | undefined>, first: number): void {
  for (let i = 0; i < sums.length; i++) {
    const kw = sums[i];
    if (kw === undefined) continue;
    acc.hoursWithData++;
    if (!acc.peak || kw > acc.peak.kw) acc.peak = { kw, hour: first + i * HOUR };
  }
}

/** From raw series (sources without rollups): every meter's contribution per hour of the period. */
export async function peaksFromRaw(ctx: IndicatorContext, meters: Device[]): Promise<Peaks> {
  const p = ctx.period;
  const set = await loadSeries(ctx, ['power', 'energy_total'], ['electricity_meter']);
  const hours = Math.round((p.end - p.start) / HOUR);
  const accs = new Map<string, Acc & { sums: Array<number | undefined> }>();
  const all: number[] = [];
  for (const d of meters) {
    const power = new Map<number, number>();
    for (const s of set.get(d, 'power')) for (const [h, v] of hourlyMeans(s.samples, p.start, p.end)) power.set(h, (power.get(h) ?? 0) + v);
    const energy = new Map<number, number>();
    const perChannel = set.get(d, 'energy_total').map((s) => registerPerHour(s.samples, p.start, p.end));
    for (const [h] of perChannel[0] ?? new Map<number, unknown>()) {
      let kwh = 0;
      let complete = true;
      for (const m of perChannel) {
        const e = m.get(h);
        if (!e || e.covered < HOUR - 1) complete = false;
        else kwh += e.kwh;
      }
      if (complete) energy.set(h, kwh);
    }
    const acc = accs.get(entityOf(d)) ?? { hoursWithData: 0, counts: [], sums: new Array<number | undefined>(hours) };
    accs.set(entityOf(d), acc);
    let n = 0;
    for (let i = 0; i < hours; i++) {
      const v = power.get(p.start + i * HOUR) ?? energy.get(p.start + i * HOUR);
      if (v === undefined) continue;
      n++;
      acc.sums[i] = (acc.sums[i] ?? 0) + v;
    }
    acc.counts.push(n);
    all.push(n);
  }
  for (const acc of accs.values()) addHours(acc, acc.sums, p.start);
  return finish(accs, all, hours);
}

/**
 * The buildings' hourly sums of a period, filled meter by meter; a building is
 * reduced to its peak as soon as its last meter is in (meters of a building are
 * usually neighbours in id order), so what is held is the hours of the buildings
 * in progress.
 */
class BuildingHours {
  private readonly accs = new Map<string, Acc>();
  private readonly counts = new Map<string, number>();
  private readonly left = new Map<string, number>();
  private readonly byId = new Map<string, Device>();
  private readonly open = new Map<string, Array<number | undefined>>();

  constructor(private readonly meters: Device[], private readonly start: number, readonly hours: number) {
    for (const d of meters) {
      if (!this.accs.has(entityOf(d))) this.accs.set(entityOf(d), { hoursWithData: 0, counts: [] });
      this.left.set(entityOf(d), (this.left.get(entityOf(d)) ?? 0) + 1);
      this.counts.set(d.id.toLowerCase(), 0);
      this.byId.set(d.id.toLowerCase(), d);
    }
  }

  /** The registered meter of a device id (any case). */
  meter(device: string): Device | undefined {
    return this.byId.get(device.toLowerCase());
  }

  /** The hourly sums of the meter's building, to add its contributions to. */
  sums(d: Device): Array<number | undefined> {
    let sums = this.open.get(entityOf(d));
    if (!sums) this.open.set(entityOf(d), (sums = new Array<number | undefined>(this.hours)));
    return sums;
  }

  /** The meter is in, with `n` hours of data. */
  done(d: Device, n: number): void {
    this.counts.set(d.id.toLowerCase(), n);
    this.close(entityOf(d), this.left.get(entityOf(d))! - 1);
  }

  /** The figures, once every meter with rows is in (buildings with meters without rows are closed here). */
  finish(): Peaks {
    for (const [entity, n] of this.left) if (n > 0) this.close(entity, 0);
    for (const d of this.meters) this.accs.get(entityOf(d))!.counts.push(this.counts.get(d.id.toLowerCase())!);
    return finish(this.accs, [...this.counts.values()], this.hours);
  }

  private close(entity: string, left: number): void {
    this.left.set(entity, left);
    if (left > 0) return;
    const sums = this.open.get(entity);
    if (sums) addHours(this.accs.get(entity)!, sums, this.start);
    this.open.delete(entity);
  }
}

const chosen = (channels: Set<string>) => (channels.has('') ? [''] : [...channels].sort());

/**
 * From day rollups (a month), in one pass over the month's day rows (with the raw
 * engine's margins) device by device: each meter's hourly inputs are combined as
 * peak_power takes them — which series make up its total is decided over the raw
 * engine's window, as there — and added to its building's hours; a building's
 * hours are reduced to its peak as soon as its last meter is in (meters of a
 * building are usually neighbours in id order), so what is held is a month of
 * hours for the buildings in progress, never readings. A quarter or year takes
 * the series per month (a tariff channel that appears mid-quarter is the one case
 * where the two differ).
 */
export async function peaksFromRollups(ctx: IndicatorContext, meters: Device[]): Promise<Peaks> {
  const p = ctx.period;
  const buildings = new BuildingHours(meters, p.start, Math.round((p.end - p.start) / HOUR));
  const seen = new Set<string>();
  const from = p.start - MARGIN_MS;
  const to = p.end + MARGIN_MS;
  await ctx.source.rollups!.eachDevice({ tenant: ctx.tenant, span: 'day', from: dayStart(from), to, kinds: ['electricity_meter'] }, (device, rows) => {
    const d = buildings.meter(device);
    if (!d || seen.has(d.id)) return; // (a device's rows come in one group)
    seen.add(d.id);
    const power = new Set<string>();
    const energy = new Set<string>();
    for (const r of rows) {
      for (const b of r.s) {
        if (b.lastT < from || b.firstT >= to) continue;
        if (b.metric === 'power') power.add(b.channel);
        if (b.metric === 'energy_total') energy.add(b.channel);
      }
    }
    const sums = buildings.sums(d);
    let n = 0;
    for (const r of rows) {
      if (r.start < p.start || r.start >= p.end) continue;
      const offset = Math.round((r.start - p.start) / HOUR);
      if (r.d.kw) {
        for (let i = 0; i < r.d.kw.length; i++) {
          const v = r.d.kw[i];
          if (v === null || v === undefined) continue;
          n++;
          sums[offset + i] = (sums[offset + i] ?? 0) + v;
        }
        continue;
      }
      if (!r.d.hourly) continue;
      const of = (metric: string, channel: string) => r.d.hourly!.find((x) => x.metric === metric && x.channel === channel)?.v;
      const pw = chosen(power).map((c) => of('power', c)).filter((v) => v !== undefined);
      const en = chosen(energy).map((c) => of('energy_total', c));
      const length = r.d.hourly[0]?.v.length ?? 0;
      for (let i = 0; i < length; i++) {
        let v: number | undefined;
        for (const x of pw) if (x[i] !== null && x[i] !== undefined) v = (v ?? 0) + x[i]!;
        if (v === undefined && en.length > 0) {
          let kwh = 0;
          let complete = true;
          for (const x of en) {
            const k = x?.[i];
            if (k === null || k === undefined) complete = false;
            else kwh += k;
          }
          if (complete) v = kwh;
        }
        if (v === undefined) continue;
        n++;
        sums[offset + i] = (sums[offset + i] ?? 0) + v;
      }
    }
    buildings.done(d, n);
  });
  return buildings.finish();
}

/**
 * A month from its `month_hours` rows, when every meter's row carries the month's
 * hours (`kwm`: plain series, window-independent): one row per meter instead of a
 * row per day, the same sums in the same order as peaksFromRollups. Undefined when
 * a meter's row has none (tariff channels) or the month has no such rows (built
 * before them): the caller then takes the days.
 */
export async function peaksFromMonthRows(ctx: IndicatorContext, meters: Device[]): Promise<Peaks | undefined> {
  const p = ctx.period;
  const buildings = new BuildingHours(meters, p.start, Math.round((p.end - p.start) / HOUR));
  let complete = true;
  let found = 0;
  await ctx.source.rollups!.eachDevice({ tenant: ctx.tenant, span: 'month_hours', from: p.start, to: p.end, kinds: ['electricity_meter'] }, (device, rows) => {
    const d = buildings.meter(device);
    if (!complete || !d) return;
    const row = rows.find((r) => r.start === p.start);
    if (!row) return;
    found++;
    if (row.d.kwm === undefined) {
      complete = false;
      return;
    }
    const kw = unpackHours(row.d.kwm);
    const sums = buildings.sums(d);
    let n = 0;
    for (let i = 0; i < Math.min(buildings.hours, kw.length); i++) {
      const v = kw[i]!;
      if (Number.isNaN(v)) continue;
      n++;
      sums[i] = (sums[i] ?? 0) + v;
    }
    buildings.done(d, n);
  });
  // No month_hours rows while there are meters: a month built before them.
  return complete && (found > 0 || meters.length === 0) ? buildings.finish() : undefined;
}

/**
 * A quarter or year from its months: the highest month's peak (the first on a
 * tie, as hours in time order), hours with data added, coverage weighted by the
 * months' hours (= the share of the period's hours, per meter, averaged).
 */
export async function peaksFromMonths(ctx: IndicatorContext, id: string): Promise<Peaks> {
  const p = ctx.period;
  const entities: Peaks['entities'] = new Map();
  let coverage = 0;
  const total = p.end - p.start;
  for (const m of monthsBetween(p.start, p.end)) {
    const month = periodOf('month', m);
    const weight = (month.end - month.start) / total;
    for (const v of await ctx.compute(id, month)) {
      if (v.entity === '*') {
        coverage += v.coverage * weight;
        continue;
      }
      const e = entities.get(v.entity) ?? { hoursWithData: 0, meters: Number(v.details?.meters ?? 0), coverage: 0 };
      entities.set(v.entity, e);
      e.hoursWithData += Number(v.details?.hours_with_data ?? 0);
      e.coverage += v.coverage * weight;
      const hour = typeof v.details?.peak_hour === 'string' ? Date.parse(v.details.peak_hour) : undefined;
      if (hour !== undefined && (!e.peak || v.value > e.peak.kw)) e.peak = { kw: v.value, hour };
    }
  }
  return { entities, coverage };
}
