import { DateTime } from 'luxon';
import { ZONE } from '../periods.js';

/** Stockholm calendar days and months as epoch ms (DST: days of 23 and 25 hours). */

export function dayStart(t: number): number {
  return DateTime.fromMillis(t, { zone: ZONE }).startOf('day').toMillis();
}

export function nextDay(day: number): number {
  return DateTime.fromMillis(day, { zone: ZONE }).plus({ days: 1 }).toMillis();
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
