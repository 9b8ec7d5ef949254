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
 *  - the effects CSV: one row per measure (MEASURES_FILE) with its measured
 *    effect up to the quarter's end: predicted, actual and avoided kWh, the
 *    uncertainty, the model's fit (CV(RMSE), NMBE) and whether it passes.
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

export const EFFECT_CSV_COLUMNS = [
  'measure_id', 'measure', 'kind', 'buildings', 'control_buildings', 'date', 'reporting_from', 'reporting_to', 'days', 'days_used', 'model', 'balance_point_c', 'cooling_balance_point_c',
  'predicted_kwh', 'actual_kwh', 'avoided_kwh', 'avoided_share', 'uncertainty68_kwh', 'uncertainty90_kwh', 'cvrmse', 'nmbe', 'cvrmse_threshold', 'nmbe_threshold',
  'control_savings_share', 'passes', 'failed',
] as const;

/** The measured effect of each measure, one row per measure (buildings and failed criteria separated by spaces); undefined when the report has no effects. */
export function renderEffectsCsv(data: ReportData): string | undefined {
  if (!data.effects) return undefined;
  const rows: string[] = [EFFECT_CSV_COLUMNS.join(',')];
  for (const e of data.effects) {
    rows.push([
      e.id, e.name, e.kind, e.buildings.join(' '), e.controlBuildings?.join(' '), e.date, e.reportingFrom, e.reportingTo, e.days, e.daysUsed, e.model, e.balancePoint, e.coolingBalancePoint,
      e.predictedKwh, e.actualKwh, e.avoidedKwh, e.avoidedShare, e.uncertainty68Kwh, e.uncertainty90Kwh, e.cvrmse, e.nmbe, e.cvrmseThreshold, e.nmbeThreshold,
      e.controlSavingsShare, e.passes, e.failed.join(' '),
    ].map(csvField).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

export function renderJson(data: ReportData): string {
  return JSON.stringify(data, null, 2) + '\n';
}
