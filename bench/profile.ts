/**
 * Summarizes a V8 CPU profile (node --cpu-prof): self time by function and by
 * area (our files, each npm package, Node internals, GC), as shares of the busy
 * (non-idle) time. `npx tsx bench/profile.ts FILE.cpuprofile [N]` prints it.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  wallMs: number;
  busyMs: number;
  /** Busy time / wall time: how much of one core the process used. */
  busyShare: number;
  functions: Array<{ name: string; where: string; ms: number; share: number }>;
  areas: Array<{ area: string; ms: number; share: number }>;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native / builtins)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const m = /\/(?:dist\/)?(services|simulators)\/(.+)$/.exec(url);
  if (m) return `${m[1]}/${m[2]!.replace(/\.js$/, '.ts')}`;
  return url.replace(/^file:\/\//, '');
}

function where(url: string, line: number): string {
  const a = area(url, '');
  return url ? `${a.includes('/') || a.startsWith('node:') ? a : `${a}/${basename(url)}`}:${line + 1}` : a;
}

export function summarize(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const fns = new Map<string, { name: string; where: string; ms: number }>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    busy += ms;
    const name = functionName || '(anonymous)';
    const key = `${name}@${url}:${lineNumber}`;
    const f = fns.get(key) ?? { name, where: where(url, lineNumber), ms: 0 };
    f.ms += ms;
    fns.set(key, f);
    const a = area(url, name);
    areas.set(a, (areas.get(a) ?? 0) + ms);
  }
  const wallMs = (p.endTime - p.startTime) / 1000;
  const share = (ms: number) => (busy > 0 ? ms / busy : 0);
  return {
    file,
    wallMs,
    busyMs: busy,
    busyShare: wallMs > 0 ? busy / wallMs : 0,
    functions: [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, top).map((f) => ({ ...f, share: share(f.ms) })),
    areas: [...areas].sort((a, b) => b[1] - a[1]).slice(0, top).map(([a, ms]) => ({ area: a, ms, share: share(ms) })),
  };
}

export function formatSummary(s: ProfileSummary, label: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
  const lines = [`${label}: ${basename(s.file)} — busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.wallMs / 1000).toFixed(1)} s (${(s.busyShare * 100).toFixed(0)} % of one core)`];
  lines.push('  by area (self time):');
  for (const a of s.areas.slice(0, 10)) lines.push(`    ${pct(a.share)}  ${a.area}`);
  lines.push('  hottest functions (self time):');
  for (const f of s.functions.slice(0, 12)) lines.push(`    ${pct(f.share)}  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('profile.ts') && process.argv[2]) {
  const s = summarize(process.argv[2], Number(process.argv[3] ?? 25));
  process.stdout.write(`${formatSummary(s, 'profile')}\n`);
}
