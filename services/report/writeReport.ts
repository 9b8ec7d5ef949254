import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KlimatpulsError } from '../core/errors.js';
import { renderCsv, renderJson } from './renderCsv.js';
import { renderHtml } from './renderHtml.js';
import type { ReportData } from './reportData.js';

export interface ReportFiles {
  html: string;
  csv: string;
  json: string;
}

/**
 * Writes the report as `<city>-<quarter>-<lang>.html|.csv|.json` in `outDir`
 * (created if missing) and returns the three paths. City and quarter become
 * part of a file name, so they must look like a city id and a quarter label.
 */
export function writeReport(data: ReportData, outDir: string): ReportFiles {
  if (!/^[a-z0-9-]+$/.test(data.city)) throw new KlimatpulsError('CONFIG_INVALID', `report city ${JSON.stringify(data.city)}: expected lower-case letters, digits and '-'`);
  if (!/^\d{4}Q[1-4]$/.test(data.quarter)) throw new KlimatpulsError('CONFIG_INVALID', `report quarter ${JSON.stringify(data.quarter)}: expected e.g. 2025Q3`);
  if (data.lang !== 'sv' && data.lang !== 'en') throw new KlimatpulsError('CONFIG_INVALID', `report lang ${JSON.stringify(data.lang)}: expected sv or en`);
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `${data.city}-${data.quarter}-${data.lang}`);
  const files: ReportFiles = { html: `${base}.html`, csv: `${base}.csv`, json: `${base}.json` };
  writeFileSync(files.html, renderHtml(data), 'utf8');
  writeFileSync(files.csv, renderCsv(data), 'utf8');
  writeFileSync(files.json, renderJson(data), 'utf8');
  return files;
}
