import type { InfluxDB } from '@influxdata/influxdb-client';

/**
 * The rows of a Flux query, streamed: for each row the values of `columns` (as the
 * CSV has them, '' for a column its table lacks), in the result's order. The
 * response is CSV without annotations, split with indexOf instead of the client's
 * character-by-character parser, which costs ~2 CPU-s per 100 MB of rollup JSON; one
 * chunk of text is held at a time.
 */
export async function* fluxRows(influx: InfluxDB, org: string, flux: string, columns: readonly string[]): AsyncGenerator<string[]> {
  const body = JSON.stringify({ query: flux, type: 'flux', dialect: { header: true, annotations: [], delimiter: ',' } });
  const chunks = influx.transport.iterate(`/api/v2/query?org=${encodeURIComponent(org)}`, body, {
    method: 'POST',
    headers: { 'content-type': 'application/json; encoding=utf-8', accept: 'text/csv' },
  });
  const decoder = new TextDecoder();
  const reader = new CsvTables(columns);
  let rest = '';
  for await (const chunk of chunks) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    let scan = 0;
    let nl: number;
    while ((nl = rest.indexOf('\n', scan)) >= 0) {
      scan = nl + 1;
      const row = reader.line(rest, start, nl);
      if (row === OPEN) continue; // a line break inside a quoted value: the line goes on
      start = scan;
      if (row) yield row;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.length > 0) {
    const row = reader.line(rest, 0, rest.length);
    if (row === OPEN) throw new Error('Flux result ends inside a quoted value');
    if (row) yield row;
  }
}

const OPEN = Symbol('open');

/** Tables of a Flux CSV result, line by line: a header after each blank line, then rows. */
class CsvTables {
  private index?: number[];
  private error = false;
  constructor(private readonly columns: readonly string[]) {}

  /** The row of text[from, to) (to: its '\n'); undefined for a header or blank line; OPEN when a quoted value goes on past `to`. */
  line(text: string, from: number, to: number): string[] | undefined | typeof OPEN {
    let end = to;
    if (end > from && text.charCodeAt(end - 1) === 13) end--;
    if (end === from) {
      this.index = undefined;
      return undefined;
    }
    const cells = splitCsv(text, from, end);
    if (!cells) return OPEN;
    if (!this.index) {
      this.error = cells.length === 3 && cells[1] === 'error' && cells[2] === 'reference';
      this.index = this.columns.map((c) => cells.indexOf(c));
      return undefined;
    }
    if (this.error) throw new Error(`Flux query failed: ${cells[1] ?? ''}${cells[2] ? ` (${cells[2]})` : ''}`);
    return this.index.map((i) => (i < 0 ? '' : (cells[i] ?? '')));
  }
}

/** The cells of one CSV line (RFC 4180 quoting); undefined when a quoted value is not closed within it. */
function splitCsv(text: string, from: number, end: number): string[] | undefined {
  const out: string[] = [];
  let i = from;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      let j = text.indexOf('"', i + 1);
      let doubled = false;
      while (j >= 0 && j + 1 < end && text.charCodeAt(j + 1) === 34) {
        doubled = true;
        j = text.indexOf('"', j + 2);
      }
      if (j < 0 || j >= end) return undefined;
      const v = text.slice(i + 1, j);
      out.push(doubled ? v.replaceAll('""', '"') : v);
      i = j + 1; // at the comma after it, or at the end
      if (i >= end) return out;
      i++;
    } else {
      const c = text.indexOf(',', i);
      if (c < 0 || c >= end) {
        out.push(text.slice(i, end));
        return out;
      }
      out.push(text.slice(i, c));
      i = c + 1;
    }
    if (i === end) {
      out.push('');
      return out;
    }
  }
}
