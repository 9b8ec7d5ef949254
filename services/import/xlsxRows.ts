import { createReadStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { ConfigError } from '../core/errors.js';
import type { Cell } from './cells.js';
import type { SourceRow } from './sourceRows.js';

/**
 * xlsx rows through exceljs's streaming reader (the workbook is never loaded
 * whole): the chosen sheet's rows after `skipRows`, the first of them the
 * header. Styles are read so that date cells come as Dates; formulas give their
 * cached result, rich text its plain text.
 */
export async function* xlsxRows(path: string, sheet: string | number | undefined, skipRows: number, onBytes?: (n: number) => void): AsyncGenerator<SourceRow> {
  const input = createReadStream(path);
  if (onBytes) input.on('data', (c) => onBytes((c as Buffer).length));
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  let index = 0;
  let found = false;
  for await (const ws of workbook) {
    index++;
    const name = (ws as unknown as { name?: string }).name;
    const wanted = sheet === undefined ? index === 1 : typeof sheet === 'number' ? index === sheet : name === sheet;
    if (!wanted) {
      for await (const _row of ws) void _row; // the reader must drain a sheet before the next
      continue;
    }
    found = true;
    let header: string[] | undefined;
    for await (const row of ws) {
      if (row.number <= skipRows) continue;
      const values = (row.values as unknown[]).slice(1).map(cellOf);
      if (!header) {
        header = values.map((v) => (v === null || v === undefined ? '' : String(v).trim()));
        continue;
      }
      if (values.every((v) => v === null || v === undefined || v === '')) continue;
      yield { row: row.number, header, cells: values, raw: values.map((v) => (v instanceof Date ? v.toISOString() : String(v ?? ''))).join(';') };
    }
  }
  if (!found) throw new ConfigError('sheet', `a sheet of the workbook (it has ${index})`, String(sheet ?? 1));
}

function cellOf(v: unknown): Cell {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as { result?: unknown; richText?: Array<{ text: string }>; text?: unknown; error?: unknown };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return cellOf(o.result);
    if (typeof o.text === 'string') return o.text;
    if (o.error) return undefined;
  }
  return String(v);
}
