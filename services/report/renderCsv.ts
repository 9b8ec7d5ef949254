/**
 * Machine-readable exports of the quarterly report, for the finance-style
 * follow-up spreadsheets and for archiving:
 *  - CSV (RFC 4180: comma separated, CRLF line ends, fields with a comma, quote
 *    or line break quoted, quotes doubled), one row per target × history point.
 *    Numbers are plain (dot decimal, no grouping) and statuses are their codes,
 *    so that the file reads the same in any locale; names are in the report's
 *    language.
 *  - the finance CSV: one row per target with the quarter, year to date,
 *    budget, deviation, forecast and change since last quarter (financeRows.ts).
 *  - JSON: the ReportData itself, pretty-printed.
 */
import { FINANCE_COLUMNS } from './financeRows.js';
import type { ReportData } from './reportData.js';

export const CSV_COLUMNS = ['target_id', 'target', 'indicator', 'unit', 'period', 'value', 'trajectory', 'status', 'coverage', 'sufficient'] as const;

/** One CSV field, quoted when RFC 4180 requires it. */
export function csvField(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(data: ReportData): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const t of data.targets) {
    for (const p of t.history) {
      rows.push([t.id, t.name, t.indicator, t.unit, p.period, p.value, p.trajectory, p.status, p.coverage, p.sufficient].map(csvField).join(','));
    }
  }
  return rows.join('\r\n') + '\r\n';
}

/** The finance view, one row per target; the header is FINANCE_COLUMNS' codes. */
export function renderFinanceCsv(data: ReportData): string {
  const rows = [FINANCE_COLUMNS.map((c) => c.key).join(',')];
  for (const t of data.targets) rows.push(FINANCE_COLUMNS.map((c) => csvField(c.get(t))).join(','));
  return rows.join('\r\n') + '\r\n';
}

export function renderJson(data: ReportData): string {
  return JSON.stringify(data, null, 2) + '\n';
}
