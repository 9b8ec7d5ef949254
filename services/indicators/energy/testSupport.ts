import { DateTime } from 'luxon';
import type { MetricName, SensorKind } from '../../core/metrics.js';
import type { CanonicalReading } from '../../core/reading.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { parsePeriod, ZONE } from '../periods.js';
import { contextFor, reading, sourceWith } from '../testing.js';
import type { IndicatorContext, IndicatorSettings, IndicatorValue } from '../types.js';

/** Test helpers of the energy indicators (used by energy/*.test.ts only). */

export const TENANT = 'kalmar';
export const H = 3_600_000;

/** Epoch ms of a Stockholm local time, e.g. local('2025-03-01T00:00'). */
export function local(iso: string): number {
  const d = DateTime.fromISO(iso, { zone: ZONE });
  if (!d.isValid) throw new Error(`bad time ${iso}`);
  return d.toMillis();
}

export function device(id: string, kind: SensorKind, site?: string, params: Device['params'] = {}): Device {
  return { id, tenant: TENANT, kind, ...(site ? { site } : {}), params };
}

/** Readings every `step` ms in [from, to] (both ends included) with value f(t). */
export function every(dev: Device, metric: MetricName, from: number, to: number, step: number, f: (t: number) => number): CanonicalReading[] {
  const out: CanonicalReading[] = [];
  for (let t = from; t <= to; t += step) out.push(reading(dev, metric, t, f(t)));
  return out;
}

/** A cumulative register rising by `kwhPerHour` from `start` kWh at `from`, read every hour. */
export function register(dev: Device, metric: MetricName, from: number, to: number, kwhPerHour: number, start = 0, step = H): CanonicalReading[] {
  return every(dev, metric, from, to, step, (t) => start + ((t - from) / H) * kwhPerHour);
}

type Registry = Record<string, { compute(ctx: IndicatorContext): Promise<IndicatorValue[]> }>;

/** Computes indicator `id` for the period `label` on a fresh in-memory DuckDB with these readings. */
export async function run(
  registry: Registry,
  id: string,
  devices: Device[],
  readings: CanonicalReading[],
  label: string,
  settings?: Partial<IndicatorSettings>,
): Promise<IndicatorValue[]> {
  const { source, store } = await sourceWith(devices, readings);
  try {
    const ctx = contextFor({ tenant: TENANT, period: parsePeriod(label), source, devices, ...(settings ? { settings } : {}) }, registry);
    return await registry[id]!.compute(ctx);
  } finally {
    await store.close();
  }
}

/** Values by entity. */
export function byEntity(values: IndicatorValue[]): Record<string, IndicatorValue> {
  return Object.fromEntries(values.map((v) => [v.entity, v]));
}

/** Deterministic shuffle (mulberry32). */
export function shuffle<T>(xs: T[], seed = 42): T[] {
  const a = [...xs];
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
