import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import type { Cell } from './cells.js';
import type { SourceRow } from './sourceRows.js';

/**
 * CSV rows, streamed: the file goes through a decoder (UTF-8, or Windows-1252
 * for a file that is not valid UTF-8: what Excel in Sweden saves as "CSV") and
 * csv-parse, a row at a time. Row numbers are the file's line numbers of the
 * records (1 = the first line), as a person sees them in an editor or Excel.
 */

export interface CsvOptions {
  delimiter: 'auto' | ';' | ',' | '\t' | '|';
  decimal: 'auto' | ',' | '.';
  encoding: 'auto' | 'utf-8' | 'windows-1252' | 'latin1';
}

const SAMPLE_BYTES = 64 * 1024;

export interface CsvDialect {
  delimiter: string;
  decimal: ',' | '.';
  encoding: 'utf-8' | 'windows-1252' | 'latin1';
}

/** Reads the first 64 kB to settle the encoding and the delimiter (of the header line after `skipRows`). */
export function detectDialect(path: string, o: CsvOptions, skipRows: number): CsvDialect {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(SAMPLE_BYTES);
  const n = readSync(fd, buf, 0, SAMPLE_BYTES, 0);
  closeSync(fd);
  const sample = buf.subarray(0, n);
  const encoding = o.encoding !== 'auto' ? o.encoding : isUtf8(sample) ? 'utf-8' : 'windows-1252';
  const text = new TextDecoder(encoding).decode(sample);
  const header = text.split(/\r?\n/)[skipRows] ?? '';
  const delimiter = o.delimiter !== 'auto' ? o.delimiter : ([';', '\t', ','].find((d) => header.includes(d)) ?? ',');
  const decimal = o.decimal !== 'auto' ? o.decimal : delimiter === ',' ? '.' : ',';
  return { delimiter, decimal, encoding };
}

/** Valid UTF-8, allowing a multi-byte character cut off at the end of the sample. */
function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, trimPartial(b)));
    return true;
  } catch {
    return false;
  }
}

function trimPartial(b: Buffer): number {
  let end = b.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const c = b[end - i]!;
    if ((c & 0xc0) === 0x80) continue;
    if (c >= 0xc0) end -= i;
    break;
  }
  return end;
}

function decoder(encoding: CsvDialect['encoding']): Transform {
  const d = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, d.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, d.decode());
    },
  });
}

/**
 * Rows after the header as header → cell, with their line numbers. `onBytes`
 * reports the bytes read (for a progress bar).
 */
export async function* csvRows(path: string, dialect: CsvDialect, skipRows: number, onBytes?: (n: number) => void): AsyncGenerator<SourceRow> {
  const file = createReadStream(path);
  if (onBytes) file.on('data', (c) => onBytes((c as Buffer).length));
  const parser = parse({ delimiter: dialect.delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, from_line: skipRows + 1, info: true, trim: true });
  const records = file.pipe(decoder(dialect.encoding)).pipe(parser);
  file.on('error', (err) => parser.destroy(err));
  let header: string[] | undefined;
  for await (const rec of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!header) {
      header = rec.record.map((h) => h.replace(/^\uFEFF/, ''));
      continue;
    }
    const cells: Cell[] = rec.record;
    yield { row: rec.info.lines, header, cells, raw: rec.record.join(dialect.delimiter) };
  }
}
