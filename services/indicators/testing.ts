import type { DuckDbStore } from '../sinks/duckdb/duckdbStore.js';
import { readingId, type CanonicalReading } from '../core/reading.js';
import { METRICS, type MetricName } from '../core/metrics.js';
import type { Device } from '../registry/deviceRegistry.js';
import { duckDbSinkAt } from '../sinks/duckdb/index.js';
import { DEFAULT_SETTINGS, type IndicatorContext, type IndicatorSettings, type IndicatorValue, type ReadingSource } from './types.js';
import type { Period } from './periods.js';

/**
 * Test support for indicators: readings go into a real in-memory DuckDB store and
 * are read back through the same ReadingSource the engine uses.
 */
export function reading(device: Device, metric: MetricName, t: number | string, value: number, channel?: string): CanonicalReading {
  const observedAt = new Date(t).toISOString();
  const base = { tenant: device.tenant, deviceId: device.id, metric, observedAt, ...(channel ? { channel } : {}) };
  return {
    id: readingId(base), ...base, ...(device.site ? { site: device.site } : {}), kind: device.kind, value, unit: METRICS[metric].unit,
    receivedAt: observedAt, source: { format: 'native', decoderVersion: 'test', topic: 'test' },
  };
}

/** With rollups (as the DuckDB sink keeps them: the days of the readings marked); `raw`: without, the raw-series path. */
export async function sourceWith(devices: Device[], readings: CanonicalReading[], o: { raw?: boolean } = {}): Promise<{ source: ReadingSource; store: DuckDbStore }> {
  const sink = await duckDbSinkAt(':memory:');
  const store = sink.store as DuckDbStore;
  await store.init();
  for (let i = 0; i < readings.length; i += 5000) {
    await store.writeReadings(readings.slice(i, i + 5000));
    await sink.rollups.markReadings(readings.slice(i, i + 5000));
  }
  const source = sink.source(devices);
  if (o.raw) delete source.rollups;
  return { source, store };
}

/** A context whose compute() of other indicators uses `registry` (memoized). */
export function contextFor(
  args: { tenant: string; period: Period; source: ReadingSource; devices: Device[]; settings?: Partial<IndicatorSettings> },
  registry: Record<string, { compute(ctx: IndicatorContext): Promise<IndicatorValue[]> }>,
): IndicatorContext {
  const memo = new Map<string, Promise<IndicatorValue[]>>();
  const settings = { ...DEFAULT_SETTINGS, ...args.settings };
  const make = (period: Period): IndicatorContext => ({
    tenant: args.tenant,
    period,
    source: args.source,
    devices: args.devices,
    settings,
    compute(id, p) {
      const key = `${id}@${p.label}`;
      if (!memo.has(key)) {
        const ind = registry[id];
        if (!ind) throw new Error(`unknown indicator ${id}`);
        memo.set(key, ind.compute(make(p)));
      }
      return memo.get(key)!;
    },
  });
  return make(args.period);
}
