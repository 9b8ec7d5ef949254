/**
 * The indicators-scale step of `npm run bench` (issue 14): the Kalmar scenario at
 * several sizes, each filled straight into DuckDB and into InfluxDB (bulk path,
 * bench/indicatorsAgent.ts), then the rollups built, then a month's and a
 * quarter's indicators and the quarterly report computed, each phase in its own
 * process with its peak RSS. Prints the table and the floors; the chart
 * (bench/results/indicators-scale.svg, time and RSS against devices) is
 * bench/indicatorsScaleChart.ts.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBucket, deleteBucket } from '../test/helpers/stack.js';
import type { AgentConfig } from './indicatorsAgent.js';
import { resolveDataDirs } from './indicatorsScaleData.js';
import { log, ROOT } from './lib.js';

/** Written by the fill into the data directory: what was filled, and where. */
export const DATA_FILE = 'scale.json';
export interface FilledData {
  store: AgentConfig['store'];
  bucket?: string;
  influxUrl?: string;
  scale: number;
  days: number;
  devices: number;
  readings: number;
}

export const PHASES = ['fill', 'settle', 'month', 'quarter', 'report'] as const;
export type Phase = (typeof PHASES)[number];
/** The phases measured on a data directory filled and settled before (`--scale-data`). */
export const MEASURED_PHASES: readonly Phase[] = ['quarter', 'report'];

export interface PhaseFigures {
  seconds: number;
  /** CPU seconds of the phase's process (user + system). */
  cpuSeconds?: number;
  maxRssMb: number;
}

export interface ScaleRow {
  store: 'duckdb' | 'influxdb';
  scale: number;
  devices: number;
  readings: number;
  days: number;
  /** Fill rate (readings/s, simulation included) and the write path used. */
  fillRate?: number;
  fillPath?: string;
  phases: Partial<Record<Phase, PhaseFigures>>;
}

function runAgent(phase: Phase | 'describe', o: AgentConfig): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'bench/indicatorsAgent.ts'), phase, JSON.stringify(o)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let last = 0;
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const lines = err.trim().split('\n');
      if (Date.now() - last > 15_000) {
        last = Date.now();
        log(lines[lines.length - 1]!.trim()); // progress of a long phase
      }
    });
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code === 0 && line) resolve(JSON.parse(line) as Record<string, unknown>);
      else reject(new Error(`${phase} (${o.store} ×${o.scale}) exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

/** Quarter and report (or `phases`) on one directory filled and settled before. */
async function measureFilled(cfg: AgentConfig, phases: readonly Phase[]): Promise<ScaleRow> {
  const where = cfg.bucket ? `bucket ${cfg.bucket} on ${cfg.influxUrl ?? 'the stack'}` : cfg.dataDir;
  const d = await runAgent('describe', cfg);
  const row: ScaleRow = { store: cfg.store, scale: cfg.scale, devices: Number(d.devices), readings: Number(d.readings), days: cfg.days, fillPath: 'filled before', phases: {} };
  for (const phase of phases) {
    const r = await runAgent(phase, cfg);
    row.phases[phase] = { seconds: Number(r.ms) / 1000, cpuSeconds: Number(r.cpuS), maxRssMb: Number(r.maxRssMb) };
    log(`indicators-scale ${cfg.store} ×${cfg.scale} (${row.devices.toLocaleString('en')} devices, ${row.readings.toLocaleString('en')} readings, ${where}): ${phase} ${(Number(r.ms) / 1000).toFixed(1)} s (CPU ${r.cpuS} s), peak RSS ${r.maxRssMb} MB${r.reused !== undefined ? ` (pairs from the store ${r.reused}, computed ${r.computed})` : ''}`);
  }
  return row;
}

/**
 * `dataDirs`: data directories filled and settled before (`tsx bench/indicatorsAgent.ts
 * fill|settle`), one per (store, size) of `stores` × `sizes` (bench/indicatorsScaleData.ts):
 * only `phases` (default quarter and report) are measured there, and the directories
 * (InfluxDB: the buckets, on the URL their DATA_FILE names) are kept.
 */
export async function indicatorsScale(o: { sizes: number[]; days: number; stores: Array<'duckdb' | 'influxdb'>; run: string; fill?: 'bulk' | 'store'; dataDirs?: string[]; phases?: readonly Phase[] }): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  if (o.dataDirs?.length) {
    for (const cfg of await resolveDataDirs(o.dataDirs, o)) rows.push(await measureFilled(cfg, o.phases ?? MEASURED_PHASES));
    return rows.sort((a, b) => a.store.localeCompare(b.store) || a.devices - b.devices);
  }
  // Sizes outer, stores inner, in the order given: `--scale-sizes 1,0.25,0.05` measures the floors first.
  for (const scale of o.sizes) {
    for (const store of o.stores) {
      const dataDir = join(tmpdir(), `klimatpuls-scale-${o.run}-${store}-${scale}`);
      const bucket = store === 'influxdb' ? `${o.run}-scale-${String(scale).replace('.', '_')}` : undefined;
      if (bucket) await createBucket(bucket);
      const cfg: AgentConfig = { store, dataDir, ...(bucket ? { bucket } : {}), scale, days: o.days, ...(o.fill ? { fill: o.fill } : {}) };
      const row: ScaleRow = { store, scale, devices: 0, readings: 0, days: o.days, phases: {} };
      rows.push(row);
      try {
        for (const phase of PHASES) {
          const r = await runAgent(phase, cfg);
          row.phases[phase] = { seconds: Number(r.ms) / 1000, cpuSeconds: Number(r.cpuS), maxRssMb: Number(r.maxRssMb) };
          if (phase === 'fill') {
            row.devices = Number(r.devices);
            row.readings = Number(r.readings);
            row.fillRate = Number(r.readingsPerSecond);
            row.fillPath = String(r.fillPath);
          }
          log(`indicators-scale ${store} ×${scale} (${row.devices.toLocaleString('en')} devices, ${row.readings.toLocaleString('en')} readings): ${phase} ${(Number(r.ms) / 1000).toFixed(1)} s (CPU ${r.cpuS} s), peak RSS ${r.maxRssMb} MB${r.periods ? `, ${r.periods} periods` : ''}`);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        if (bucket) await deleteBucket(bucket).catch(() => {});
      }
    }
  }
  return rows.sort((a, b) => a.store.localeCompare(b.store) || a.devices - b.devices);
}

const fmt = (n: number | undefined, d = 1) => (n === undefined ? '—' : n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d }));

export function scaleTable(rows: ScaleRow[]): string {
  const out = ['| store | devices | readings (days) | fill (readings/s) | rollups built | month 2025-01 (+ weeks) | quarter 2025Q1 | report 2025Q1 (sv+en) | quarter + report |', '|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const p = r.phases;
    const cell = (x?: PhaseFigures) => (x ? `${fmt(x.seconds)} s${x.cpuSeconds !== undefined ? ` (CPU ${fmt(x.cpuSeconds, 0)} s)` : ''}, ${x.maxRssMb} MB` : '—');
    const qr = p.quarter && p.report ? `${fmt(p.quarter.seconds + p.report.seconds)} s, ≤ ${Math.max(p.quarter.maxRssMb, p.report.maxRssMb)} MB` : '—';
    out.push(`| ${r.store} | ${r.devices.toLocaleString('en')} | ${r.readings.toLocaleString('en')} (${r.days}) | ${cell(p.fill)}${r.fillRate ? ` (${r.fillRate.toLocaleString('en')}/s)` : ''} | ${cell(p.settle)} | ${cell(p.month)} | ${cell(p.quarter)} | ${cell(p.report)} | ${qr} |`);
  }
  return out.join('\n');
}

/** The floors of issue 14, for the full Kalmar scenario (scale 1): quarter + report ≤ 60 s and ≤ 500 MB of the indicator process. */
export function scaleFloors(rows: ScaleRow[]): Array<{ floor: string; value: string; met: boolean }> {
  return rows.filter((r) => r.scale === 1 && r.phases.quarter && r.phases.report).map((r) => {
    const s = r.phases.quarter!.seconds + r.phases.report!.seconds;
    const mb = Math.max(r.phases.quarter!.maxRssMb, r.phases.report!.maxRssMb);
    return { floor: `full Kalmar (${r.devices.toLocaleString('en')} devices, ${r.days} d), ${r.store}: quarter indicators + report ≤ 60 s, ≤ 500 MB`, value: `${fmt(s)} s, ${mb} MB`, met: s <= 60 && mb <= 500 };
  });
}
