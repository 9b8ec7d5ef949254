import type { Device } from '../../registry/deviceRegistry.js';
import { periodOf } from '../periods.js';
import { dayStart, daysBetween, monthsBetween, nextDay } from '../rollups/days.js';
import type { HourlySeries } from '../rollups/types.js';
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

/** A meter's series of a metric in the period's window: the one without a channel when there is one, else every channel. */
type WindowSeries = { power: Set<string>; energy: Set<string> };
const chosen = (channels: Set<string>) => (channels.has('') ? [''] : [...channels].sort());

/**
 * From day rollups (a month): the meters' hourly inputs are read one day at a
 * time and added up per building, so what is held is one day of hours per
 * building, never the month's readings. Which series make up a meter's total is
 * decided over the raw engine's window (the month with its margins), as there;
 * a quarter or year takes it per month (a tariff channel that appears mid-quarter
 * is the one case where the two differ).
 */
export async function peaksFromRollups(ctx: IndicatorContext, meters: Device[]): Promise<Peaks> {
  const p = ctx.period;
  const rollups = ctx.source.rollups!;
  const hours = Math.round((p.end - p.start) / HOUR);
  const accs = new Map<string, Acc>();
  const counts = new Map<string, number>();
  for (const d of meters) {
    if (!accs.has(entityOf(d))) accs.set(entityOf(d), { hoursWithData: 0, counts: [] });
    counts.set(d.id.toLowerCase(), 0);
  }
  const kinds = ['electricity_meter'] as const;
  const windowSeries = new Map<string, WindowSeries>();
  const see = (device: string, b: { metric: string; channel: string }) => {
    const w = windowSeries.get(device.toLowerCase()) ?? { power: new Set<string>(), energy: new Set<string>() };
    windowSeries.set(device.toLowerCase(), w);
    if (b.metric === 'power') w.power.add(b.channel);
    if (b.metric === 'energy_total') w.energy.add(b.channel);
  };
  await rollups.eachDevice({ tenant: ctx.tenant, span: 'month', from: p.start, to: p.end, kinds }, (device, rows) => {
    for (const r of rows) for (const b of r.s) see(device, b);
  });
  await rollups.eachDevice({ tenant: ctx.tenant, span: 'day', from: dayStart(p.start - MARGIN_MS), to: p.start, kinds }, (device, rows) => {
    for (const r of rows) for (const b of r.s) if (b.lastT >= p.start - MARGIN_MS) see(device, b);
  });
  await rollups.eachDevice({ tenant: ctx.tenant, span: 'day', from: p.end, to: p.end + MARGIN_MS, kinds }, (device, rows) => {
    for (const r of rows) for (const b of r.s) if (b.firstT < p.end + MARGIN_MS) see(device, b);
  });

  for (const day of daysBetween(p.start, p.end)) {
    const hourly = new Map<string, HourlySeries[]>();
    await rollups.eachDevice({ tenant: ctx.tenant, span: 'day', from: day, to: nextDay(day), kinds }, (device, rows) => {
      const h = rows[0]?.d.hourly;
      if (h && counts.has(device.toLowerCase())) hourly.set(device.toLowerCase(), h);
    });
    const sums = new Map<string, Array<number | undefined>>();
    for (const d of meters) {
      const key = d.id.toLowerCase();
      const series = hourly.get(key);
      const w = windowSeries.get(key);
      if (!series || !w) continue;
      const of = (metric: string, channel: string) => series.find((x) => x.metric === metric && x.channel === channel)?.v;
      const power = chosen(w.power).map((c) => of('power', c)).filter((v) => v !== undefined);
      const energy = chosen(w.energy).map((c) => of('energy_total', c));
      const n = Math.round((nextDay(day) - day) / HOUR);
      const e = entityOf(d);
      let s = sums.get(e);
      if (!s) sums.set(e, (s = new Array<number | undefined>(n)));
      let reported = 0;
      for (let i = 0; i < n; i++) {
        let v: number | undefined;
        for (const x of power) if (x[i] !== null && x[i] !== undefined) v = (v ?? 0) + x[i]!;
        if (v === undefined && energy.length > 0) {
          let kwh = 0;
          let complete = true;
          for (const x of energy) {
            const k = x?.[i];
            if (k === null || k === undefined) complete = false;
            else kwh += k;
          }
          if (complete) v = kwh;
        }
        if (v === undefined) continue;
        reported++;
        s[i] = (s[i] ?? 0) + v;
      }
      counts.set(key, counts.get(key)! + reported);
    }
    for (const [e, s] of sums) addHours(accs.get(e)!, s, day);
  }
  for (const d of meters) accs.get(entityOf(d))!.counts.push(counts.get(d.id.toLowerCase())!);
  return finish(accs, [...counts.values()], hours);
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
