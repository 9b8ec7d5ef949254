import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { Cell } from './cells.js';
import { csvRows, detectDialect } from './csvRows.js';
import type { Mapping } from './mapping.js';
import { xlsxRows } from './xlsxRows.js';

/** One row of a source file: its number as the file shows it, the header and the cells. */
export interface SourceRow {
  row: number;
  header: string[];
  cells: Cell[];
  /** The row as text, kept with a dead letter. */
  raw: string;
}

export interface OpenedSource {
  format: 'csv' | 'xlsx';
  decimal: ',' | '.';
  /** Bytes of the file (the progress bar's total). */
  bytes: number;
  /** Details for the summary: encoding and delimiter of a CSV file. */
  describe: string;
  rows(onBytes?: (n: number) => void): AsyncGenerator<SourceRow>;
}

/** Opens a CSV or xlsx file as the mapping describes it (format from the extension unless the mapping says). */
export function openSource(path: string, m: Mapping): OpenedSource {
  const ext = extname(path).toLowerCase();
  const format = m.format ?? (ext === '.xlsx' ? 'xlsx' : ext === '.csv' || ext === '.txt' || ext === '.tsv' ? 'csv' : undefined);
  if (!format) throw new ConfigError('format', 'csv or xlsx (the file name does not tell: set "format" in the mapping)', ext);
  const bytes = statSync(path).size;
  if (format === 'xlsx') {
    return { format, decimal: '.', bytes, describe: `xlsx${m.sheet !== undefined ? ` sheet ${m.sheet}` : ''}`, rows: (onBytes) => xlsxRows(path, m.sheet, m.skipRows, onBytes) };
  }
  const d = detectDialect(path, m.csv, m.skipRows);
  return {
    format, decimal: d.decimal, bytes,
    describe: `csv ${d.encoding}, delimiter ${JSON.stringify(d.delimiter)}, decimal ${JSON.stringify(d.decimal)}`,
    rows: (onBytes) => csvRows(path, d, m.skipRows, onBytes),
  };
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** Index of a column named by header text (any case, spaces collapsed) or 1-based number; undefined when the header has none. */
export function columnIndex(header: string[], column: string | number): number | undefined {
  if (typeof column === 'number') return column - 1;
  const want = norm(column);
  const i = header.findIndex((h) => norm(h) === want);
  return i < 0 ? undefined : i;
}
