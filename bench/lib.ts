import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { OPERATOR_HEADERS, STACK } from '../test/helpers/stack.js';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- progress

const t0 = Date.now();
const tty = Boolean(process.stderr.isTTY);
let statusShown = false;
let lastPlain = 0;
/** A line of progress on stderr: a live status line on a terminal, one line every 10 s in a log. */
export function status(msg: string): void {
  const line = `[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}`;
  if (tty) {
    process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 120) - 1)}\x1b[K`);
    statusShown = true;
  } else if (Date.now() - lastPlain >= 10_000) {
    lastPlain = Date.now();
    process.stderr.write(`${line}\n`);
  }
}
export function log(msg: string): void {
  if (tty && statusShown) process.stderr.write('\r\x1b[K');
  statusShown = false;
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
}

// ---------------------------------------------------------------- processes

export type Proc = ChildProcess & { output: () => string; count: number; lastMessage: Record<string, unknown> };

const children = new Set<ChildProcess>();
/** On Ctrl-C or an error exit, nothing this run started is left behind. */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', killAll);

export function track(child: ChildProcess, onMessage?: (m: Record<string, unknown>) => void): Proc {
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const keep = (b: Buffer) => void (out = (out + b.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const p = Object.assign(child, { output: () => out, count: 0, lastMessage: {} as Record<string, unknown> });
  child.on('message', (m: Record<string, unknown>) => {
    p.lastMessage = m;
    if (typeof m.count === 'number') p.count = m.count;
    onMessage?.(m);
  });
  return p;
}

/** A load generator or bare baseline from bench/agents.ts, with IPC. */
export function agent(role: string, config: Record<string, unknown>, onMessage?: (m: Record<string, unknown>) => void): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/agents.ts', role], {
    cwd: ROOT,
    env: {
      ...process.env,
      AGENT: JSON.stringify({ role, mqttUrl: STACK.mqttUrl, mqttAuth: STACK.mqttAuth, kafka: STACK.kafka, influxUrl: STACK.influxUrl, influxToken: STACK.influxToken, influxOrg: STACK.influxOrg, ...config }),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return track(child, onMessage);
}

/** Waits for an agent's {ready} (subscribed / consumer joined). */
export function ready(p: Proc, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent not ready in ${timeoutMs} ms\n${p.output()}`)), timeoutMs);
    const on = (m: Record<string, unknown>) => {
      if (m.ready) {
        clearTimeout(timer);
        p.off('message', on);
        resolve();
      }
    };
    p.on('message', on);
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${code}) before it was ready\n${p.output()}`));
    });
  });
}

/** Asks an agent to stop and waits for it (its final count arrives first). */
export async function stopAgent(p: Proc): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  try {
    p.send({ stop: true });
  } catch {
    p.kill('SIGTERM');
  }
  await Promise.race([exited, sleep(30_000)]);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

/** `klimatpuls <command>` from the compiled build (dist/), as deployed. */
export function service(command: string, env: Record<string, string>, opts: { cpuProfDir?: string; args?: string[] } = {}): Proc {
  // BENCH_SERVICE_NODE_OPTIONS: V8/Node flags for the services only (GC experiments), not the load generators
  const flags = (process.env.BENCH_SERVICE_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const args = [...flags, ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []), 'dist/services/cli.js', command, ...(opts.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return track(child);
}

export async function waitReady(port: number, p: Proc, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (p.exitCode !== null) throw new Error(`service exited with ${p.exitCode}\n${p.output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`service on ${port} not ready in ${timeoutMs} ms\n${p.output()}`);
}

/** SIGTERM and wait (a service drains; a CPU profile is written on exit). */
export async function stopService(p: Proc, timeoutMs = 30_000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  await Promise.race([exited, sleep(timeoutMs)]);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

// ---------------------------------------------------------------- measurements

export function procStatus(pid: number | undefined): { rssKb?: number; hwmKb?: number } {
  if (!pid) return {};
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1]);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return {};
  }
}

/** Sum of a Prometheus counter/gauge over its label sets (optionally filtered). */
export function metric(text: string, name: string, labelFilter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labelFilter && !line.includes(labelFilter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function scrape(port: number, name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: OPERATOR_HEADERS, signal: AbortSignal.timeout(5000) });
  return metric(await res.text(), name);
}

/** utime + stime of a process in clock ticks (Linux /proc), undefined when gone. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

/** Busy and total ticks of the whole machine (all cores). */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** The stack's processes (pid files of deploy/stack/stack.sh). */
export function stackPids(): Record<string, number> {
  const run = process.env.KLIMATPULS_STACK_RUN ?? join(homedir(), '.cache/klimatpuls/stack/run');
  const out: Record<string, number> = {};
  for (const c of ['mosquitto', 'kafka', 'influxdb']) {
    try {
      out[c] = Number(readFileSync(join(run, c, 'pid'), 'utf8').trim());
    } catch {
      /* not ours to see */
    }
  }
  return out;
}

/**
 * Where the cores went over a window: each named process in % of one core, and
 * the rest of the machine ("other": processes that are not part of this run — on
 * a shared box, someone else's).
 */
export function cpuAccount(pids: () => Record<string, number | undefined>) {
  const ticksPerSecond = 100;
  const startPids = pids();
  const start = new Map(Object.entries(startPids).map(([k, pid]) => [k, pid ? cpuTicks(pid) : undefined]));
  const m0 = machineTicks();
  const t0 = Date.now();
  return () => {
    const seconds = (Date.now() - t0) / 1000;
    const m1 = machineTicks();
    const out: Record<string, number> = {};
    let ours = 0;
    for (const [k, pid] of Object.entries(pids())) {
      const a = start.get(k);
      const b = pid ? cpuTicks(pid) : undefined;
      if (a === undefined || b === undefined) continue;
      out[k] = ((b - a) / ticksPerSecond / seconds) * 100;
      ours += b - a;
    }
    const cores = cpus().length;
    const busy = m1.busy - m0.busy;
    out.machine = (busy / Math.max(1, m1.total - m0.total)) * cores * 100;
    out.other = Math.max(0, ((busy - ours) / Math.max(1, m1.total - m0.total)) * cores * 100);
    return out;
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-admin', brokers: [STACK.kafka], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const list = topics.filter((t) => existing.has(t));
    if (list.length) await admin.deleteTopics({ topics: list, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

export async function createTopic(topic: string, partitions = 3): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-admin', brokers: [STACK.kafka], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: -1 }] });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Drives a closed loop for `warmupS + seconds`: every 250 ms the load agent may run
 * `backlog` ahead of what the system under test has processed (so it is never
 * starved and the backlog stays bounded), and the processed count is sampled. The
 * rate is the processed count's growth over the measured window (after warm-up).
 */
export async function sustain(opts: {
  label: string;
  /** The load generator, allowed `backlog` ahead of what is processed; none when draining a backlog. */
  load?: Proc;
  processed: () => Promise<number>;
  backlog: number;
  warmupS: number;
  seconds: number;
  onSample?: () => void;
  /** Processes whose CPU use over the measured window is reported. */
  cpu?: () => Record<string, number | undefined>;
  /** The window ends early once this many are processed (a pre-filled backlog drained). */
  total?: number;
}): Promise<{ rate: number; processed: number; seconds: number; samples: Array<[number, number]>; cpu?: Record<string, number> }> {
  const start = Date.now();
  const samples: Array<[number, number]> = [];
  let atWarm: [number, number] | undefined;
  let last = 0;
  let lastShow = 0;
  let cpuEnd: (() => Record<string, number>) | undefined;
  const end = start + (opts.warmupS + opts.seconds) * 1000;
  while (Date.now() < end) {
    const now = Date.now();
    try {
      last = await opts.processed();
    } catch {
      /* a scrape timed out under load: keep the last value */
    }
    samples.push([now, last]);
    if (!atWarm && now - start >= opts.warmupS * 1000) {
      atWarm = [now, last];
      if (opts.cpu) cpuEnd = cpuAccount(opts.cpu);
    }
    try {
      opts.load?.send({ allow: last + opts.backlog });
    } catch {
      throw new Error(`${opts.label}: load generator exited\n${opts.load?.output()}`);
    }
    opts.onSample?.();
    if (opts.total !== undefined && last >= opts.total) break;
    if (now - lastShow > 1000) {
      lastShow = now;
      const el = (now - start) / 1000;
      const r = atWarm && now > atWarm[0] ? (last - atWarm[1]) / ((now - atWarm[0]) / 1000) : 0;
      status(`${opts.label}: ${el.toFixed(0)}/${opts.warmupS + opts.seconds} s, ${last.toLocaleString('en')} processed${atWarm ? `, ${Math.round(r).toLocaleString('en')}/s` : ' (warming up)'}`);
    }
    await sleep(250);
  }
  const [tw, nw] = atWarm ?? [start, 0];
  const [te, ne] = samples[samples.length - 1]!;
  return { rate: (ne - nw) / ((te - tw) / 1000), processed: ne, seconds: (te - tw) / 1000, samples, ...(cpuEnd ? { cpu: cpuEnd() } : {}) };
}
