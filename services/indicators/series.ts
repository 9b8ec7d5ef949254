import type { Device } from '../registry/deviceRegistry.js';
import type { MetricName } from '../core/metrics.js';
import type { Sample, Series } from './types.js';

const HOUR = 3_600_000;

/** Samples sorted by time with one value per instant (the last one wins, like the stores). */
export function normalizeSamples(samples: Sample[]): Sample[] {
  const byT = new Map<number, number>();
  for (const s of samples) byT.set(s.t, s.v);
  return [...byT].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
}

/**
 * Share of [from, to) covered by data: each sample covers the time back to the
 * previous one when that is at most `maxGapMs` earlier (so a silent day is a hole).
 */
export function coverage(samples: Sample[], from: number, to: number, maxGapMs = 3 * HOUR): number {
  let covered = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!.t;
    const b = samples[i]!.t;
    if (b - a > maxGapMs) continue;
    covered += Math.max(0, Math.min(b, to) - Math.max(a, from));
  }
  return Math.min(1, covered / (to - from));
}

/**
 * Consumption of a cumulative register in [from, to): the sum of increases
 * between consecutive readings, each interval counted for the part inside the
 * window (linear in between). A decrease is a register reset (meter replaced, or
 * rolled over): the new meter is taken to have started at 0, so the interval
 * counts the new reading — never negative consumption.
 */
export function registerConsumption(samples: Sample[], from: number, to: number): { value: number; resets: number } {
  let value = 0;
  let resets = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (b.t <= from || a.t >= to) continue;
    let inc = b.v - a.v;
    if (inc < 0) {
      resets++;
      inc = b.v;
    }
    const overlap = Math.min(b.t, to) - Math.max(a.t, from);
    value += inc * (overlap / (b.t - a.t));
  }
  return { value, resets };
}

/** Mean of the samples in each whole hour [h, h+1h) of the window. */
export function hourlyMeans(samples: Sample[], from: number, to: number): Map<number, number> {
  const sums = new Map<number, { s: number; n: number }>();
  for (const x of samples) {
    if (x.t < from || x.t >= to) continue;
    const h = Math.floor(x.t / HOUR) * HOUR;
    const e = sums.get(h) ?? { s: 0, n: 0 };
    e.s += x.v;
    e.n++;
    sums.set(h, e);
  }
  return new Map([...sums].map(([h, e]) => [h, e.s / e.n]));
}

/** Rows of a store query as series of registered devices (unregistered devices dropped), sorted. */
export function groupRows(rows: Array<{ device: string; metric: string; channel?: string | null; t: number; v: number }>, devices: Map<string, Device>): Series[] {
  const by = new Map<string, { device: Device; metric: MetricName; channel?: string; samples: Sample[] }>();
  for (const r of rows) {
    const device = devices.get(r.device.toLowerCase());
    if (!device) continue; // readings of devices no longer registered are not indicators' business
    const key = `${r.device}\u0000${r.metric}\u0000${r.channel ?? ''}`;
    let s = by.get(key);
    if (!s) by.set(key, (s = { device, metric: r.metric as MetricName, ...(r.channel ? { channel: r.channel } : {}), samples: [] }));
    s.samples.push({ t: r.t, v: r.v });
  }
  return [...by.values()].map((s) => ({ ...s, samples: normalizeSamples(s.samples) })).sort((a, b) => `${a.device.id}${a.metric}${a.channel}`.localeCompare(`${b.device.id}${b.metric}${b.channel}`));
}

export const deviceMap = (devices: Device[]) => new Map(devices.map((d) => [d.id.toLowerCase(), d]));
