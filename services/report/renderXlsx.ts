/**
 * The quarterly report as an Excel workbook (exceljs), for city staff who work
 * in Excel and reporting systems that import it. Sheets, in the report's
 * language, each a plain table with its header in row 1 (no merged cells, so
 * that it imports as is):
 *  - Summary: one row per target (FINANCE_COLUMNS): quarter, year to date,
 *    budget, deviation, forecast with interval, change since last quarter;
 *  - Quarters: one row per target × quarter (history and the rest of the
 *    year's budget): outcome, budget (trajectory), status, coverage;
 *  - Carbon budget: one row per emissions target: allowed, spent, remaining;
 *  - Data quality: figure and value.
 * Numbers are numbers (shares as fractions with a percent format), booleans
 * are booleans, missing values are empty cells.
 */
import ExcelJS from 'exceljs';
import { financeLabels } from './financeLabels.js';
import { FINANCE_COLUMNS, type Cell } from './financeRows.js';
import { labels } from './i18n.js';
import type { ReportData } from './reportData.js';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const SHARE = '0.0%';
const VALUE = '#,##0.0';

function table(wb: ExcelJS.Workbook, name: string, columns: Array<{ header: string; width?: number; fmt?: string }>, rows: Cell[][]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(12, Math.min(40, c.header.length + 2)), ...(c.fmt ? { style: { numFmt: c.fmt } } : {}) }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r.map((v) => (v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v)));
  return ws;
}

export async function renderXlsx(data: ReportData): Promise<Buffer> {
  const F = financeLabels(data.lang);
  const L = labels(data.lang);
  const C = F.columns;
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Klimatpuls';
  wb.title = `${data.cityName} – ${L.reportFor(L.quarterLong(data.quarter))}`;
  wb.created = new Date(data.generatedAt);

  table(
    wb,
    F.sheets.summary,
    FINANCE_COLUMNS.map((c) => ({ header: c.header(F), ...(c.key === 'target' ? { width: 48 } : {}), ...(c.kind === 'share' ? { fmt: SHARE } : c.kind === 'value' ? { fmt: VALUE } : {}) })),
    data.targets.map((t) => FINANCE_COLUMNS.map((c) => c.get(t))),
  );

  const quarterRows: Cell[][] = [];
  for (const t of data.targets) {
    for (const p of t.history) quarterRows.push([t.id, t.name, t.unit, p.period, p.value, p.trajectory, p.status, p.coverage, p.sufficient]);
    for (const q of t.finance.quarters.filter((q) => !t.history.some((p) => p.period === q.period))) quarterRows.push([t.id, t.name, t.unit, q.period, undefined, q.budget, undefined, undefined, false]);
  }
  table(
    wb,
    F.sheets.history,
    [{ header: 'id' }, { header: C.target, width: 48 }, { header: C.unit }, { header: C.period }, { header: C.value, fmt: VALUE }, { header: C.budget, fmt: VALUE }, { header: C.status }, { header: C.coverage, fmt: SHARE }, { header: C.sufficient }],
    quarterRows,
  );

  table(
    wb,
    F.sheets.carbon,
    [{ header: 'id' }, { header: C.target, width: 48 }, { header: C.unit }, { header: C.allowed, fmt: VALUE }, { header: C.allowedYtd, fmt: VALUE }, { header: C.spent, fmt: VALUE }, { header: C.remaining, fmt: VALUE }, { header: C.spentShare, fmt: SHARE }, { header: C.forecast, fmt: VALUE }, { header: `${C.interval} min`, fmt: VALUE }, { header: `${C.interval} max`, fmt: VALUE }, { header: C.forecastRemaining, fmt: VALUE }, { header: C.sufficient }],
    data.carbonBudget.map((c) => [c.targetId, c.name, c.unit, c.allowed, c.allowedYtd, c.spentYtd, c.remaining, c.spentShare, c.forecast?.value, c.forecast?.low, c.forecast?.high, c.forecast?.remaining, c.sufficient]),
  );

  const q = data.quality;
  const Q = L.quality;
  table(wb, F.sheets.quality, [{ header: L.columns.indicator, width: 40 }, { header: L.columns.value, width: 90 }], [
    [L.contract, data.contract],
    [C.period, data.quarter],
    [Q.devices, q.devicesReporting],
    ['devices_registered', q.devicesRegistered],
    ['device_coverage', q.deviceCoverage],
    [Q.deadLetter, q.deadLetterShare],
    [Q.gaps, q.gaps],
    ...q.notes.map((n): Cell[] => [Q.notes, n]),
  ]);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
