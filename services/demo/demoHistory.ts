import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { periodOf } from '../indicators/periods.js';
import type { Device } from '../registry/deviceRegistry.js';
import { BulkLoader } from '../sinks/bulkLoad.js';
import type { Sink } from '../sinks/index.js';
import { DEMO_TENANT, demoDevices, type DemoCity, type DemoLevel } from './demoCity.js';

const HOUR = 3_600_000;
const YEAR = 365.25 * 24 * HOUR;

/** What `DATA_DIR/demo-history.json` records: the demo tenant's history is simulated (the report and the API say so). */
export interface DemoHistoryInfo {
  tenant: string;
  /** The hourly history: from January 1 of last year (Stockholm) to the start. */
  from: string;
  to: string;
  /** Targets' baseline years seeded too (registers, temperature, fill levels; hourly). */
  baselineYears: number[];
  readings: number;
  seededAt: string;
  /** `seeding` while it is written (an interrupted seed is redone at the next start: same readings, replaced). */
  state: 'seeding' | 'seeded';
}

export const DEMO_SOURCE = { format: 'demo', decoderVersion: 'demo-history-1', topic: 'demo/history' } as const;

export function demoMarkerPath(dataDir: string): string {
  return join(dataDir, 'demo-history.json');
}

export function readDemoMarker(dataDir: string): DemoHistoryInfo | undefined {
  const p = demoMarkerPath(dataDir);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as DemoHistoryInfo;
  } catch {
    return undefined;
  }
}

/** More energy (2.5 %) and waste (4 %) per year before `now`: the trajectories have a history to show. */
export function demoLevel(now: number): DemoLevel {
  return (t, use) => {
    const years = Math.max(0, (now - t.getTime()) / YEAR);
    return (use === 'energy' ? 1.025 : 1.04) ** years;
  };
}

/** Metrics the baseline years need: what the energy, emissions and waste targets read (no power, flow temperature, counts). */
const BASELINE_METRICS = new Set(['energy_total', 'heat_energy_total', 'temperature', 'fill_level']);

export interface SeedOptions {
  sink: Sink;
  dataDir: string;
  /** Stepped through the history, oldest first; the live simulator continues with it. */
  city: DemoCity;
  now: number;
  baselineYears: number[];
  logger: Logger;
  /** Replace what is stored (a seed interrupted before: the same readings again); else plain inserts into the empty store. */
  replace?: boolean;
}

/**
 * Writes the demo tenant's history through the bulk path (services/sinks/bulkLoad.ts:
 * DuckDB read_csv, else writeReadings), hour by hour from the demo city's model:
 * the targets' baseline years (only the metrics they read), then January 1 of last
 * year to `now` (every metric: the forecast compares this year with last year's
 * profile). Marks the rollups' days; the caller settles them and recomputes.
 */
export async function seedDemoHistory(o: SeedOptions): Promise<DemoHistoryInfo> {
  const t0 = Date.now();
  const end = Math.floor(o.now / HOUR) * HOUR;
  const lastYear = new Date(o.now).getUTCFullYear() - 1;
  const from = periodOf('year', Date.UTC(lastYear, 6, 1)).start;
  const years = [...new Set(o.baselineYears)].filter((y) => y < lastYear).sort((a, b) => a - b);
  const info: DemoHistoryInfo = { tenant: DEMO_TENANT, from: new Date(from).toISOString(), to: new Date(end).toISOString(), baselineYears: years, readings: 0, seededAt: new Date().toISOString(), state: 'seeding' };
  writeFileSync(demoMarkerPath(o.dataDir), JSON.stringify(info, null, 2));
  const devices = new Map(demoDevices().map((d) => [d.id, d as unknown as Device]));
  const loader = new BulkLoader({ sink: o.sink, dir: o.dataDir, replace: o.replace ?? false, source: DEMO_SOURCE });
  const segments = [...years.map((y) => ({ ...periodOf('year', Date.UTC(y, 6, 1)), metrics: BASELINE_METRICS as Set<string> | undefined })), { start: from, end: end + 1, metrics: undefined }];
  const total = segments.reduce((s, g) => s + Math.ceil((g.end - g.start) / HOUR), 0);
  let hours = 0;
  let logged = Date.now();
  for (const g of segments) {
    o.city.skipTo(new Date(g.start - HOUR));
    for (let t = g.start; t < g.end; t += HOUR) {
      for (const v of o.city.values(new Date(t))) {
        if (g.metrics && !g.metrics.has(v.metric)) continue;
        await loader.add(devices.get(v.deviceId)!, v.metric, v.channel, v.value, t);
      }
      hours++;
      if (loader.buffered >= 100_000) await loader.flush();
      if (Date.now() - logged > 2000) {
        logged = Date.now();
        o.logger.info({ progress: `${Math.round((100 * hours) / total)} %`, at: new Date(t).toISOString().slice(0, 10), readings: loader.written + loader.buffered }, 'demo history: seeding');
      }
    }
    await loader.flush();
    await o.sink.rollups.markRange(DEMO_TENANT, g.start, g.end);
  }
  await loader.finish();
  Object.assign(info, { readings: loader.written, state: 'seeded' });
  writeFileSync(demoMarkerPath(o.dataDir), JSON.stringify(info, null, 2));
  o.logger.info({ readings: loader.written, from: info.from, to: info.to, baselineYears: years, ms: Date.now() - t0 }, 'demo history: readings written');
  return info;
}
