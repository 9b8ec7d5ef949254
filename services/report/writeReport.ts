import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KlimatpulsError } from '../core/errors.js';
import { renderCsv, renderEffectsCsv, renderFinanceCsv, renderJson } from './renderCsv.js';
import { renderHtml } from './renderHtml.js';
import { renderXlsx } from './renderXlsx.js';
import type { ReportData } from './reportData.js';

export const REPORT_FORMATS = ['html', 'csv', 'json', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The files written, by format; `csv` brings the finance CSV along (`financeCsv`), and the effects CSV when the report has measures (`effectsCsv`). */
export interface ReportFiles {
  html?: string;
  csv?: string;
  financeCsv?: string;
  effectsCsv?: string;
  json?: string;
  xlsx?: string;
}

/**
 * Writes the report as `<city>-<quarter>-<lang>.html|.csv|-finance.csv|-effects.csv|.json|.xlsx`
 * in `outDir` (created if missing), the formats asked for (all by default), and
 * returns the paths. City and quarter become part of a file name, so they must
 * look like a city id and a quarter label.
 */
export async function writeReport(data: ReportData, outDir: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<ReportFiles> {
  if (!/^[a-z0-9-]+$/.test(data.city)) throw new KlimatpulsError('CONFIG_INVALID', `report city ${JSON.stringify(data.city)}: expected lower-case letters, digits and '-'`);
  if (!/^\d{4}Q[1-4]$/.test(data.quarter)) throw new KlimatpulsError('CONFIG_INVALID', `report quarter ${JSON.stringify(data.quarter)}: expected e.g. 2025Q3`);
  if (data.lang !== 'sv' && data.lang !== 'en') throw new KlimatpulsError('CONFIG_INVALID', `report lang ${JSON.stringify(data.lang)}: expected sv or en`);
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `${data.city}-${data.quarter}-${data.lang}`);
  const files: ReportFiles = {};
  const put = (key: keyof ReportFiles, path: string, body: string | Buffer) => {
    writeFileSync(path, body, typeof body === 'string' ? 'utf8' : undefined);
    files[key] = path;
  };
  if (formats.includes('html')) put('html', `${base}.html`, renderHtml(data));
  if (formats.includes('csv')) {
    put('csv', `${base}.csv`, renderCsv(data));
    put('financeCsv', `${base}-finance.csv`, renderFinanceCsv(data));
    const effects = renderEffectsCsv(data);
    if (effects !== undefined) put('effectsCsv', `${base}-effects.csv`, effects);
  }
  if (formats.includes('json')) put('json', `${base}.json`, renderJson(data));
  if (formats.includes('xlsx')) put('xlsx', `${base}.xlsx`, await renderXlsx(data));
  return files;
}
