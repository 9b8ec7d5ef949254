import { DateTime } from 'luxon';
import { ZONE } from '../periods.js';

/**
 * Seeded synthetic days for the effect tests: a Swedish-looking year of daily
 * mean temperatures and a building's daily energy from a known HDD model, with
 * noise, and the measure's saving from the measure date on.
 */

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller. */
export function normal(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

export interface SyntheticBuilding {
  intercept: number;
  slope: number;
  balancePoint: number;
  noiseKwh: number;
  /** Share saved from `measureDay` (index) on: 0.15 = 15 % less. */
  saving: number;
}

export interface SyntheticDay {
  /** Stockholm date. */
  date: string;
  day: number;
  temperature: number;
  kwh: number;
}

/** `n` days from `first` (YYYY-MM-DD): temperature 6 − 10 cos(2π(d − 15)/365) + N(0, 2.5) °C. */
export function syntheticDays(seed: number, first: string, n: number, b: SyntheticBuilding, measureDay: number): SyntheticDay[] {
  const z = normal(seeded(seed));
  const start = DateTime.fromISO(first, { zone: ZONE });
  const out: SyntheticDay[] = [];
  for (let i = 0; i < n; i++) {
    const d = start.plus({ days: i });
    const temperature = 6 - 10 * Math.cos((2 * Math.PI * (d.ordinal - 15)) / 365) + 2.5 * z();
    const use = b.intercept + b.slope * Math.max(0, b.balancePoint - temperature) + b.noiseKwh * z();
    out.push({ date: d.toISODate()!, day: d.toMillis(), temperature, kwh: Math.max(0, use) * (i >= measureDay ? 1 - b.saving : 1) });
  }
  return out;
}
