import { DateTime } from 'luxon';
import { seededRandom as rng } from '../../core/random.js';

/**
 * A small deterministic model of a city's history (outdoor temperature, building
 * energy, counts, fill levels, fuel), the values the history files of
 * `historyFiles.ts` are written from. Seeded: the same seed gives the same files.
 * Levels change with the year (`LEVEL`), so targets have a trend to follow.
 */

export const ZONE = 'Europe/Stockholm';
const HOUR = 3_600_000;

/** Energy (and waste) level per year against 2024: more before, less after. */
const LEVEL: Record<number, number> = { 2018: 1.16, 2019: 1.12, 2022: 1.05, 2023: 1.03, 2024: 1, 2025: 0.96 };
export const level = (year: number): number => LEVEL[year] ?? 1;

/** The whole hours (UTC ms) from `from` (inclusive) to `to` (exclusive), ISO local dates in Stockholm. */
export function* hours(from: string, to: string): Generator<number> {
  const a = DateTime.fromISO(from, { zone: ZONE }).toMillis();
  const b = DateTime.fromISO(to, { zone: ZONE }).toMillis();
  for (let t = a; t < b; t += HOUR) yield t;
}

/** Stockholm days or months [from, to) as Luxon dates (the start of each). */
function* calendar(unit: 'day' | 'month', from: string, to: string): Generator<DateTime> {
  const end = DateTime.fromISO(to, { zone: ZONE });
  for (let d = DateTime.fromISO(from, { zone: ZONE }).startOf(unit); d < end; d = d.plus({ [`${unit}s`]: 1 })) yield d;
}

/** Stockholm days [from, to) as Luxon dates. */
export const days = (from: string, to: string): Generator<DateTime> => calendar('day', from, to);

/** Stockholm months [from, to) as Luxon dates (first of the month). */
export const months = (from: string, to: string): Generator<DateTime> => calendar('month', from, to);

/** Outdoor temperature: seasonal curve, a day-to-day wobble (seeded by the day) and a daily cycle. */
export function temperature(t: number): number {
  const d = DateTime.fromMillis(t, { zone: ZONE });
  const day = Math.floor(d.startOf('day').toMillis() / 86_400_000);
  const wobble = (rng(day * 7919)() - 0.5) * 6;
  const seasonal = 7.5 - 9.5 * Math.cos((2 * Math.PI * (d.ordinal - 20)) / 365.25);
  const daily = -2.5 * Math.cos((2 * Math.PI * (d.hour - 3)) / 24);
  return Math.round((seasonal + wobble + daily) * 10) / 10;
}

/** Heating degree-days of a Stockholm day against 17 °C, from the model's hourly temperatures. */
const hddCache = new Map<number, number>();
export function hddOfDay(day: DateTime): number {
  const key = day.toMillis();
  const hit = hddCache.get(key);
  if (hit !== undefined) return hit;
  const v = hddOf(day);
  hddCache.set(key, v);
  return v;
}

function hddOf(day: DateTime): number {
  let sum = 0;
  let n = 0;
  for (let t = day.toMillis(); t < day.plus({ days: 1 }).toMillis(); t += HOUR) {
    sum += temperature(t);
    n++;
  }
  return Math.max(0, 17 - sum / n);
}

/** District heating of a building per day (kWh): base load + a slope per degree-day, with noise. `saving` from `savingFrom` on (a campaign). */
export function heatOfDay(day: DateTime, o: { base: number; slope: number; seed: number; saving?: number; savingFrom?: string }): number {
  const noise = 1 + (rng(o.seed + Math.floor(day.toMillis() / 86_400_000))() - 0.5) * 0.04;
  const saved = o.saving && o.savingFrom && day.toISODate()! >= o.savingFrom ? 1 - o.saving : 1;
  return (o.base + o.slope * hddOfDay(day)) * level(day.year) * saved * noise;
}

/** Electricity of a building per hour (kWh): base load, working hours, noise. */
export function electricityOfHour(t: number, o: { base: number; work: number; seed: number }): number {
  const d = DateTime.fromMillis(t, { zone: ZONE });
  const working = d.weekday <= 5 && d.hour >= 7 && d.hour < 18;
  const noise = 1 + (rng(o.seed + t / HOUR)() - 0.5) * 0.1;
  return Math.round((o.base + (working ? o.work : 0)) * level(d.year) * noise * 100) / 100;
}

/** Solar production per hour (kWh) of a roof of `kwp` kW peak. */
export function solarOfHour(t: number, kwp: number): number {
  const d = DateTime.fromMillis(t, { zone: ZONE });
  const season = Math.max(0, Math.sin((Math.PI * (d.ordinal - 60)) / 245));
  const sun = Math.max(0, Math.sin((Math.PI * (d.hour - 5)) / 15));
  return Math.round(kwp * 0.6 * season * sun * 100) / 100;
}

/** Passages in an hour at a counting point: `peak` per hour at rush hour in summer. */
export function countOfHour(t: number, peak: number, seed: number): number {
  const d = DateTime.fromMillis(t, { zone: ZONE });
  const season = 0.55 + 0.45 * Math.sin((Math.PI * (d.ordinal - 60)) / 245);
  const daily = Math.max(0.05, Math.exp(-((d.hour - 8) ** 2) / 4) + Math.exp(-((d.hour - 17) ** 2) / 5) + 0.15 * Math.sin((Math.PI * d.hour) / 24));
  return Math.round(peak * season * daily * (0.85 + rng(seed + t / HOUR)() * 0.3));
}

/** Fill level (%) of a container every `stepH` hours: rises with `litresPerDay`, emptied on `emptyDays` (ISO weekdays) at 07:00. */
export function* fillLevels(from: string, to: string, o: { volumeL: number; litresPerDay: number; emptyDays: number[]; stepH: number; seed: number }): Generator<{ t: number; level: number }> {
  let litres = 20;
  let last: number | undefined;
  for (const t of hours(from, to)) {
    const d = DateTime.fromMillis(t, { zone: ZONE });
    if (last !== undefined) litres += (o.litresPerDay * level(d.year) * (t - last)) / 86_400_000 * (0.8 + rng(o.seed + t / HOUR)() * 0.4);
    last = t;
    if (d.hour === 7 && o.emptyDays.includes(d.weekday)) litres = 10;
    if (d.hour % o.stepH === 0) yield { t, level: Math.round(Math.min(140, (100 * litres) / o.volumeL) * 10) / 10 };
  }
}
