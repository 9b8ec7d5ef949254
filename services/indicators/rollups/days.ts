import { DateTime } from 'luxon';
import { ZONE } from '../periods.js';

/** Stockholm calendar days and months as epoch ms (DST: days of 23 and 25 hours). */

const HOUR = 3_600_000;
/**
 * Luxon's zone arithmetic costs tens of µs a call, and the writer marks every
 * reading's day: both are remembered per hour (Stockholm's offsets are whole
 * hours, so a day starts on an hour), in maps cleared when they grow past a
 * bound (a year of hours).
 */
const dayOfHour = new Map<number, number>();
const dayAfter = new Map<number, number>();
const BOUND = 9_000;

export function dayStart(t: number): number {
  const h = Math.floor(t / HOUR);
  let d = dayOfHour.get(h);
  if (d === undefined) {
    if (dayOfHour.size >= BOUND) dayOfHour.clear();
    dayOfHour.set(h, (d = DateTime.fromMillis(h * HOUR, { zone: ZONE }).startOf('day').toMillis()));
  }
  return d;
}

export function nextDay(day: number): number {
  let d = dayAfter.get(day);
  if (d === undefined) {
    if (dayAfter.size >= BOUND) dayAfter.clear();
    dayAfter.set(day, (d = DateTime.fromMillis(day, { zone: ZONE }).plus({ days: 1 }).toMillis()));
  }
  return d;
}

export function monthStart(t: number): number {
  return DateTime.fromMillis(t, { zone: ZONE }).startOf('month').toMillis();
}

export function nextMonth(month: number): number {
  return DateTime.fromMillis(month, { zone: ZONE }).plus({ months: 1 }).toMillis();
}

/** Day starts of the days overlapping [from, to). */
export function daysBetween(from: number, to: number): number[] {
  const out: number[] = [];
  for (let d = dayStart(from); d < to; d = nextDay(d)) out.push(d);
  return out;
}

/** Month starts of the months overlapping [from, to). */
export function monthsBetween(from: number, to: number): number[] {
  const out: number[] = [];
  for (let m = monthStart(from); m < to; m = nextMonth(m)) out.push(m);
  return out;
}
