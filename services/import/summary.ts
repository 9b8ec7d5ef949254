import type { DeadLetterReason } from '../core/deadLetter.js';

/** What an import did: rows read, stored and dead-lettered (by reason), the readings written, time range, devices. */
export interface ImportSummary {
  file: string;
  format: string;
  rowsRead: number;
  /** Rows that became readings or figures. */
  rowsStored: number;
  /** Readings written: the rows' own and those filled in between them (readingsInterpolated). */
  readingsWritten: number;
  readingsInterpolated: number;
  /** Rows rejected only once their series was complete (overlaps, repeats); counted in deadLettered too. */
  lateRejected: number;
  deadLettered: Partial<Record<DeadLetterReason, number>>;
  /** The first 20 rejections. */
  examples: Array<{ row: number; reason: DeadLetterReason; field: string; message: string }>;
  from?: number;
  to?: number;
  devices: Set<string>;
  series: number;
  figures: string[];
  seconds: number;
}

export function emptySummary(file: string, format: string): ImportSummary {
  return { file, format, rowsRead: 0, rowsStored: 0, readingsWritten: 0, readingsInterpolated: 0, lateRejected: 0, deadLettered: {}, examples: [], devices: new Set(), series: 0, figures: [], seconds: 0 };
}

export function deadLetteredTotal(s: ImportSummary): number {
  return Object.values(s.deadLettered).reduce((a, b) => a + (b ?? 0), 0);
}

/** The summary as lines for the terminal. */
export function formatSummary(s: ImportSummary): string {
  const iso = (t?: number) => (t === undefined ? '-' : new Date(t).toISOString().replace('.000Z', 'Z'));
  const lines = [
    `${s.file} (${s.format})`,
    `  rows read        ${s.rowsRead}`,
    `  rows stored      ${s.rowsStored}`,
    `  dead-lettered    ${deadLetteredTotal(s)}${Object.keys(s.deadLettered).length ? ` (${Object.entries(s.deadLettered).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
  ];
  if (s.figures.length) lines.push(`  figures          ${s.figures.length}`, ...s.figures.slice(0, 10).map((f) => `    ${f}`));
  else {
    lines.push(`  readings written ${s.readingsWritten} (${s.readingsInterpolated} filled in hour by hour between rows)`);
    lines.push(`  devices          ${s.devices.size}${s.devices.size ? `: ${[...s.devices].sort().slice(0, 10).join(', ')}${s.devices.size > 10 ? ' ...' : ''}` : ''} (${s.series} series)`);
  }
  lines.push(`  time range       ${iso(s.from)} .. ${iso(s.to)}`);
  for (const e of s.examples.slice(0, 10)) lines.push(`  row ${e.row}: ${e.reason} (${e.field}) ${e.message}`);
  if (s.examples.length > 10 || deadLetteredTotal(s) > 10) lines.push('  (every rejected row is in the dead letters with its row number)');
  return lines.join('\n');
}

/** The summary as JSON (--json). */
export function summaryJson(s: ImportSummary): Record<string, unknown> {
  return { ...s, devices: [...s.devices].sort(), from: s.from === undefined ? null : new Date(s.from).toISOString(), to: s.to === undefined ? null : new Date(s.to).toISOString(), deadLetteredTotal: deadLetteredTotal(s) };
}
