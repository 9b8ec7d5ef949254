/**
 * `npm run bench -- --only peer-telegraf` (issue 16): Klimatpuls (gateway + Kafka +
 * writer, as the e2e step) and Telegraf (mqtt_consumer QoS 1, persistent session →
 * influxdb_v2) on the same load — the same publisher agent sending the same points
 * (seq 0, 1, ... of bench/agents.ts nativeMessage) — in alternating windows on the
 * shared stack's Mosquitto and InfluxDB. Each window: a bucket of its own, the system
 * started with a new MQTT client id, warm-up, measured window, publisher stopped, the
 * backlog drained, the system stopped and its session discarded (so the other
 * system's window queues nothing for it).
 *
 * Per window: readings/s stored (counted in InfluxDB: the growth of the bucket's point
 * count between the end of warm-up and the end of the window, polled while it runs),
 * CPU µs per reading of the pipeline's processes (/proc utime+stime), peak RSS
 * (VmHWM). The medians over the windows give the ratios Klimatpuls / Telegraf.
 */
import { cpus, loadavg } from 'node:os';
import { countPoints, createBucket, deleteBucket, discardSession } from '../test/helpers/stack.js';
import { agent, log, procStatus, sleep, stackPids, stopAgent, sustain, type Proc } from './lib.js';
import { startTelegraf, telegrafBinary, telegrafBucket, TELEGRAF_VERSION, type TelegrafProc } from './telegraf.js';

export type PeerSystem = 'klimatpuls' | 'telegraf';

export interface PeerWindow {
  system: PeerSystem;
  window: number;
  /** Readings/s stored, counted in InfluxDB. */
  stored: number;
  /** Readings/s by the system's own written counter (writer metric / Telegraf's log). */
  written: number;
  /** Stored in the window's bucket after the drain, against what the system said it wrote. */
  storedTotal: number;
  writtenTotal: number;
  /** CPU µs per stored reading, per process and summed (pipeline = without Kafka; pipelineWithKafka). */
  cpuUsPerReading: Record<string, number>;
  /** % of one core per process over the window (other = not this run). */
  cpu: Record<string, number>;
  /** Peak RSS (MB) per process. */
  rssMb: Record<string, number>;
  load: number;
}

export interface PeerResult {
  telegraf: string;
  /** The Kafka client of Klimatpuls' gateway and writer (KAFKA_CLIENT). */
  kafkaClient: string;
  windows: PeerWindow[];
  median: Record<PeerSystem, { stored: number; cpuUsPerReading: Record<string, number>; rssMb: Record<string, number> }>;
  ratios: { readingsPerSecond: number; cpuPerReading: number; cpuPerReadingWithKafka: number };
}

/** What the step takes from bench/run.ts (its pipeline helpers and settings). */
export interface PeerContext {
  run: string;
  tenant: string;
  kafkaClient: string;
  windows: number;
  warmup: number;
  seconds: number;
  batchSize: number;
  maxUndelivered: number;
  publisherConfig: (name: string) => Record<string, unknown>;
  /** A gateway + writer on their own topics, writing to `bucket`, MQTT client `clientId`. */
  startKlimatpuls: (bucket: string, clientId: string) => Promise<{ gateway: Proc; writer: Proc; written: () => Promise<number>; stop: () => Promise<void> }>;
  /** Deletes the Klimatpuls topics at the end. */
  cleanupKlimatpuls: () => Promise<void>;
}

const median = (xs: number[]) => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Polls the bucket's point count; `at(t)` is the count of the poll that started nearest t. */
function storedPoller(bucket: string) {
  const samples: Array<[number, number]> = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const t = Date.now();
      const n = await countPoints(bucket).catch(() => NaN);
      if (Number.isFinite(n)) samples.push([t, n]);
      await sleep(Math.max(0, 1000 - (Date.now() - t)));
    }
  })();
  return {
    rate(from: number, to: number): number {
      const near = (t: number) => samples.reduce((b, s) => (Math.abs(s[0] - t) < Math.abs(b[0] - t) ? s : b), samples[0]!);
      if (samples.length < 2) return NaN;
      const a = near(from);
      const b = near(to);
      return b[0] > a[0] ? (b[1] - a[1]) / ((b[0] - a[0]) / 1000) : NaN;
    },
    stop: async () => {
      on = false;
      await loop;
    },
  };
}

/** Peak RSS of processes, sampled every 500 ms (VmHWM of our own, VmRSS of the shared Kafka). */
function peakRss(pids: Record<string, number | undefined>) {
  const peak: Record<string, number> = {};
  const sample = () => {
    for (const [k, pid] of Object.entries(pids)) {
      const s = procStatus(pid);
      peak[k] = Math.max(peak[k] ?? 0, (k === 'kafka' ? s.rssKb : s.hwmKb ?? s.rssKb) ?? 0);
    }
  };
  const timer = setInterval(sample, 500);
  return () => {
    clearInterval(timer);
    sample();
    return Object.fromEntries(Object.entries(peak).map(([k, kb]) => [k, kb / 1024]));
  };
}

/** Waits until a count stands still for 2 s (the backlog drained), at most 60 s. */
async function drained(count: () => Promise<number>): Promise<number> {
  let last = -1;
  let since = Date.now();
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const n = await count().catch(() => last);
    if (n !== last) [last, since] = [n, Date.now()];
    else if (Date.now() - since > 2000) break;
    await sleep(250);
  }
  return last;
}

async function oneWindow(ctx: PeerContext, system: PeerSystem, i: number, bin: string): Promise<PeerWindow> {
  const name = `peer-${system === 'klimatpuls' ? 'kp' : 'tg'}-${i}`;
  const bucket = `bench-${ctx.run}-${name}`;
  const clientId = `${name}-${ctx.run}`;
  let drop: () => Promise<void> = async () => void (await deleteBucket(bucket).catch(() => {}));
  let procs: Record<string, number | undefined>;
  let written: () => Promise<number>;
  let stopSystem: () => Promise<void>;
  if (system === 'klimatpuls') {
    await createBucket(bucket);
    const kp = await ctx.startKlimatpuls(bucket, `gw-${clientId}`);
    procs = { gateway: kp.gateway.pid, writer: kp.writer.pid };
    written = kp.written;
    stopSystem = kp.stop;
  } else {
    const b = await telegrafBucket(bucket);
    drop = b.drop;
    const tg: TelegrafProc = await startTelegraf(bin, { clientId: `tg-${clientId}`, tenant: ctx.tenant, bucket, batchSize: ctx.batchSize, maxUndelivered: ctx.maxUndelivered }, b.token);
    procs = { telegraf: tg.pid };
    written = async () => tg.written;
    stopSystem = async () => {
      const exited = new Promise<void>((r) => tg.once('exit', () => r()));
      tg.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (tg.exitCode === null && tg.signalCode === null) tg.kill('SIGKILL');
    };
  }
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopSystem());
  const stack = stackPids();
  const rss = peakRss(system === 'klimatpuls' ? { ...procs, kafka: stack.kafka } : procs);
  const stored = storedPoller(bucket);
  const pub = agent('publisher', ctx.publisherConfig(name));
  const t0 = Date.now();
  try {
    const r = await sustain({
      label: `${system} window ${i + 1}/${ctx.windows}`, load: pub, processed: written, backlog: 50_000, warmupS: ctx.warmup, seconds: ctx.seconds,
      cpu: () => ({ ...stack, publisher: pub.pid, ...procs }),
    });
    const storedRate = stored.rate(t0 + ctx.warmup * 1000, t0 + (ctx.warmup + ctx.seconds) * 1000);
    await stopAgent(pub);
    const writtenTotal = await drained(written);
    await stored.stop();
    const storedTotal = await countPoints(bucket).catch(() => NaN);
    const cpu = r.cpu ?? {};
    const us = (pct: number | undefined) => ((pct ?? 0) / 100 / storedRate) * 1e6;
    const cpuUsPerReading: Record<string, number> = {};
    for (const k of Object.keys(procs)) cpuUsPerReading[k] = us(cpu[k]);
    cpuUsPerReading.pipeline = Object.values(cpuUsPerReading).reduce((a, b) => a + b, 0);
    if (system === 'klimatpuls') {
      cpuUsPerReading.kafka = us(cpu.kafka);
      cpuUsPerReading.pipelineWithKafka = cpuUsPerReading.pipeline + cpuUsPerReading.kafka;
    } else cpuUsPerReading.pipelineWithKafka = cpuUsPerReading.pipeline;
    await stop();
    const w: PeerWindow = { system, window: i, stored: storedRate, written: r.rate, storedTotal, writtenTotal, cpuUsPerReading, cpu, rssMb: rss(), load: loadavg()[0]! };
    const parts = Object.entries(cpuUsPerReading).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    log(`${system} window ${i + 1}: ${Math.round(storedRate).toLocaleString('en')} readings/s stored (written counter ${Math.round(r.rate).toLocaleString('en')}/s); CPU µs/reading ${parts}; stored ${storedTotal.toLocaleString('en')} of ${writtenTotal.toLocaleString('en')} written; outside this run ${(cpu.other ?? 0).toFixed(0)} % of ${cpus().length * 100}`);
    return w;
  } finally {
    await stopAgent(pub);
    await stored.stop();
    await stop().catch(() => {});
    rss();
    await discardSession(system === 'klimatpuls' ? `gw-${clientId}` : `tg-${clientId}`).catch(() => {});
    await drop();
  }
}

export async function peerTelegraf(ctx: PeerContext): Promise<PeerResult> {
  const bin = telegrafBinary();
  log(`peer-telegraf: Telegraf ${TELEGRAF_VERSION} (${bin}) and Klimatpuls (Kafka client ${ctx.kafkaClient}) alternating, ${ctx.windows} × (${ctx.warmup} s warm-up + ${ctx.seconds} s) each; Telegraf metric_batch_size ${ctx.batchSize}, max_undelivered_messages ${ctx.maxUndelivered}`);
  const windows: PeerWindow[] = [];
  try {
    for (let i = 0; i < ctx.windows; i++) {
      // alternate which goes first, so a trend in the machine's load hits both alike
      const order: PeerSystem[] = i % 2 === 0 ? ['klimatpuls', 'telegraf'] : ['telegraf', 'klimatpuls'];
      for (const system of order) windows.push(await oneWindow(ctx, system, i, bin));
    }
  } finally {
    await ctx.cleanupKlimatpuls().catch(() => {});
  }
  const med = (system: PeerSystem) => {
    const ws = windows.filter((w) => w.system === system);
    const keys = (f: (w: PeerWindow) => Record<string, number>) => [...new Set(ws.flatMap((w) => Object.keys(f(w))))];
    return {
      stored: median(ws.map((w) => w.stored)),
      cpuUsPerReading: Object.fromEntries(keys((w) => w.cpuUsPerReading).map((k) => [k, median(ws.map((w) => w.cpuUsPerReading[k]!))])),
      rssMb: Object.fromEntries(keys((w) => w.rssMb).map((k) => [k, Math.max(...ws.map((w) => w.rssMb[k] ?? 0))])),
    };
  };
  const m = { klimatpuls: med('klimatpuls'), telegraf: med('telegraf') };
  const tgCpu = m.telegraf.cpuUsPerReading.pipeline!;
  return {
    telegraf: TELEGRAF_VERSION, kafkaClient: ctx.kafkaClient, windows, median: m,
    ratios: { readingsPerSecond: m.klimatpuls.stored / m.telegraf.stored, cpuPerReading: m.klimatpuls.cpuUsPerReading.pipeline! / tgCpu, cpuPerReadingWithKafka: m.klimatpuls.cpuUsPerReading.pipelineWithKafka! / tgCpu },
  };
}

/** The step's table: one row per window, the medians, the ratios against the floor of issue 16. */
export function peerTable(r: PeerResult): string {
  const f = (n: number | undefined, d = 0) => (n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d }));
  const rows = [['window', 'system', 'readings/s stored', 'CPU µs/reading (pipeline)', 'with Kafka JVM', 'peak RSS MB', 'stored / written']];
  for (const w of r.windows) {
    rows.push([String(w.window + 1), w.system, f(w.stored), f(w.cpuUsPerReading.pipeline, 1), f(w.cpuUsPerReading.pipelineWithKafka, 1), Object.entries(w.rssMb).map(([k, v]) => `${k} ${f(v)}`).join(', '), `${f(w.storedTotal)} / ${f(w.writtenTotal)}`]);
  }
  for (const s of ['klimatpuls', 'telegraf'] as const) {
    const m = r.median[s];
    const parts = Object.entries(m.cpuUsPerReading).filter(([k]) => !k.startsWith('pipeline')).map(([k, v]) => `${k} ${f(v, 1)}`).join(' + ');
    rows.push(['median', s, f(m.stored), `${f(m.cpuUsPerReading.pipeline, 1)} (${parts})`, f(m.cpuUsPerReading.pipelineWithKafka, 1), Object.entries(m.rssMb).map(([k, v]) => `${k} ${f(v)}`).join(', '), '']);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** The floor of issue 16: ≥ 1.0 × Telegraf's readings/s, ≤ 1.2 × its CPU per reading (Klimatpuls without and with the Kafka JVM). */
export function peerFloors(r: PeerResult): Array<{ floor: string; value: string; met: boolean }> {
  const x = (n: number) => `${n.toFixed(2)} ×`;
  return [
    { floor: `Klimatpuls (${r.kafkaClient}) ≥ 1.0 × Telegraf ${r.telegraf} readings/s stored (median of ${r.windows.length / 2} windows each)`, value: x(r.ratios.readingsPerSecond), met: r.ratios.readingsPerSecond >= 1 },
    { floor: 'Klimatpuls ≤ 1.2 × Telegraf CPU per reading (gateway + writer)', value: x(r.ratios.cpuPerReading), met: r.ratios.cpuPerReading <= 1.2 },
    { floor: 'Klimatpuls ≤ 1.2 × Telegraf CPU per reading (gateway + writer + Kafka JVM)', value: x(r.ratios.cpuPerReadingWithKafka), met: r.ratios.cpuPerReadingWithKafka <= 1.2 },
  ];
}
