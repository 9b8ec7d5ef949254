import { DateTime } from 'luxon';
import type { Wall, ZoneClock } from './zoneClock.js';

/**
 * Cell values as exports write them: numbers with a decimal comma and spaces
 * (or no-break spaces) between thousands (`1 234,5`), dates as ISO text, Swedish
 * short forms, year-months (`2024-01`, `202401`) or Excel date cells.
 */

export type Cell = string | number | Date | boolean | null | undefined;

/** A number from a cell, or undefined when the cell holds none. */
export function numberOf(cell: Cell, decimal: ',' | '.'): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string') return undefined;
  let s = cell.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (s === '') return undefined;
  if (decimal === ',') s = s.replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.');
  else s = s.replace(/,(?=\d{3}(\D|$))/g, '');
  // a minus as exports write it (U+2212)
  s = s.replace(/^\u2212/, '-');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return undefined;
  return Number(s);
}

export function textOf(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return cell.toISOString();
  return String(cell).trim();
}

/** Days between Excel's epoch (1899-12-30) and 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25569;

/** A parsed time: the instant, and its wall time in the mapping's zone. */
export interface ParsedTime {
  ms: number;
  wall: Wall;
}

/**
 * The instant a cell (plus an optional time-of-day cell) names, in the clock's zone
 * unless the text carries an offset. Excel date cells (exceljs gives them as Dates
 * in UTC that mean local wall time) are read as wall time. Common forms are parsed
 * by hand (luxon costs tens of µs a row); `format` goes through luxon.
 */
export function timeOf(cell: Cell, timeCell: Cell, o: { format?: string; clock: ZoneClock; zone: string }): ParsedTime | undefined {
  let w: Wall | undefined;
  let ms: number | undefined;
  if (cell instanceof Date) w = utcFields(cell);
  else if (typeof cell === 'number' && !o.format && cell > 20_000 && cell < 80_000) w = utcFields(new Date(Math.round((cell - EXCEL_EPOCH_DAYS) * 86_400_000)));
  else {
    const s = textOf(cell);
    if (!s) return undefined;
    if (o.format) {
      const dt = DateTime.fromFormat(s, o.format, { zone: o.zone });
      if (!dt.isValid) return undefined;
      if (/[Zz]|ZZ/.test(o.format)) ms = dt.toMillis();
      else w = { year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute, second: dt.second };
    } else {
      const p = parseDefault(s);
      if (!p) return undefined;
      if (typeof p === 'number') ms = p;
      else w = p;
    }
  }
  if (timeCell !== undefined && timeCell !== null && textOf(timeCell) !== '') {
    const t = timeOfDay(timeCell);
    if (!t) return undefined;
    w = { ...(w ?? o.clock.wall(ms!)), ...t };
    ms = undefined;
  }
  if (ms !== undefined) return { ms, wall: o.clock.wall(ms) };
  if (!w || !validWall(w)) return undefined;
  return { ms: o.clock.toMillis(w), wall: w };
}

function utcFields(d: Date): Wall {
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

function validWall(w: Wall): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 59) return false;
  return w.day <= new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
}

/** `2024-01-31`, `2024-01-31 13:00[:00]`, `2024-01-31T13:00`, `2024-01`, `202401`, `20240131`, `2024`; an ISO time with Z or an offset is an instant. */
const WALL_RE = /^(\d{4})-?(\d{2})(?:-?(\d{2})(?:[T ](\d{1,2})(?::(\d{2}))?(?::(\d{2}))?(?:\.\d+)?)?)?$/;

function parseDefault(s: string): Wall | number | undefined {
  const m = WALL_RE.exec(s);
  if (m) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3] ?? 1), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0) };
  if (/^\d{4}$/.test(s)) return { year: Number(s), month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*([Zz]|[+-]\d{2}:?\d{2})$/.test(s)) {
    const dt = DateTime.fromISO(s.replace(' ', 'T'), { setZone: true });
    return dt.isValid ? dt.toMillis() : undefined;
  }
  return undefined;
}

/** Hour, minute, second of a time-of-day cell: `13:00`, `13`, `13-14` (hour ranges: their start), an Excel time. */
function timeOfDay(cell: Cell): { hour: number; minute: number; second: number } | undefined {
  if (cell instanceof Date) return { hour: cell.getUTCHours(), minute: cell.getUTCMinutes(), second: cell.getUTCSeconds() };
  if (typeof cell === 'number' && cell >= 0 && cell < 1) {
    const secs = Math.round(cell * 86_400);
    return { hour: Math.floor(secs / 3600), minute: Math.floor((secs % 3600) / 60), second: secs % 60 };
  }
  const m = /^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?(?:\s*-\s*\d{1,2}(?::\d{2})?)?$/.exec(textOf(cell));
  if (!m) return undefined;
  const hour = Number(m[1]);
  const minute = Number(m[2] ?? 0);
  const second = Number(m[3] ?? 0);
  return hour < 24 && minute < 60 && second < 60 ? { hour, minute, second } : undefined;
}
