import { DateTime } from 'luxon';

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

/**
 * The instant a cell (plus an optional time-of-day cell) names, in `zone` unless
 * the text carries an offset. Excel date cells (exceljs gives them as Dates in
 * UTC that mean local wall time) are read as wall time in `zone`.
 */
export function timeOf(cell: Cell, timeCell: Cell, o: { format?: string; zone: string }): DateTime | undefined {
  let dt: DateTime | undefined;
  if (cell instanceof Date) dt = wallTime(cell, o.zone);
  else if (typeof cell === 'number' && !o.format && cell > 20_000 && cell < 80_000) dt = wallTime(new Date(Math.round((cell - EXCEL_EPOCH_DAYS) * 86_400_000)), o.zone);
  else {
    const s = textOf(cell);
    if (!s) return undefined;
    dt = o.format ? DateTime.fromFormat(s, o.format, { zone: o.zone }) : parseDefault(s, o.zone);
  }
  if (!dt?.isValid) return undefined;
  if (timeCell !== undefined && timeCell !== null && textOf(timeCell) !== '') {
    const t = timeOfDay(timeCell);
    if (!t) return undefined;
    dt = dt.startOf('day').set(t);
    if (!dt.isValid) return undefined;
  }
  return dt;
}

function wallTime(d: Date, zone: string): DateTime {
  return DateTime.fromObject(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() },
    { zone },
  );
}

const DEFAULT_FORMATS = ['yyyy-MM-dd HH:mm:ss', 'yyyy-MM-dd HH:mm', 'yyyy-MM-dd HH', 'yyyy-MM-dd', 'yyyy-MM', 'yyyyMMdd', 'yyyyMM', 'yyyy'];

function parseDefault(s: string, zone: string): DateTime | undefined {
  const iso = DateTime.fromISO(s.replace(' ', 'T'), { zone, setZone: /[zZ]|[+-]\d\d:?\d\d$/.test(s) });
  if (iso.isValid && /^\d{4}-\d{2}-\d{2}/.test(s)) return iso;
  for (const f of DEFAULT_FORMATS) {
    const dt = DateTime.fromFormat(s, f, { zone });
    if (dt.isValid) return dt;
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
