/**
 * The indicators-scale step of `npm run bench` (issue 14): the Kalmar scenario at
 * several sizes, each filled straight into DuckDB and into InfluxDB (bulk path,
 * bench/indicatorsAgent.ts), then the rollups built, then a month's and a
 * quarter's indicators and the quarterly report computed, each phase in its own
 * process with its peak RSS. Prints the table and the floors, writes
 * bench/results/indicators-scale.svg (time and RSS against devices).
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBucket, deleteBucket } from '../test/helpers/stack.js';
import type { AgentConfig } from './indicatorsAgent.js';
import { log, ROOT } from './lib.js';

export const PHASES = ['fill', 'settle', 'month', 'quarter', 'report'] as const;
export type Phase = (typeof PHASES)[number];

export interface ScaleRow {
  store: 'duckdb' | 'influxdb';
  scale: number;
  devices: number;
  readings: number;
  days: number;
  phases: Partial<Record<Phase, { seconds: number; maxRssMb: number }>>;
}

function runAgent(phase: Phase, o: AgentConfig): Promise<Record<string, unknown>> {
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

export async function indicatorsScale(o: { sizes: number[]; days: number; stores: Array<'duckdb' | 'influxdb'>; run: string }): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const store of o.stores) {
    for (const scale of o.sizes) {
      const dataDir = join(tmpdir(), `klimatpuls-scale-${o.run}-${store}-${scale}`);
      const bucket = store === 'influxdb' ? `${o.run}-scale-${String(scale).replace('.', '_')}` : undefined;
      if (bucket) await createBucket(bucket);
      const cfg: AgentConfig = { store, dataDir, ...(bucket ? { bucket } : {}), scale, days: o.days };
      const row: ScaleRow = { store, scale, devices: 0, readings: 0, days: o.days, phases: {} };
      rows.push(row);
      try {
        for (const phase of PHASES) {
          const r = await runAgent(phase, cfg);
          row.phases[phase] = { seconds: Number(r.ms) / 1000, maxRssMb: Number(r.maxRssMb) };
          if (phase === 'fill') {
            row.devices = Number(r.devices);
            row.readings = Number(r.readings);
          }
          log(`indicators-scale ${store} ×${scale} (${row.devices.toLocaleString('en')} devices, ${row.readings.toLocaleString('en')} readings): ${phase} ${(Number(r.ms) / 1000).toFixed(1)} s, peak RSS ${r.maxRssMb} MB`);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        if (bucket) await deleteBucket(bucket).catch(() => {});
      }
    }
  }
  return rows;
}

const fmt = (n: number | undefined, d = 1) => (n === undefined ? '—' : n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d }));

export function scaleTable(rows: ScaleRow[]): string {
  const out = ['| store | devices | readings (days) | fill | rollups built | month | quarter | report 2025Q1 (sv+en) | quarter + report |', '|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const p = r.phases;
    const cell = (x?: { seconds: number; maxRssMb: number }) => (x ? `${fmt(x.seconds)} s, ${x.maxRssMb} MB` : '—');
    const qr = p.quarter && p.report ? `${fmt(p.quarter.seconds + p.report.seconds)} s, ≤ ${Math.max(p.quarter.maxRssMb, p.report.maxRssMb)} MB` : '—';
    out.push(`| ${r.store} | ${r.devices.toLocaleString('en')} | ${r.readings.toLocaleString('en')} (${r.days}) | ${cell(p.fill)} | ${cell(p.settle)} | ${cell(p.month)} | ${cell(p.quarter)} | ${cell(p.report)} | ${qr} |`);
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

/** Seconds and peak RSS of month, quarter and report against devices, one line per store and phase. */
export function scaleChart(rows: ScaleRow[]): string {
  const W = 960;
  const H = 360;
  const pad = { l: 70, r: 200, t: 40, b: 50 };
  const series: Array<{ label: string; pts: Array<[number, number]>; color: string; dash?: string; axis: 's' | 'mb' }> = [];
  const colors: Record<string, string> = { month: '#1b9e77', quarter: '#d95f02', report: '#7570b3' };
  for (const store of ['duckdb', 'influxdb'] as const) {
    for (const ph of ['month', 'quarter', 'report'] as const) {
      const pts = rows.filter((r) => r.store === store && r.phases[ph]).map((r) => [r.devices, r.phases[ph]!.seconds] as [number, number]);
      if (pts.length) series.push({ label: `${store} ${ph} (s)`, pts, color: colors[ph]!, ...(store === 'influxdb' ? { dash: '6 4' } : {}), axis: 's' });
    }
  }
  const xs = rows.map((r) => r.devices);
  const maxX = Math.max(1, ...xs);
  const maxY = Math.max(60, ...series.flatMap((s) => s.pts.map((p) => p[1]))) * 1.1;
  const x = (v: number) => pad.l + (v / maxX) * (W - pad.l - pad.r);
  const y = (v: number) => H - pad.b - (v / maxY) * (H - pad.t - pad.b);
  const o: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  o.push(`<text x="${pad.l}" y="22" font-size="14">Indicators at scale: seconds against devices (Kalmar scenario, 31 days; solid DuckDB, dashed InfluxDB)</text>`);
  o.push(`<line x1="${pad.l}" y1="${y(60)}" x2="${W - pad.r}" y2="${y(60)}" stroke="#c00" stroke-dasharray="2 3"/><text x="${W - pad.r + 4}" y="${y(60) + 4}" fill="#c00">60 s floor</text>`);
  o.push(`<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#333"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#333"/>`);
  for (const v of [...new Set(xs)]) o.push(`<text x="${x(v)}" y="${H - pad.b + 18}" text-anchor="middle">${v.toLocaleString('en')}</text>`);
  for (let v = 0; v <= maxY; v += maxY > 200 ? 60 : 20) o.push(`<text x="${pad.l - 8}" y="${y(v) + 4}" text-anchor="end">${v} s</text>`);
  o.push(`<text x="${(pad.l + W - pad.r) / 2}" y="${H - 12}" text-anchor="middle">devices</text>`);
  series.forEach((s, i) => {
    o.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''} points="${s.pts.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ')}"/>`);
    for (const p of s.pts) o.push(`<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`);
    o.push(`<line x1="${W - pad.r + 10}" y1="${pad.t + 20 + i * 18}" x2="${W - pad.r + 34}" y2="${pad.t + 20 + i * 18}" stroke="${s.color}" stroke-width="2" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''}/><text x="${W - pad.r + 40}" y="${pad.t + 24 + i * 18}">${s.label}</text>`);
  });
  o.push('</svg>');
  return o.join('\n');
}

export function writeScaleChart(rows: ScaleRow[], file: string): void {
  writeFileSync(file, scaleChart(rows));
}
