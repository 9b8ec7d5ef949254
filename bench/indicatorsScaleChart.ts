/**
 * bench/results/indicators-scale.svg: the indicators-scale growth curve, seconds
 * (top) and peak RSS (bottom) of rollup build, month, quarter and report against
 * devices, solid DuckDB, dashed InfluxDB, with the issue-14 floors (60 s, 500 MB).
 */
import { writeFileSync } from 'node:fs';
import type { Phase, ScaleRow } from './indicatorsScale.js';

const PLOTTED: Array<{ phase: Phase; color: string }> = [
  { phase: 'settle', color: '#999999' },
  { phase: 'month', color: '#1b9e77' },
  { phase: 'quarter', color: '#d95f02' },
  { phase: 'report', color: '#7570b3' },
];
const W = 960;
const PANEL_H = 300;
const PAD = { l: 80, r: 220, t: 40, b: 50 };

function panel(rows: ScaleRow[], top: number, o: { title: string; unit: string; value: (p: { seconds: number; maxRssMb: number }) => number; floor: number; floorLabel: string }): string[] {
  const series: Array<{ label: string; pts: Array<[number, number]>; color: string; dash?: string }> = [];
  for (const store of ['duckdb', 'influxdb'] as const) {
    for (const { phase, color } of PLOTTED) {
      const pts = rows.filter((r) => r.store === store && r.phases[phase]).map((r) => [r.devices, o.value(r.phases[phase]!)] as [number, number]);
      if (pts.length) series.push({ label: `${store} ${phase === 'settle' ? 'rollups' : phase}`, pts, color, ...(store === 'influxdb' ? { dash: '6 4' } : {}) });
    }
  }
  const xs = [...new Set(rows.map((r) => r.devices))];
  const maxX = Math.max(1, ...xs);
  const maxY = Math.max(o.floor, ...series.flatMap((s) => s.pts.map((p) => p[1]))) * 1.1;
  const x = (v: number) => PAD.l + (v / maxX) * (W - PAD.l - PAD.r);
  const y = (v: number) => top + PANEL_H - PAD.b - (v / maxY) * (PANEL_H - PAD.t - PAD.b);
  const bottom = top + PANEL_H - PAD.b;
  const out = [`<text x="${PAD.l}" y="${top + 22}" font-size="14">${o.title}</text>`];
  out.push(`<line x1="${PAD.l}" y1="${y(o.floor)}" x2="${W - PAD.r}" y2="${y(o.floor)}" stroke="#c00" stroke-dasharray="2 3"/><text x="${W - PAD.r + 4}" y="${y(o.floor) + 4}" fill="#c00">${o.floorLabel}</text>`);
  out.push(`<line x1="${PAD.l}" y1="${bottom}" x2="${W - PAD.r}" y2="${bottom}" stroke="#333"/><line x1="${PAD.l}" y1="${top + PAD.t}" x2="${PAD.l}" y2="${bottom}" stroke="#333"/>`);
  for (const v of xs) out.push(`<text x="${x(v)}" y="${bottom + 18}" text-anchor="middle">${v.toLocaleString('en')}</text>`);
  const step = niceStep(maxY);
  for (let v = 0; v <= maxY; v += step) out.push(`<text x="${PAD.l - 8}" y="${y(v) + 4}" text-anchor="end">${v.toLocaleString('en')} ${o.unit}</text>`);
  out.push(`<text x="${(PAD.l + W - PAD.r) / 2}" y="${bottom + 38}" text-anchor="middle">devices</text>`);
  series.forEach((s, i) => {
    const dash = s.dash ? `stroke-dasharray="${s.dash}"` : '';
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" ${dash} points="${s.pts.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ')}"/>`);
    for (const p of s.pts) out.push(`<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = top + PAD.t + 20 + i * 18;
    out.push(`<line x1="${W - PAD.r + 10}" y1="${ly}" x2="${W - PAD.r + 34}" y2="${ly}" stroke="${s.color}" stroke-width="2" ${dash}/><text x="${W - PAD.r + 40}" y="${ly + 4}">${s.label}</text>`);
  });
  return out;
}

/** 1, 2 or 5 × 10^n, about 5 ticks. */
function niceStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
}

export function scaleChart(rows: ScaleRow[]): string {
  const days = [...new Set(rows.map((r) => r.days))].join(', ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${2 * PANEL_H}" font-family="sans-serif" font-size="12">`,
    ...panel(rows, 0, { title: `Indicators at scale: seconds against devices (Kalmar scenario, ${days} days; solid DuckDB, dashed InfluxDB)`, unit: 's', value: (p) => p.seconds, floor: 60, floorLabel: '60 s floor (quarter + report)' }),
    ...panel(rows, PANEL_H, { title: 'Peak RSS of each phase\u2019s process against devices', unit: 'MB', value: (p) => p.maxRssMb, floor: 500, floorLabel: '500 MB floor' }),
    '</svg>',
  ].join('\n');
}

export function writeScaleChart(rows: ScaleRow[], file: string): void {
  writeFileSync(file, scaleChart(rows));
}
