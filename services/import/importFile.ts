import { basename } from 'node:path';
import { KlimatpulsError, StoreError } from '../core/errors.js';
import { makeDeadLetter, type DeadLetterReason } from '../core/deadLetter.js';
import type { CanonicalReading } from '../core/reading.js';
import { retry } from '../core/retry.js';
import type { StoredDeadLetter, YearlyFigure } from '../core/storePorts.js';
import type { Device, DeviceLookup } from '../registry/deviceRegistry.js';
import type { Sink } from '../sinks/types.js';
import { FigureRowParser } from './figureRows.js';
import type { Mapping, ReadingsMapping } from './mapping.js';
import { RowParser, type Rejection } from './rowParser.js';
import { IMPORT_VERSION, readingOf, SeriesBuffer } from './seriesBuffer.js';
import { openSource, type SourceRow } from './sourceRows.js';
import { emptySummary, type ImportSummary } from './summary.js';

const READING_BATCH = 5_000;
const DEAD_LETTER_BATCH = 1_000;

export interface ImportOptions {
  file: string;
  mapping: Mapping;
  sink: Sink;
  devices: DeviceLookup;
  /** For figures when the mapping names none. */
  tenant?: string;
  now?: Date;
  /** Bytes read and rows seen so far (progress bar). */
  onProgress?: (bytes: number, rows: number) => void;
  /** A batch of readings stored (the indicators' scheduler marks their months). */
  onStored?: (readings: CanonicalReading[]) => void;
}

/**
 * Imports one file: every row becomes readings (or a yearly figure) or a dead
 * letter with the file, its row number and the reason. Idempotent: readings are
 * identified by tenant, device, metric, channel and time, dead letters by file,
 * row and content, figures by tenant, figure, entity and year; the stores
 * replace what has the same identity, so a second import changes nothing.
 */
export async function importFile(o: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const now = o.now ?? new Date();
  const file = basename(o.file);
  const source = openSource(o.file, o.mapping);
  const summary = emptySummary(o.file, source.describe);
  const deadLetters = new DeadLetterWriter(o.sink, file, now, summary);
  let bytes = 0;
  const rows = source.rows((n) => (bytes += n));
  const progress = () => o.onProgress?.(bytes, summary.rowsRead);
  try {
    if (o.mapping.type === 'figures') await importFigures(o, o.mapping, rows, source.decimal, file, summary, deadLetters, progress);
    else await importReadings(o, o.mapping, rows, source.decimal, file, now, summary, deadLetters, progress);
  } finally {
    await deadLetters.flush();
  }
  progress();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

function checkHeader(header: string[], missing: string[], file: string): void {
  if (missing.length) throw new KlimatpulsError('CONFIG_INVALID', `${file}: the header (${header.map((h) => JSON.stringify(h)).join(', ')}) has no column ${missing.join(', ')}`);
}

async function importReadings(o: ImportOptions, m: ReadingsMapping, rows: AsyncGenerator<SourceRow>, decimal: ',' | '.', file: string, now: Date, summary: ImportSummary, dl: DeadLetterWriter, progress: () => void): Promise<void> {
  const parser = new RowParser(m, o.devices, decimal, now.getTime());
  const buffer = new SeriesBuffer();
  let checked = false;
  for await (const r of rows) {
    if (!checked) checkHeader(r.header, parser.missingColumns(r.header), file);
    checked = true;
    summary.rowsRead++;
    const e = parser.parse(r);
    if ('reason' in e) await dl.add(r.row, r.raw, e, m.tenant);
    else buffer.add(e);
    if (summary.rowsRead % 1000 === 0) progress();
  }
  const bases = await registerBases(o.sink, buffer, m);
  // Rows the series judged (overlapping intervals, two readings at one time): their text is
  // not kept (the file is never held in memory), the dead letter names file and row.
  const late: Array<{ row: number; r: Rejection }> = [];
  let batch: CanonicalReading[] = [];
  const receivedAt = now.toISOString();
  const write = async () => {
    if (!batch.length) return;
    const b = batch;
    batch = [];
    await writeReadings(o.sink, b, dl, file);
    await o.sink.rollups.markReadings(b);
    o.onStored?.(b);
    progress();
  };
  for (const s of buffer.points(m.values, m.repeats, (d, metric, ch) => bases.get(seriesKey(d, metric, ch)), (row, r) => late.push({ row, r }))) {
    for (const l of late.splice(0)) await dl.add(l.row, `(row ${l.row} of ${file})`, l.r, s.device.tenant, true);
    summary.devices.add(s.device.id);
    for (const p of s.points) {
      const reading = readingOf(p, s, file, receivedAt);
      batch.push(reading);
      summary.readingsWritten++;
      if (p.rows.length === 2) summary.readingsInterpolated++;
      summary.from = summary.from === undefined || p.t < summary.from ? p.t : summary.from;
      summary.to = summary.to === undefined || p.t > summary.to ? p.t : summary.to;
      if (batch.length >= READING_BATCH) await write();
    }
  }
  await write();
  summary.rowsStored = buffer.rows - summary.lateRejected;
  summary.series = buffer.count;
}

const seriesKey = (d: Device, metric: string, channel: string | undefined) => `${d.id}\u0000${metric}\u0000${channel ?? ''}`;

/**
 * Where a register built from interval values starts: the stored register at the
 * first interval's start (a file that continues an earlier import continues its
 * register), else 0.
 */
async function registerBases(sink: Sink, buffer: SeriesBuffer, m: ReadingsMapping): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (m.values !== 'interval') return out;
  const list = buffer.list();
  if (!list.length) return out;
  const source = sink.source([...new Map(list.map((s) => [s.device.id, s.device])).values()]);
  for (const s of list) {
    const series = await source.series({ tenant: s.device.tenant, metrics: [s.metric], devices: [s.device.id], from: s.first, to: s.first + 1 });
    const match = series.find((x) => x.device.id === s.device.id && x.metric === s.metric && (x.channel ?? '') === (s.channel ?? ''));
    const at = match?.samples.find((p) => p.t === s.first);
    if (at) out.set(seriesKey(s.device, s.metric, s.channel), at.v);
  }
  return out;
}

/** Writes with retries (store unavailable, throttled); a batch the store rejects is split until the rejected readings are found. */
async function writeReadings(sink: Sink, readings: CanonicalReading[], dl: DeadLetterWriter, file: string): Promise<void> {
  try {
    await retry(() => sink.store.writeReadings(readings), { retries: 8 });
  } catch (err) {
    if (!(err instanceof StoreError) || err.code !== 'STORE_REJECTED') throw err;
    if (readings.length === 1) {
      const r = readings[0]!;
      await dl.add(rowOf(r), JSON.stringify(r), { reason: 'store_rejected', field: r.metric, message: err.message }, r.tenant);
      return;
    }
    const half = Math.ceil(readings.length / 2);
    await writeReadings(sink, readings.slice(0, half), dl, file);
    await writeReadings(sink, readings.slice(half), dl, file);
  }
}

const rowOf = (r: CanonicalReading) => Number(/#rows?=(\d+)/.exec(r.source.topic)?.[1] ?? 0);

async function importFigures(o: ImportOptions, m: Extract<Mapping, { type: 'figures' }>, rows: AsyncGenerator<SourceRow>, decimal: ',' | '.', file: string, summary: ImportSummary, dl: DeadLetterWriter, progress: () => void): Promise<void> {
  const tenant = m.tenant ?? o.tenant;
  if (!tenant) throw new KlimatpulsError('CONFIG_INVALID', 'figures need a tenant: "tenant" in the mapping or --tenant');
  const parser = new FigureRowParser(m, tenant, decimal, file);
  const figures: YearlyFigure[] = [];
  let checked = false;
  for await (const r of rows) {
    if (!checked) checkHeader(r.header, parser.missingColumns(r.header), file);
    checked = true;
    summary.rowsRead++;
    const f = parser.parse(r);
    if ('reason' in f) await dl.add(r.row, r.raw, f, tenant);
    else figures.push(f);
    if (figures.length >= 500) await flushFigures();
    if (summary.rowsRead % 1000 === 0) progress();
  }
  await flushFigures();
  async function flushFigures() {
    if (!figures.length) return;
    await retry(() => o.sink.figures.write(figures), { retries: 8 });
    for (const f of figures) {
      summary.rowsStored++;
      summary.figures.push(`${f.figure} ${f.entity === '*' ? '' : `${f.entity} `}${f.year}: ${f.value} ${f.unit} (${f.source})`);
      summary.from = Math.min(summary.from ?? Infinity, Date.UTC(f.year, 0, 1));
      summary.to = Math.max(summary.to ?? -Infinity, Date.UTC(f.year, 0, 1));
    }
    figures.length = 0;
  }
}

/** Dead letters of one import, written in batches: file and row in the topic and the message, the row's text as the payload. */
class DeadLetterWriter {
  private pending: StoredDeadLetter[] = [];

  constructor(
    private readonly sink: Sink,
    private readonly file: string,
    private readonly now: Date,
    private readonly summary: ImportSummary,
  ) {}

  async add(row: number, raw: string, r: Rejection, tenant: string | undefined, late = false): Promise<void> {
    const topic = `import/${tenant || '-'}/${this.file}`;
    const d = makeDeadLetter({
      rejected: [{ reason: r.reason, field: r.field, message: `${this.file} row ${row}: ${r.message}` }],
      stage: 'import', topic, payload: Buffer.from(raw, 'utf8'), decoder: { name: 'import', version: IMPORT_VERSION },
      receivedAt: this.now, now: this.now, identity: `${this.file}\n${row}\n${raw}`,
    });
    this.pending.push({ id: d.id!, deadLetter: d });
    count(this.summary.deadLettered, r.reason);
    if (late) this.summary.lateRejected++;
    if (this.summary.examples.length < 20) this.summary.examples.push({ row, reason: r.reason, field: r.field, message: r.message });
    if (this.pending.length >= DEAD_LETTER_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const items = this.pending;
    this.pending = [];
    await retry(() => this.sink.store.writeDeadLetters(items), { retries: 8 });
  }
}

function count(m: Partial<Record<DeadLetterReason, number>>, reason: DeadLetterReason): void {
  m[reason] = (m[reason] ?? 0) + 1;
}
