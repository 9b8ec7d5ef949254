import type { MetricName } from '../../core/metrics.js';
import { SHORT_MS, type DeviceBucket, type RollupRow, type SeriesBucket } from './types.js';

/**
 * A period's figures from bucket rows, equal to the raw engine's figures from the
 * raw readings (energy/common.ts registerOf, series.ts coverage, quality/dataGaps.ts
 * gapsOf). Periods are whole days or months, so buckets are either inside a
 * period or outside it; the intervals between two buckets' readings that are
 * longer than 3 h are added here, and only when the raw engine would have loaded
 * both readings (its window is the period with `MARGIN_MS` on either side).
 */

export interface SeriesFigures {
  metric: MetricName;
  channel: string;
  kwh: number;
  resets: number;
  coveredMs: number;
  /** A reading in the raw engine's window [loadedFrom, loadedTo). */
  found: boolean;
}

/** One device's series of its rows (sorted by start), reduced for [from, to). */
export function seriesFigures(rows: RollupRow[], w: { from: number; to: number; loadedFrom: number; loadedTo: number }, metrics?: readonly MetricName[]): SeriesFigures[] {
  const bySeries = new Map<string, Array<{ start: number; b: SeriesBucket }>>();
  for (const r of rows) {
    for (const b of r.s) {
      if (metrics && !metrics.includes(b.metric)) continue;
      const key = `${b.metric}\u0000${b.channel}`;
      const list = bySeries.get(key) ?? [];
      list.push({ start: r.start, b });
      bySeries.set(key, list);
    }
  }
  return [...bySeries.values()].map((list) => ({ metric: list[0]!.b.metric, channel: list[0]!.b.channel, ...registerOfBuckets(list, w) }));
}

function registerOfBuckets(list: Array<{ start: number; b: SeriesBucket }>, w: { from: number; to: number; loadedFrom: number; loadedTo: number }) {
  let kwh = 0;
  let resets = 0;
  let coveredMs = 0;
  let found = false;
  let prev: SeriesBucket | undefined;
  for (const { start, b } of list) {
    if (b.lastT >= w.loadedFrom && b.firstT < w.loadedTo) found = true;
    if (start >= w.from && start < w.to) {
      kwh += b.inc;
      // A drop across the bucket's start was counted by the bucket before, inside the period too.
      resets += b.resets - (start > w.from ? b.crossReset : 0);
      coveredMs += b.coveredMs;
    }
    if (prev) {
      const at = prev.lastT;
      const bt = b.firstT;
      if (bt - at > SHORT_MS && bt > w.from && at < w.to && at >= w.loadedFrom && bt < w.loadedTo) {
        const drop = b.firstV < prev.lastV;
        const step = drop ? b.firstV : b.firstV - prev.lastV;
        kwh += step * ((Math.min(bt, w.to) - Math.max(at, w.from)) / (bt - at));
        if (drop) resets++;
      }
    }
    prev = b;
  }
  return { kwh, resets, coveredMs, found };
}

/** Gaps longer than `threshold` (≥ 3 h) in [from, to) from a device's buckets inside the window (sorted by start). */
export function gapsOfBuckets(list: DeviceBucket[], from: number, to: number, threshold: number): { count: number; longest: number; total: number } {
  let count = 0;
  let longest = 0;
  let total = 0;
  const gap = (d: number) => {
    if (d <= threshold) return;
    count++;
    total += d;
    if (d > longest) longest = d;
  };
  let last = from;
  for (const b of list) {
    gap(b.firstT - last);
    for (const s of b.silences) gap(s);
    last = b.lastT;
  }
  gap(to - last);
  return { count, longest, total };
}
