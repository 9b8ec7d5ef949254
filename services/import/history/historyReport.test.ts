import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCommand } from '../../app/importCommand.js';
import { reportCommand } from '../../app/reportCommand.js';
import { loadTargets } from '../../indicators/targets/targets.js';
import { FINANCE_COLUMNS } from '../../report/financeRows.js';
import type { ReportData } from '../../report/reportData.js';
import { writeHistoryFiles, type HistoryFile } from './historyFiles.js';

/** What `fn` writes to stdout (the command's --json output), not shown. */
async function stdoutOf(fn: () => Promise<void>): Promise<string> {
  const write = process.stdout.write;
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((text += String(chunk)), true)) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return text;
}

const targetsFile = (city: string) => join(import.meta.dirname, '../../indicators/targets', `${city}.json`);

/**
 * A new city's first follow-up: a year and more of history in the files cities
 * have (historyFiles.ts), imported with `klimatpuls import` on an empty embedded
 * DuckDB store, then `klimatpuls report --quarter 2025Q3`: every target of both
 * seed contracts has a status, the quarter's outcome, YTD, the year's budget, a
 * deviation and a full-year forecast with an interval, in JSON and in the xlsx.
 */
describe('history import → 2025Q3 report (Kalmar, Malmö)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-history-'));
  const out = join(dir, 'reports');
  let env: NodeJS.ProcessEnv;
  let files: HistoryFile[];

  beforeAll(async () => {
    const w = await writeHistoryFiles(join(dir, 'files'));
    files = w.files;
    env = { DATA_DIR: join(dir, 'data'), REGISTRY_FILE: w.registry, MEASURES_FILE: w.measures, LOG_LEVEL: 'warn' };
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports every file: rows stored, none dead-lettered', async () => {
    for (const f of files) {
      const [s] = JSON.parse(await stdoutOf(() => importCommand([f.file, '--mapping', f.mapping, '--no-recompute', '--json'], env))) as Array<{ rowsRead: number; rowsStored: number; deadLetteredTotal: number }>;
      expect(s!.rowsRead, f.file).toBeGreaterThan(0);
      expect([s!.rowsStored, s!.deadLetteredTotal], f.file).toEqual([s!.rowsRead, 0]);
    }
  }, 120_000);

  for (const city of ['kalmar', 'malmo']) {
    it(`${city}: every target of the contract has a status, YTD, budget, deviation and forecast (JSON and xlsx)`, async () => {
      await stdoutOf(() => reportCommand(['--city', city, '--quarter', '2025Q3', '--lang', 'en', '--out', out], env));
      const data = JSON.parse(readFileSync(join(out, `${city}-2025Q3-en.json`), 'utf8')) as ReportData;
      const ids = loadTargets(targetsFile(city)).targets.map((t) => t.id);
      expect(data.targets.map((t) => t.id)).toEqual(ids);
      const summary = data.targets.map((t) => [t.id, t.status, t.finance.ytd.value, t.finance.forecast?.value, t.finance.noForecast]);
      for (const t of data.targets) {
        expect(t.status, `${t.id}: ${JSON.stringify(summary)}`).not.toBe('not_enough_data');
        expect(t.finance.quarter.value, t.id).toBeTypeOf('number');
        expect(t.finance.ytd.value, t.id).toBeTypeOf('number');
        expect(t.finance.ytd.sufficient, t.id).toBe(true);
        expect(t.finance.ytd.deviation, t.id).toBeTypeOf('number');
        expect(t.finance.yearBudget, t.id).toBeTypeOf('number');
        const f = t.finance.forecast;
        expect(f, `${t.id}: ${t.finance.noForecast}`).toBeDefined();
        expect(f!.low).toBeLessThanOrEqual(f!.value);
        expect(f!.high).toBeGreaterThanOrEqual(f!.value);
        expect(f!.deviation, t.id).toBeTypeOf('number');
      }
      expect(data.quality.notes.join(' ')).not.toMatch(/lack sufficient data/);
      // Baselines from all three places: the targets file, measured history, imported yearly figures (1990 emissions with their source).
      const sources = data.targets.flatMap((t) => t.baselineSources ?? []);
      expect(new Set(sources.map((b) => b.kind))).toEqual(new Set(city === 'kalmar' ? ['targets_file', 'measured', 'yearly_figure'] : ['targets_file', 'yearly_figure']));
      const emissions1990 = data.targets.find((t) => t.indicator === 'emissions' && t.baselineYear === 1990)!;
      expect(emissions1990.baselineSources).toEqual([expect.objectContaining({ kind: 'yearly_figure', year: 1990, source: expect.stringContaining('Nationella emissionsdatabasen'), profile: 'last_year', profileYear: 2024 })]);

      if (city === 'kalmar') {
        // The contractor's weights become their own indicator (no target follows it), shown among the other indicators.
        expect(data.indicators.find((i) => i.id === 'waste_weight_per_household')).toMatchObject({ unit: 'kg/household/week', sufficient: true, value: expect.any(Number) });
        // The campaign's measured effect, also as CSV: its model passes Guideline 14's criteria.
        const effects = parse(readFileSync(join(out, 'kalmar-2025Q3-en-effects.csv'), 'utf8')) as string[][];
        const passes = effects[0]!.indexOf('passes');
        expect(effects.slice(1).map((r) => [r[0], r[passes]])).toEqual([['energikampanj-skolan', 'true']]);
      }

      // The xlsx summary sheet, read back: a row per target with the same status, YTD, forecast and deviation.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(join(out, `${city}-2025Q3-en.xlsx`));
      const sheet = wb.worksheets[0]!;
      const col = (key: string) => FINANCE_COLUMNS.findIndex((c) => c.key === key) + 1;
      const rows = new Map<string, ExcelJS.Row>();
      sheet.eachRow((r, n) => n > 1 && rows.set(String(r.getCell(col('target_id')).value), r));
      expect([...rows.keys()]).toEqual(ids);
      for (const t of data.targets) {
        const r = rows.get(t.id)!;
        expect(r.getCell(col('status')).value, t.id).toBe(t.status);
        expect(r.getCell(col('ytd_value')).value, t.id).toBeCloseTo(t.finance.ytd.value!, 6);
        expect(r.getCell(col('ytd_deviation')).value, t.id).toBeCloseTo(t.finance.ytd.deviation!, 6);
        expect(r.getCell(col('forecast')).value, t.id).toBeCloseTo(t.finance.forecast!.value, 6);
        expect(r.getCell(col('forecast_low')).value, t.id).toBeCloseTo(t.finance.forecast!.low, 6);
        expect(r.getCell(col('forecast_high')).value, t.id).toBeCloseTo(t.finance.forecast!.high, 6);
        expect(r.getCell(col('forecast_deviation')).value, t.id).toBeCloseTo(t.finance.forecast!.deviation!, 6);
      }
    }, 120_000);
  }
});
