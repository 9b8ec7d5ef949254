/**
 * `npm run bench`: Klimatpuls against the bare components, measured in one run on
 * one machine so the ratios hold on a noisy box. Prints a table, writes
 * bench/results/<timestamp>.json and bench/results/latest.svg.
 *
 *   --seconds N      measured window of each sustained run (default 60)
 *   --warmup N       seconds before the window (default 10)
 *   --only a,b       run some steps: bare-mqtt bare-kafka bare-influx bare-bridge
 *                    gateway writer e2e latency city kalmar indicators-scale peer-telegraf
 *   --profile        run gateway and writer with --cpu-prof and summarize the profiles
 *   --kalmar-days D  simulated days of the Kalmar slice (default 0.25)
 *   --writer-records N  readings pre-filled into Kafka for the writer-alone window (default 4,000,000)
 *   --no-build       use dist/ as it is (default: compile first, npm run build)
 *   --kafka-clients a,b  gateway, writer and e2e once per Kafka client (KAFKA_CLIENT: kafkajs,
 *                    platformatic), printing readings/s and pipeline CPU µs per reading of each;
 *                    the first is the one of the main table (default: $KAFKA_CLIENT or platformatic)
 *   --peer-windows N    peer-telegraf: windows of each system, alternating (default 3)
 *   --peer-seconds N    peer-telegraf: measured seconds of a window (default 30; warm-up: --warmup)
 *   --telegraf-batch N  peer-telegraf: Telegraf's metric_batch_size (default 5000, the writer's batch)
 *   --telegraf-undelivered N  peer-telegraf: Telegraf's max_undelivered_messages (default 10000)
 *   --scale-sizes a,b   indicators-scale: shares of the Kalmar scenario's devices (default 0.05,0.25,1)
 *   --scale-days N      indicators-scale: simulated days filled (default 31)
 *   --scale-stores s    indicators-scale: duckdb,influxdb (default both)
 *   --scale-data D,D…   indicators-scale: measure quarter and report (or --scale-phases) on data directories
 *                       filled and settled before (tsx bench/indicatorsAgent.ts fill, settle), one per store
 *                       of --scale-stores and size of --scale-sizes, each named by its DIR/scale.json (store,
 *                       size, days, InfluxDB's bucket and URL; a DuckDB directory without one: the size whose
 *                       device count its registry.json has); the directories (and buckets) are kept
 *   --scale-phases p    indicators-scale with --scale-data: the phases measured (default quarter,report)
 *   --scale-fill f      indicators-scale: bulk (default: DuckDB by read_csv into the readings table,
 *                       InfluxDB by the store's writeReadings) or store (both by writeReadings + markReadings)
 *
 * Services run as deployed (node dist/services/cli.js gateway|writer, compiled);
 * load generators and bare baselines are child processes (bench/agents.ts). Stack:
 * the one the STACK_*_PORT variables point to (deploy/stack/lib.sh defaults), started
 * with deploy/stack/stack.sh up when it is not running.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, freemem, homedir, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadScenario } from '../simulators/city/scenario.js';
import { simulateToFolder } from '../simulators/city/simulateCommand.js';
import { DEFAULT_ROUTES } from '../services/decoders/index.js';
import { OPERATOR_HEADERS, STACK, countPoints, createBucket, deleteBucket, discardSession, freePort, pipelineEnv as stackPipelineEnv, queryRows } from '../test/helpers/stack.js';
import { renderChart } from './chart.js';
import { indicatorsScale, MEASURED_PHASES, PHASES, scaleFloors, scaleTable, type Phase, type ScaleRow } from './indicatorsScale.js';
import { writeScaleChart } from './indicatorsScaleChart.js';
import {
  ROOT, agent, cpuAccount, createTopic, deleteTopics, log, metric, percentile, stackPids, procStatus, ready, scrape, service, sleep, status, stopAgent, stopService, sustain, waitReady, type Proc,
} from './lib.js';
import { peerFloors, peerTable, peerTelegraf, type PeerResult } from './peerTelegraf.js';
import { formatSummary, summarize, type ProfileSummary } from './profile.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'kalmar-days': { type: 'string', default: '0.25' },
    'writer-records': { type: 'string', default: '4000000' },
    'no-build': { type: 'boolean', default: false },
    'kafka-clients': { type: 'string', default: process.env.KAFKA_CLIENT ?? 'platformatic' },
    'peer-windows': { type: 'string', default: '3' },
    'peer-seconds': { type: 'string', default: '30' },
    'telegraf-batch': { type: 'string', default: '5000' },
    'telegraf-undelivered': { type: 'string', default: '10000' },
    'scale-sizes': { type: 'string', default: '0.05,0.25,1' },
    'scale-days': { type: 'string', default: '31' },
    'scale-stores': { type: 'string', default: 'duckdb,influxdb' },
    'scale-fill': { type: 'string', default: 'bulk' },
    'scale-data': { type: 'string' },
    'scale-phases': { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const STEPS = ['bare-mqtt', 'bare-kafka', 'bare-influx', 'bare-bridge', 'gateway', 'writer', 'e2e', 'e2e-4', 'latency', 'city', 'kalmar', 'indicators-scale', 'peer-telegraf'] as const;
type Step = (typeof STEPS)[number];
const only = new Set((args.only?.split(',') ?? STEPS) as Step[]);
for (const s of only) if (!STEPS.includes(s)) throw new Error(`--only: unknown step ${s} (have ${STEPS.join(', ')})`);

const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
type KafkaClient = (typeof KAFKA_CLIENTS)[number];
const clients = args['kafka-clients']!.split(',') as KafkaClient[];
for (const c of clients) if (!KAFKA_CLIENTS.includes(c)) throw new Error(`--kafka-clients: unknown client ${c} (have ${KAFKA_CLIENTS.join(', ')})`);
/** The steps whose services use Kafka: run once per client of --kafka-clients. */
const CLIENT_STEPS: Partial<Record<Step, { throughput: 'gateway' | 'writer' | 'endToEnd'; cpu: string }>> = {
  gateway: { throughput: 'gateway', cpu: 'gateway' }, writer: { throughput: 'writer', cpu: 'writer' }, e2e: { throughput: 'endToEnd', cpu: 'e2e' },
};
/** The client the services of the step being run use. */
let kafkaClient: KafkaClient = clients[0]!;

const RUN = `b${Date.now().toString(36)}`;
const TENANT = RUN;
const DEVICES = 1000;
/** Observed times: a month ago, one second apart per device (unique points, none in the future). */
const BASE_TIME = Date.now() - 30 * 86_400_000;
const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..+/, 'Z');
const RESULTS = join(ROOT, 'bench/results');
const PROFILES = join(RESULTS, 'profiles', stamp);

interface Machine {
  cpus: number;
  cpuModel: string;
  memGb: number;
  kernel: string;
  node: string;
  mosquitto: string;
  kafka: string;
  influxdb: string;
}

interface Results {
  run: string;
  startedAt: string;
  seconds: number;
  warmup: number;
  machine: Machine;
  /** readings/s (one native reading per MQTT message in the synthetic runs) */
  /** Seconds a measured window actually lasted, where it may end early (writer: backlog drained). */
  windows?: Record<string, number>;
  throughput: Partial<Record<'bareMqtt' | 'bareKafka' | 'bareInflux' | 'bareMqttToKafka' | 'gateway' | 'writer' | 'endToEnd' | 'endToEnd4', number>>;
  /** Memory of each service at its highest RSS during the end-to-end run (MB). */
  memory: Record<string, { rss: number; heapTotal: number; heapUsed: number; external: number }>;
  ratios: Partial<Record<'gatewayVsBare' | 'writerVsBare', number>>;
  latency: Record<string, { rate: number; achieved: number; probes: number; p50: number; p95: number; p99: number; max: number }>;
  rssMb: Partial<Record<'gateway' | 'writer' | 'gatewayAlone' | 'writerAlone', number>>;
  city?: { scenario: string; messages: number; readings: number; ingestSeconds: number; readingsPerSecond: number; reportSeconds: number; quarter: string };
  kalmar?: { days: number; devices: number; messages: number; readings: number; generateSeconds: number; publishSeconds: number; ingestSeconds: number; daysPerMinute: number; readingsPerSecond: number };
  floors: Array<{ floor: string; value: string; met: boolean }>;
  profiles: Record<string, ProfileSummary[]>;
  gatewayWindow?: { meanInFlight: number; meanProduceMs: number };
  /** Service settings taken from the environment of this run (else the defaults of services/core/config.ts). */
  settings: Record<string, string>;
  /** Size of Mosquitto's persistence file at the start (large = abandoned sessions' queues). */
  mosquittoDbMb?: number;
  /** CPU over each sustained window, % of one core per process (machine = all cores busy, other = not this run). */
  cpu: Record<string, Record<string, number>>;
  /** 1-minute load average at the end of each step: how busy the shared machine was. */
  load: Record<string, number>;
  errors: Record<string, string>;
  indicatorsScale?: ScaleRow[];
  /** Klimatpuls against Telegraf on the same load, alternating windows (bench/peerTelegraf.ts). */
  peerTelegraf?: PeerResult;
  /** Per Kafka client (--kafka-clients) and step: readings/s and CPU µs per reading of the pipeline's processes. */
  kafkaClients?: Partial<Record<KafkaClient, Record<string, { rate: number; cpuUsPerReading: Record<string, number> }>>>;
}

const results: Results = {
  run: RUN, startedAt: new Date().toISOString(), seconds: SECONDS, warmup: WARMUP, machine: machine(), throughput: {}, ratios: {}, latency: {}, rssMb: {}, floors: [], profiles: {}, cpu: {}, load: {}, errors: {}, memory: {},
  settings: Object.fromEntries(['MQTT_MAX_IN_FLIGHT', 'WRITER_BATCH_SIZE', 'WRITER_CONCURRENCY', 'WRITER_MAX_QUEUED', 'KAFKA_PARTITIONS', 'DRAIN_TIMEOUT_MS', 'HEAP_GROWING_PERCENT', 'BENCH_SERVICE_NODE_OPTIONS'].filter((k) => process.env[k]).map((k) => [k, process.env[k]!])),
};

/** The Kafka version the stack's broker runs (deploy/stack/stack.sh writes it at start). */
function kafkaRunVersion(): string | undefined {
  try {
    return readFileSync(join(process.env.KLIMATPULS_STACK_RUN ?? join(homedir(), '.cache/klimatpuls/stack/run'), 'kafka/version'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function machine(): Machine {
  const sh = (cmd: string, a: string[]) => {
    const r = spawnSync(cmd, a, { encoding: 'utf8' });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`;
  };
  const lib = readFileSync(join(ROOT, 'deploy/stack/lib.sh'), 'utf8');
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    mosquitto: /mosquitto version (\S+)/.exec(sh('mosquitto', ['-h']))?.[1] ?? sh('/usr/sbin/mosquitto', ['-h']).match(/version (\S+)/)?.[1] ?? '?',
    kafka: process.env.KAFKA_VERSION ?? kafkaRunVersion() ?? /KAFKA_DEFAULT_VERSION=(\S+)/.exec(lib)?.[1] ?? '?',
    influxdb: /INFLUXDB_VERSION:-([^}]+)/.exec(lib)?.[1] ?? '?',
  };
}

// ---------------------------------------------------------------- setup

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function ensureStack(): Promise<void> {
  const ports = [STACK.mqttPort, STACK.kafkaPort, STACK.influxPort];
  if ((await Promise.all(ports.map(portOpen))).every(Boolean)) return;
  log('stack not running: deploy/stack/stack.sh up');
  execFileSync('bash', ['deploy/stack/stack.sh', 'up'], { cwd: ROOT, stdio: 'inherit' });
}

function registryFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-bench-'));
  const devices = [
    ...Array.from({ length: DEVICES }, (_, i) => ({ id: `dev-${i}`, tenant: TENANT, kind: 'electricity_meter', site: `site-${i}` })),
    ...Array.from({ length: 3 }, (_, i) => ({ id: `probe-${i}`, tenant: TENANT, kind: 'electricity_meter', site: 'probe' })),
  ];
  const file = join(dir, 'registry.json');
  writeFileSync(file, JSON.stringify({ devices }));
  return file;
}
let REGISTRY = '';

/** Environment of a gateway/writer pair with topics, group, bucket and client id of their own. */
function pipelineEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
  // A run of its own per client: topics, group and bucket never shared between two clients' runs.
  const id = clients.length > 1 ? `${RUN}-${name}-${kafkaClient.slice(0, 2)}` : `${RUN}-${name}`;
  return stackPipelineEnv(id, { DECODER_ROUTES: `klimatpuls/${TENANT}/+/up=native`, REGISTRY_FILE: REGISTRY, KAFKA_CLIENT: kafkaClient, ...extra }, 'bench');
}

async function cleanup(env: Record<string, string>): Promise<void> {
  await deleteTopics([env.READINGS_TOPIC!, env.DEADLETTER_TOPIC!]).catch(() => {});
  await deleteBucket(env.INFLUX_BUCKET!).catch(() => {});
  await discardSession(env.MQTT_CLIENT_ID!).catch(() => {});
}

interface Running {
  gateway?: Proc;
  writer?: Proc;
  gwPort: number;
  wrPort: number;
}

async function startPipeline(env: Record<string, string>, which: { gateway?: boolean; writer?: boolean }, profileLabel?: string): Promise<Running> {
  const r: Running = { gwPort: await freePort(), wrPort: await freePort() };
  const cpuProfDir = args.profile && profileLabel ? join(PROFILES, profileLabel) : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  if (which.writer) {
    r.writer = service('writer', { ...env, HTTP_PORT: String(r.wrPort) }, { cpuProfDir: cpuProfDir && join(cpuProfDir, 'writer') });
    await waitReady(r.wrPort, r.writer);
  }
  if (which.gateway) {
    r.gateway = service('gateway', { ...env, HTTP_PORT: String(r.gwPort) }, { cpuProfDir: cpuProfDir && join(cpuProfDir, 'gateway') });
    await waitReady(r.gwPort, r.gateway);
  }
  return r;
}

/**
 * Waits until the gateway has taken everything queued for it (its produced count
 * stands still), so SIGTERM finds it idle: under load its stop() can hang (see the
 * fault suite, test/faults/sigterm.test.ts), and a process that is SIGKILLed writes
 * no CPU profile.
 */
async function idle(port: number, counter: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  while (Date.now() < until) {
    const n = await scrape(port, counter).catch(() => last);
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since > 1500) return;
    await sleep(250);
  }
}

async function stopPipeline(r: Running, profileLabel?: string): Promise<void> {
  if (r.gateway) await idle(r.gwPort, 'klimatpuls_messages_received_total');
  if (r.writer) await idle(r.wrPort, 'klimatpuls_readings_written_total');
  if (r.gateway) await stopService(r.gateway);
  if (r.writer) await stopService(r.writer);
  if (args.profile && profileLabel) {
    const dir = join(PROFILES, profileLabel);
    const out: ProfileSummary[] = [];
    for (const svc of ['gateway', 'writer']) {
      const d = join(dir, svc);
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d).filter((x) => x.endsWith('.cpuprofile'))) {
        const s = summarize(join(d, f));
        out.push(s);
        log(`\n${formatSummary(s, `${profileLabel} ${svc}`)}`);
      }
    }
    results.profiles[profileLabel] = out;
  }
}

/** VmHWM (peak RSS) of a service, sampled until it stops. */
function rssWatch(p: Proc | undefined) {
  let peak = 0;
  const timer = setInterval(() => {
    const s = procStatus(p?.pid);
    peak = Math.max(peak, s.hwmKb ?? 0, s.rssKb ?? 0);
  }, 500);
  return {
    stop: () => {
      clearInterval(timer);
      const s = procStatus(p?.pid);
      peak = Math.max(peak, s.hwmKb ?? 0);
      return peak / 1024;
    },
  };
}

const publisherConfig = (name: string, extra: Record<string, unknown> = {}) => ({
  tenant: TENANT, devices: DEVICES, baseTime: BASE_TIME, clientId: `pub-${RUN}-${name}`, allow: 0, ...extra,
});

// ---------------------------------------------------------------- steps

/** Records and prints where the CPU went during a sustained window (% of one core). */
function cpuLine(step: string, cpu: Record<string, number> | undefined): void {
  if (!cpu) return;
  results.cpu[step] = cpu;
  const { machine, other, ...procs } = cpu;
  log(`${step}: CPU % of one core: ${Object.entries(procs).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}; outside this run ${other!.toFixed(0)}; machine ${machine!.toFixed(0)} of ${cpus().length * 100}`);
}

async function bareMqtt(): Promise<void> {
  const sub = agent('mqtt-sub', { filter: `klimatpuls/${TENANT}/+/up`, clientId: `sub-${RUN}` });
  await ready(sub);
  const pub = agent('publisher', publisherConfig('bare-mqtt'));
  try {
    const r = await sustain({ label: 'bare MQTT publish → subscribe', load: pub, processed: async () => sub.count, backlog: 20_000, warmupS: WARMUP, seconds: SECONDS, cpu: () => ({ ...stackPids(), publisher: pub.pid, subscriber: sub.pid }) });
    results.throughput.bareMqtt = r.rate;
    cpuLine('bare-mqtt', r.cpu);
  } finally {
    await stopAgent(pub);
    await stopAgent(sub);
  }
}

async function bareKafka(): Promise<void> {
  const topic = `bench.${RUN}.bare`;
  await createTopic(topic);
  const consumer = agent('kafka-consume', { topic, tenant: TENANT, devices: DEVICES, baseTime: BASE_TIME, groupId: `bare-${RUN}` });
  await ready(consumer);
  const producer = agent('kafka-produce', { topic, tenant: TENANT, devices: DEVICES, baseTime: BASE_TIME, allow: 0 });
  try {
    const r = await sustain({ label: 'bare kafkajs produce → consume', load: producer, processed: async () => consumer.count, backlog: 50_000, warmupS: WARMUP, seconds: SECONDS, cpu: () => ({ ...stackPids(), producer: producer.pid, consumer: consumer.pid }) });
    results.throughput.bareKafka = r.rate;
    cpuLine('bare-kafka', r.cpu);
  } finally {
    await stopAgent(producer);
    await stopAgent(consumer);
    await deleteTopics([topic]).catch(() => {});
  }
}

async function bareInflux(): Promise<void> {
  const bucket = `bench-${RUN}-bare`;
  await createBucket(bucket);
  const w = agent('influx-write', { bucket, tenant: TENANT, devices: DEVICES, baseTime: BASE_TIME });
  try {
    const r = await sustain({ label: 'bare InfluxDB line protocol (official client)', load: w, processed: async () => w.count, backlog: 0, warmupS: WARMUP, seconds: SECONDS, cpu: () => ({ ...stackPids(), client: w.pid }) });
    results.throughput.bareInflux = r.rate;
    cpuLine('bare-influx', r.cpu);
    await stopAgent(w);
    // the client's success callbacks are the measure: check them against what InfluxDB holds
    const stored = await countPoints(bucket).catch(() => NaN);
    log(`bare InfluxDB: ${w.count.toLocaleString('en')} points acknowledged, ${stored.toLocaleString('en')} stored`);
  } finally {
    await stopAgent(w);
    await deleteBucket(bucket).catch(() => {});
  }
}

async function bareBridge(): Promise<void> {
  const topic = `bench.${RUN}.bridge`;
  await createTopic(topic);
  const bridge = agent('bridge', { filter: `klimatpuls/${TENANT}/+/up`, clientId: `bridge-${RUN}`, topic });
  await ready(bridge);
  const pub = agent('publisher', publisherConfig('bridge'));
  try {
    const r = await sustain({ label: 'bare MQTT → Kafka bridge', load: pub, processed: async () => bridge.count, backlog: 20_000, warmupS: WARMUP, seconds: SECONDS, cpu: () => ({ ...stackPids(), publisher: pub.pid, bridge: bridge.pid }) });
    results.throughput.bareMqttToKafka = r.rate;
    cpuLine('bare-bridge', r.cpu);
  } finally {
    await stopAgent(pub);
    await stopAgent(bridge);
    await discardSession(`bridge-${RUN}`).catch(() => {});
    await deleteTopics([topic]).catch(() => {});
  }
}

/**
 * What bounds the gateway: its unacknowledged window (MQTT_MAX_IN_FLIGHT) and the
 * Kafka round trip of its one produce request in flight. Sampled from its /metrics
 * over the measured window: mean in-flight messages and mean produce latency (per bus request, from its first message).
 */
function gatewayWindow(port: number) {
  const inflight: number[] = [];
  let first: { sum: number; count: number } | undefined;
  let last: { sum: number; count: number } | undefined;
  return {
    async sample() {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: OPERATOR_HEADERS, signal: AbortSignal.timeout(5000) })).text();
      inflight.push(metric(text, 'klimatpuls_in_flight_messages'));
      const cur = { sum: metric(text, 'klimatpuls_latency_seconds_sum', 'stage="produce"'), count: metric(text, 'klimatpuls_latency_seconds_count', 'stage="produce"') };
      first ??= cur;
      last = cur;
    },
    summary() {
      const mean = inflight.reduce((a, b) => a + b, 0) / Math.max(1, inflight.length);
      const lat = first && last && last.count > first.count ? ((last.sum - first.sum) / (last.count - first.count)) * 1000 : NaN;
      return { meanInFlight: mean, meanProduceMs: lat };
    },
  };
}

async function gatewayAlone(): Promise<void> {
  const env = pipelineEnv('gw');
  const p = await startPipeline(env, { gateway: true }, 'gateway-alone');
  const rss = rssWatch(p.gateway);
  const pub = agent('publisher', publisherConfig('gw'));
  const win = gatewayWindow(p.gwPort);
  let n = 0;
  try {
    const r = await sustain({
      label: 'gateway alone (MQTT → Kafka)', load: pub, processed: () => scrape(p.gwPort, 'klimatpuls_readings_produced_total'), backlog: 20_000, warmupS: WARMUP, seconds: SECONDS,
      onSample: () => void (n++ % 4 === 0 && win.sample().catch(() => {})),
      cpu: () => ({ ...stackPids(), publisher: pub.pid, gateway: p.gateway?.pid }),
    });
    results.throughput.gateway = r.rate;
    cpuLine('gateway', r.cpu);
    results.gatewayWindow = win.summary();
    log(`gateway: ${Math.round(r.rate)} readings/s; on average ${results.gatewayWindow.meanInFlight.toFixed(0)} messages in flight, a produce acknowledged by Kafka after ${results.gatewayWindow.meanProduceMs.toFixed(0)} ms (messages waiting for a batch included)`);
  } finally {
    await stopAgent(pub);
    results.rssMb.gatewayAlone = rss.stop();
    await stopPipeline(p, 'gateway-alone');
    await cleanup(env);
  }
}

/**
 * The writer alone drains a pre-filled readings topic: a producer running beside it
 * cannot keep up (kafkajs producing costs more CPU than the writer consuming, and
 * both share the 2 cores), so it would measure the producer. Two producers fill the
 * topic first (not measured), then the writer starts and the window runs until the
 * backlog is drained or the window ends.
 */
async function writerAlone(): Promise<void> {
  const env = pipelineEnv('wr');
  await createBucket(env.INFLUX_BUCKET!);
  await createTopic(env.READINGS_TOPIC!, 3);
  const total = Number(args['writer-records']);
  const half = Math.ceil(total / 2);
  const fillers = [0, 1].map((k) => agent('kafka-produce', { topic: env.READINGS_TOPIC, tenant: TENANT, devices: DEVICES, baseTime: BASE_TIME, allow: k === 0 ? half : total - half, seqStart: k * half, prefill: true }));
  const t0 = Date.now();
  try {
    while (fillers.reduce((s, f) => s + f.count, 0) < total) {
      if (fillers.some((f) => f.exitCode !== null)) throw new Error(`prefill producer exited\n${fillers.map((f) => f.output()).join('\n')}`);
      status(`writer: filling ${env.READINGS_TOPIC} ${fillers.reduce((s, f) => s + f.count, 0).toLocaleString('en')}/${total.toLocaleString('en')}`);
      await sleep(500);
    }
  } finally {
    await Promise.all(fillers.map(stopAgent));
  }
  log(`writer: ${total.toLocaleString('en')} readings in the topic after ${((Date.now() - t0) / 1000).toFixed(0)} s (not measured)`);
  const p = await startPipeline(env, { writer: true }, 'writer-alone');
  const rss = rssWatch(p.writer);
  try {
    const r = await sustain({ label: 'writer alone (Kafka backlog → InfluxDB)', processed: () => scrape(p.wrPort, 'klimatpuls_readings_written_total'), backlog: 0, total, warmupS: WARMUP, seconds: SECONDS, cpu: () => ({ ...stackPids(), writer: p.writer?.pid }) });
    results.throughput.writer = r.rate;
    results.windows = { ...results.windows, writer: r.seconds };
    cpuLine('writer', r.cpu);
    if (r.processed >= total) log(`writer: drained the backlog ${r.seconds.toFixed(0)} s into the window (raise --writer-records for a longer window)`);
  } finally {
    results.rssMb.writerAlone = rss.stop();
    await stopPipeline(p, 'writer-alone');
    await cleanup(env);
  }
}

/** Keeps the /metrics memory breakdown (V8 heap, external) of the moment a service's RSS was highest. */
function memoryWatch(port: number) {
  let best = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0 };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    fetch(`http://127.0.0.1:${port}/metrics`, { headers: OPERATOR_HEADERS, signal: AbortSignal.timeout(3000) })
      .then((r) => r.text())
      .then((t) => {
        const mb = (name: string) => metric(t, name) / 2 ** 20;
        const cur = { rss: mb('klimatpuls_process_resident_memory_bytes'), heapTotal: mb('klimatpuls_nodejs_heap_size_total_bytes'), heapUsed: mb('klimatpuls_nodejs_heap_size_used_bytes'), external: mb('klimatpuls_nodejs_external_memory_bytes') };
        if (cur.rss > best.rss) best = cur;
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, 2000);
  return { stop: () => (clearInterval(timer), best) };
}

async function endToEnd(readingsPerMessage = 1): Promise<void> {
  const name = readingsPerMessage === 1 ? 'e2e' : `e2e${readingsPerMessage}`;
  const env = pipelineEnv(name);
  await createBucket(env.INFLUX_BUCKET!);
  const p = await startPipeline(env, { gateway: true, writer: true }, readingsPerMessage === 1 ? 'end-to-end' : undefined);
  const rg = rssWatch(p.gateway);
  const rw = rssWatch(p.writer);
  const mg = memoryWatch(p.gwPort);
  const mw = memoryWatch(p.wrPort);
  const pub = agent('publisher', publisherConfig(name, { readingsPerMessage }));
  const label = `end to end (MQTT → InfluxDB${readingsPerMessage > 1 ? `, ${readingsPerMessage} readings per message` : ''})`;
  try {
    const r = await sustain({ label, load: pub, processed: () => scrape(p.wrPort, 'klimatpuls_readings_written_total'), backlog: 50_000, warmupS: WARMUP, seconds: SECONDS, cpu: () => ({ ...stackPids(), publisher: pub.pid, gateway: p.gateway?.pid, writer: p.writer?.pid }) });
    if (readingsPerMessage === 1) results.throughput.endToEnd = r.rate;
    else results.throughput.endToEnd4 = r.rate;
    cpuLine(readingsPerMessage === 1 ? 'e2e' : 'e2e-4', r.cpu);
  } finally {
    await stopAgent(pub);
    const g = rg.stop();
    const w = rw.stop();
    const memG = mg.stop();
    const memW = mw.stop();
    if (readingsPerMessage === 1) {
      results.rssMb.gateway = g;
      results.rssMb.writer = w;
      results.memory.gateway = memG;
      results.memory.writer = memW;
      const fmtMem = (m: typeof memG) => `RSS ${m.rss.toFixed(0)} MB = V8 heap ${m.heapTotal.toFixed(0)} MB (${m.heapUsed.toFixed(0)} used) + external ${m.external.toFixed(0)} MB + code, stacks, native`;
      log(`memory at the highest RSS: gateway ${fmtMem(memG)}; writer ${fmtMem(memW)}`);
    }
    await stopPipeline(p, readingsPerMessage === 1 ? 'end-to-end' : undefined);
    await cleanup(env);
  }
}

async function latency(): Promise<void> {
  const env = pipelineEnv('lat');
  await createBucket(env.INFLUX_BUCKET!);
  const p = await startPipeline(env, { gateway: true, writer: true });
  const published = new Map<number, number>();
  const pub = agent('publisher', publisherConfig('lat', { probeEvery: 50, allow: Infinity, rate: 0 }), (m) => {
    if (Array.isArray(m.probe)) published.set(m.probe[0] as number, m.probe[1] as number);
  });
  const seen = new Map<number, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t = Date.now();
      try {
        const rows = await queryRows(`from(bucket: "${env.INFLUX_BUCKET}") |> range(start: -60d) |> filter(fn: (r) => r._measurement == "readings" and r.site == "probe") |> keep(columns: ["_value"])`);
        for (const r of rows) {
          const seq = Number(r._value);
          if (!seen.has(seq)) seen.set(seq, t);
        }
      } catch {
        /* next poll */
      }
      await sleep(Math.max(0, 100 - (Date.now() - t)));
    }
  })();
  try {
    for (const rate of [1000, 5000]) {
      pub.send({ rate });
      const label = `latency at ${rate.toLocaleString('en')}/s`;
      const startCount = await scrape(p.wrPort, 'klimatpuls_readings_written_total');
      const tStart = Date.now();
      const warmEnd = tStart + 5000;
      const windowEnd = warmEnd + Math.min(SECONDS, 30) * 1000;
      while (Date.now() < windowEnd) {
        status(`${label}: ${((Date.now() - tStart) / 1000).toFixed(0)} s, ${seen.size} probes seen`);
        await sleep(500);
      }
      const written = await scrape(p.wrPort, 'klimatpuls_readings_written_total');
      const achieved = (written - startCount) / ((Date.now() - tStart) / 1000);
      const inWindow = [...published].filter(([, t]) => t >= warmEnd && t < windowEnd);
      // stragglers: keep the rate up to 20 s more until every probe of the window is queryable
      const until = Date.now() + 20_000;
      while (Date.now() < until && inWindow.some(([s]) => !seen.has(s))) await sleep(200);
      const lat = inWindow.map(([s, t]) => (seen.has(s) ? seen.get(s)! - t : Infinity)).sort((a, b) => a - b);
      const key = `at${rate}`;
      results.latency[key] = {
        rate, achieved, probes: lat.length,
        p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), max: lat[lat.length - 1] ?? NaN,
      };
      log(`${label}: achieved ${Math.round(achieved)}/s; ${lat.length} probes; p50 ${results.latency[key].p50} ms, p95 ${results.latency[key].p95} ms, p99 ${results.latency[key].p99} ms`);
    }
  } finally {
    polling = false;
    await poller;
    await stopAgent(pub);
    await stopPipeline(p);
    await cleanup(env);
  }
}

/** Replays a simulated city through gateway + writer; resolves when InfluxDB holds its truth. */
async function ingestCity(name: string, dir: string, env: Record<string, string>, truthCount: number): Promise<{ publishSeconds: number; ingestSeconds: number }> {
  await createBucket(env.INFLUX_BUCKET!);
  const p = await startPipeline(env, { gateway: true, writer: true });
  try {
    const t0 = Date.now();
    // klimatpuls replay FILE --speed 0 (the compiled CLI), as an operator would backfill
    const r = service('replay', { MQTT_URL: STACK.mqttUrl, ...STACK.mqttEnv, LOG_LEVEL: 'warn' }, { args: [join(dir, 'stream.ndjson'), '--speed', '0'] });
    let publishSeconds = 0;
    r.once('exit', () => (publishSeconds = (Date.now() - t0) / 1000));
    let stored = 0;
    while (stored < truthCount) {
      await sleep(2000);
      stored = await countPoints(env.INFLUX_BUCKET!).catch(() => stored);
      const el = (Date.now() - t0) / 1000;
      status(`${name}: ${el.toFixed(0)} s, ${stored.toLocaleString('en')}/${truthCount.toLocaleString('en')} readings stored (${Math.round(stored / el).toLocaleString('en')}/s)${publishSeconds ? `, published in ${publishSeconds.toFixed(0)} s` : ''}`);
      if (r.exitCode !== null && r.exitCode !== 0) throw new Error(`replay failed: ${r.output().slice(-2000)}`);
      if (Date.now() - t0 > 1_800_000) throw new Error(`${name}: not all readings stored after 30 min (${stored}/${truthCount})`);
    }
    const ingestSeconds = (Date.now() - t0) / 1000;
    if (r.exitCode === null) await new Promise((res) => r.once('exit', res));
    return { publishSeconds, ingestSeconds };
  } finally {
    await stopPipeline(p);
  }
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
const cityRoutes = DEFAULT_ROUTES.map(([f, n]) => `${f}=${n}`).join(',');

/** The CI year (simulators/scenarios/ci-year.json, every format and fault) ingested, then `klimatpuls report` timed. */
async function city(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-bench-city-'));
  const tenant = `${RUN}-year`;
  const scenario = { ...loadScenario(join(ROOT, 'simulators/scenarios/ci-year.json')), tenant };
  status('city: simulating ci-year');
  await simulateToFolder(scenario, dir, { quiet: true });
  const truth = lines(join(dir, 'truth.ndjson'));
  const messages = lines(join(dir, 'stream.ndjson'));
  const env = pipelineEnv('city', { DECODER_ROUTES: cityRoutes, REGISTRY_FILE: join(dir, 'registry.json') });
  try {
    const r = await ingestCity('city (ci-year)', dir, env, truth);
    // Kalmar's targets on the simulated city (as test/integration/indicatorsYear.test.ts does)
    const targetsDir = join(dir, 'targets');
    mkdirSync(targetsDir);
    const kalmar = JSON.parse(readFileSync(join(ROOT, 'services/indicators/targets/kalmar.json'), 'utf8'));
    writeFileSync(join(targetsDir, 'kalmar.json'), JSON.stringify({
      ...kalmar, tenant,
      targets: kalmar.targets.map((t: { baselineValue?: number; baselineYear: number; targetYear: number }) => ({ ...t, baselineYear: t.baselineValue === undefined ? 2025 : t.baselineYear, targetYear: Math.max(t.targetYear, 2027) })),
    }));
    status('city: klimatpuls report --city kalmar --quarter 2025Q3');
    const t0 = Date.now();
    const rep = service('report', { ...env, TARGETS_DIR: targetsDir, LOG_LEVEL: 'warn' }, { args: ['--city', 'kalmar', '--quarter', '2025Q3', '--lang', 'both', '--out', join(dir, 'reports')] });
    const code = await new Promise<number | null>((res) => rep.once('exit', (c) => res(c)));
    const reportSeconds = (Date.now() - t0) / 1000;
    if (code !== 0) throw new Error(`report failed (${code}): ${rep.output().slice(-2000)}`);
    results.city = { scenario: 'ci-year', messages, readings: truth, ingestSeconds: r.ingestSeconds, readingsPerSecond: truth / r.ingestSeconds, reportSeconds, quarter: '2025Q3' };
    log(`city: ci-year ${messages.toLocaleString('en')} messages, ${truth.toLocaleString('en')} readings stored in ${r.ingestSeconds.toFixed(0)} s (${Math.round(truth / r.ingestSeconds)}/s); report in ${reportSeconds.toFixed(1)} s`);
  } finally {
    await cleanup(env);
  }
}

/** A time-slice of the Kalmar-sized city (simulators/scenarios/kalmar.json) through the pipeline. */
async function kalmarSlice(): Promise<void> {
  const days = Number(args['kalmar-days']);
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-bench-kalmar-'));
  const scenario = { ...loadScenario(join(ROOT, 'simulators/scenarios/kalmar.json')), tenant: `${RUN}-kalmar`, days };
  status(`kalmar: simulating ${days} day(s)`);
  const g0 = Date.now();
  const stats = await simulateToFolder(scenario, dir, { quiet: true });
  const generateSeconds = (Date.now() - g0) / 1000;
  const env = pipelineEnv('kalmar', { DECODER_ROUTES: cityRoutes, REGISTRY_FILE: join(dir, 'registry.json') });
  try {
    const r = await ingestCity(`kalmar (${days} d)`, dir, env, stats.truth);
    results.kalmar = {
      days, devices: stats.devices, messages: stats.messages, readings: stats.truth, generateSeconds, publishSeconds: r.publishSeconds, ingestSeconds: r.ingestSeconds,
      daysPerMinute: days / (r.ingestSeconds / 60), readingsPerSecond: stats.truth / r.ingestSeconds,
    };
    log(`kalmar: ${stats.devices.toLocaleString('en')} devices, ${days} d = ${stats.messages.toLocaleString('en')} messages, ${stats.truth.toLocaleString('en')} readings stored in ${r.ingestSeconds.toFixed(0)} s: ${results.kalmar.daysPerMinute.toFixed(2)} city-days per minute`);
  } finally {
    await cleanup(env);
  }
}

// ---------------------------------------------------------------- report

const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

function evaluateFloors(): void {
  const t = results.throughput;
  if (t.gateway && t.bareMqttToKafka) results.ratios.gatewayVsBare = t.gateway / t.bareMqttToKafka;
  if (t.writer && t.bareInflux) results.ratios.writerVsBare = t.writer / t.bareInflux;
  const f = results.floors;
  if (t.endToEnd !== undefined) f.push({ floor: 'end to end ≥ 20,000 readings/s sustained (1 reading per message)', value: `${fmt(t.endToEnd)}/s`, met: t.endToEnd >= 20_000 });
  if (t.endToEnd4 !== undefined) f.push({ floor: 'end to end ≥ 20,000 readings/s sustained (4 readings per message)', value: `${fmt(t.endToEnd4)}/s`, met: t.endToEnd4 >= 20_000 });
  if (results.ratios.gatewayVsBare !== undefined) f.push({ floor: 'gateway ≥ 0.8 × bare MQTT → Kafka', value: `${results.ratios.gatewayVsBare.toFixed(2)} ×`, met: results.ratios.gatewayVsBare >= 0.8 });
  if (results.ratios.writerVsBare !== undefined) f.push({ floor: 'writer ≥ 0.8 × bare InfluxDB writes', value: `${results.ratios.writerVsBare.toFixed(2)} ×`, met: results.ratios.writerVsBare >= 0.8 });
  const l = results.latency.at5000;
  if (l) f.push({ floor: 'p99 latency < 2 s at 5,000 readings/s', value: `${fmt(l.p99)} ms (achieved ${fmt(l.achieved)}/s)`, met: l.p99 < 2000 && l.achieved >= 0.95 * 5000 });
  for (const s of ['gateway', 'writer'] as const) {
    const mb = results.rssMb[s];
    if (mb !== undefined) f.push({ floor: `${s} peak RSS < 200 MB at the sustained rate`, value: `${fmt(mb)} MB`, met: mb < 200 });
  }
}

function table(): string {
  const t = results.throughput;
  const rows: string[][] = [['measurement', 'result', 'bare baseline', 'ratio']];
  const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)} ×` : '—');
  rows.push(['bare MQTT publish → subscribe (Mosquitto, QoS 1)', `${fmt(t.bareMqtt)} msg/s`, '', '']);
  rows.push(['bare kafkajs produce → consume (acks=all, idempotent)', `${fmt(t.bareKafka)} rec/s`, '', '']);
  rows.push(['bare InfluxDB line protocol (official client)', `${fmt(t.bareInflux)} points/s`, '', '']);
  rows.push(['bare MQTT → Kafka bridge (no decode, no ack gate)', `${fmt(t.bareMqttToKafka)} msg/s`, '', '']);
  rows.push(['gateway alone: MQTT → Kafka', `${fmt(t.gateway)} readings/s`, `${fmt(t.bareMqttToKafka)} /s`, ratio(t.gateway, t.bareMqttToKafka)]);
  rows.push(['writer alone: Kafka → InfluxDB', `${fmt(t.writer)} readings/s`, `${fmt(t.bareInflux)} /s`, ratio(t.writer, t.bareInflux)]);
  rows.push([`end to end: MQTT publish → acknowledged in InfluxDB (${SECONDS} s, 1 reading/message)`, `${fmt(t.endToEnd)} readings/s`, '', '']);
  if (t.endToEnd4 !== undefined) rows.push([`end to end, 4 readings per message (a meter telegram)`, `${fmt(t.endToEnd4)} readings/s`, '', '']);
  for (const l of Object.values(results.latency)) rows.push([`latency publish → queryable at ${fmt(l.rate)}/s (achieved ${fmt(l.achieved)}/s, ${l.probes} probes)`, `p50 ${fmt(l.p50)} / p95 ${fmt(l.p95)} / p99 ${fmt(l.p99)} ms`, '', '']);
  const r = results.rssMb;
  if (r.gateway !== undefined) rows.push(['peak RSS at the sustained rate (end to end)', `gateway ${fmt(r.gateway)} MB, writer ${fmt(r.writer)} MB`, '', '']);
  if (r.gatewayAlone !== undefined || r.writerAlone !== undefined) rows.push(['peak RSS, each alone', `gateway ${fmt(r.gatewayAlone)} MB, writer ${fmt(r.writerAlone)} MB`, '', '']);
  if (results.city) rows.push([`CI year (${fmt(results.city.messages)} msgs, every format) ingest`, `${fmt(results.city.readingsPerSecond)} readings/s`, '', '']);
  if (results.city) rows.push([`klimatpuls report ${results.city.quarter} (sv + en) on it`, `${fmt(results.city.reportSeconds, 1)} s`, '', '']);
  if (results.kalmar) rows.push([`replay Kalmar (${fmt(results.kalmar.devices)} devices, ${results.kalmar.days} d slice)`, `${fmt(results.kalmar.daysPerMinute, 2)} city-days/min`, `${fmt(results.kalmar.readingsPerSecond)} readings/s`, '']);
  for (const [client, steps] of Object.entries(results.kafkaClients ?? {})) {
    for (const [step, m] of Object.entries(steps)) {
      const parts = Object.entries(m.cpuUsPerReading).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ');
      rows.push([`${step} on ${client}`, `${fmt(m.rate)} readings/s`, `CPU µs/reading: ${parts}`, '']);
    }
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  const out = [line(rows[0]!), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...rows.slice(1).map(line)];
  out.push('');
  out.push('| floor | measured | met |');
  out.push('|---|---|---|');
  for (const f of results.floors) out.push(`| ${f.floor} | ${f.value} | ${f.met ? 'yes' : '**no**'} |`);
  return out.join('\n');
}

// ---------------------------------------------------------------- main

const RUNNERS: Record<Step, () => Promise<void>> = {
  'bare-mqtt': bareMqtt, 'bare-kafka': bareKafka, 'bare-influx': bareInflux, 'bare-bridge': bareBridge,
  gateway: gatewayAlone, writer: writerAlone, e2e: () => endToEnd(1), 'e2e-4': () => endToEnd(4), latency, city, kalmar: kalmarSlice,
  'indicators-scale': indicatorsAtScale, 'peer-telegraf': peerAgainstTelegraf,
};

/** Klimatpuls and Telegraf on the same load in alternating windows (bench/peerTelegraf.ts). */
async function peerAgainstTelegraf(): Promise<void> {
  const base = pipelineEnv('peer');
  const r = await peerTelegraf({
    run: RUN, tenant: TENANT, kafkaClient, windows: Number(args['peer-windows']), warmup: WARMUP, seconds: Number(args['peer-seconds']),
    batchSize: Number(args['telegraf-batch']), maxUndelivered: Number(args['telegraf-undelivered']),
    publisherConfig: (name) => publisherConfig(name),
    startKlimatpuls: async (bucket, clientId) => {
      // INFLUX_CONTENT_ENCODING=identity: as Telegraf's influxdb_v2 output here (content_encoding = "identity")
      const p = await startPipeline({ ...base, INFLUX_BUCKET: bucket, MQTT_CLIENT_ID: clientId, INFLUX_CONTENT_ENCODING: 'identity' }, { gateway: true, writer: true });
      return { gateway: p.gateway!, writer: p.writer!, written: () => scrape(p.wrPort, 'klimatpuls_readings_written_total'), stop: () => stopPipeline(p) };
    },
    cleanupKlimatpuls: () => deleteTopics([base.READINGS_TOPIC!, base.DEADLETTER_TOPIC!]),
  });
  results.peerTelegraf = r;
  results.floors.push(...peerFloors(r));
  process.stdout.write(`\n${peerTable(r)}\n\n`);
}

async function indicatorsAtScale(): Promise<void> {
  const sizes = args['scale-sizes']!.split(',').map(Number);
  const days = Number(args['scale-days']);
  const stores = args['scale-stores']!.split(',') as Array<'duckdb' | 'influxdb'>;
  for (const s of sizes) if (!(s > 0 && s <= 1)) throw new Error(`--scale-sizes: shares of the Kalmar scenario in (0, 1], got ${s}`);
  for (const s of stores) if (s !== 'duckdb' && s !== 'influxdb') throw new Error(`--scale-stores: duckdb and/or influxdb, got ${s}`);
  const fill = args['scale-fill'];
  if (fill !== 'bulk' && fill !== 'store') throw new Error(`--scale-fill: bulk or store, got ${fill}`);
  const how = fill === 'store' ? "the store's writeReadings + rollups.markReadings in batches of 10,000" : "DuckDB: read_csv per simulated day into the readings table (no primary-key index), InfluxDB: the store's writeReadings; the window's days marked once (rollups.markRange)";
  log(`indicators-scale: the Kalmar scenario at ${sizes.join(', ')} of its devices, ${days} days, on ${stores.join(' and ')}; fill bypasses MQTT, Kafka and the decoders (the simulator's canonical readings; ${how})`);
  const dataDirs = args['scale-data']?.split(',').filter(Boolean);
  const phases = args['scale-phases']?.split(',') as Phase[] | undefined;
  for (const p of phases ?? []) if (!PHASES.includes(p)) throw new Error(`--scale-phases: of ${PHASES.join(', ')}, got ${p}`);
  if (dataDirs) log(`indicators-scale: on ${dataDirs.join(', ')}, filled and settled before; measured: ${(phases ?? MEASURED_PHASES).join(', ')}`);
  const rows = await indicatorsScale({ sizes, days, stores, run: RUN, fill, ...(dataDirs ? { dataDirs } : {}), ...(phases ? { phases } : {}) });
  results.indicatorsScale = rows;
  results.floors.push(...scaleFloors(rows));
  mkdirSync(RESULTS, { recursive: true });
  writeScaleChart(rows, join(RESULTS, 'indicators-scale.svg'));
  process.stdout.write(`\n${scaleTable(rows)}\n\n`);
}

async function main(): Promise<void> {
  const m = results.machine;
  log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  log(`Klimatpuls bench ${RUN}: ${m.cpus} × ${m.cpuModel}, ${m.memGb} GB (${Math.round(freemem() / 2 ** 30)} GB free), Node ${m.node}, Mosquitto ${m.mosquitto}, Kafka ${m.kafka}, InfluxDB ${m.influxdb}`);
  log(`stack: ${STACK.mqttUrl}, kafka ${STACK.kafka}, ${STACK.influxUrl}; windows ${WARMUP} s warm-up + ${SECONDS} s measured${Object.keys(results.settings).length ? `; service settings from the environment: ${JSON.stringify(results.settings)}` : ''}`);
  if (!args['no-build']) {
    status('compiling (tsc -p tsconfig.json → dist/)');
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  await ensureStack();
  // Messages queued for persistent sessions nobody uses any more (a killed test run's
  // gateway) make Mosquitto rewrite a large database every second (autosave_interval 1):
  // that would be measured as Mosquitto being slow.
  const db = join(process.env.KLIMATPULS_STACK_RUN ?? join(homedir(), '.cache/klimatpuls/stack/run'), 'mosquitto/data/mosquitto.db');
  const dbMb = existsSync(db) ? statSync(db).size / 2 ** 20 : 0;
  results.mosquittoDbMb = dbMb;
  if (dbMb > 10) log(`warning: Mosquitto's persistence file is ${dbMb.toFixed(0)} MB (messages queued for abandoned persistent sessions); it is rewritten every second and skews every MQTT figure`);
  REGISTRY = registryFile();
  const t0 = Date.now();
  for (const step of STEPS) {
    if (!only.has(step)) continue;
    const perClient = CLIENT_STEPS[step];
    const first: Partial<Results> = {};
    for (const client of perClient ? clients : [clients[0]!]) {
      kafkaClient = client;
      const s0 = Date.now();
      const label = perClient && clients.length > 1 ? `${step} on ${client}` : step;
      log(`▶ ${label}`);
      try {
        await RUNNERS[step]();
        if (perClient) recordClient(client, step, perClient);
      } catch (err) {
        results.errors[label] = (err as Error).stack ?? String(err);
        log(`✗ ${label} failed: ${(err as Error).message.slice(0, 2000)}`);
      }
      // The main table shows the first client; the others are in kafkaClients.
      if (client === clients[0]) Object.assign(first, { throughput: { ...results.throughput }, cpu: { ...results.cpu }, rssMb: { ...results.rssMb }, memory: { ...results.memory } });
      results.load[label] = loadavg()[0]!;
      log(`✓ ${label} (${((Date.now() - s0) / 1000).toFixed(0)} s, load average ${loadavg()[0]!.toFixed(2)})`);
    }
    if (perClient && clients.length > 1) Object.assign(results, first);
  }
  evaluateFloors();
  const text = table();
  process.stdout.write(`\n${text}\n\n`);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify({ ...results, durationSeconds: (Date.now() - t0) / 1000 }, null, 2)}\n`);
  // The throughput chart only when throughputs were measured (an --only indicators-scale run keeps the last one).
  if (Object.keys(results.throughput).length) writeFileSync(join(RESULTS, 'latest.svg'), renderChart(results));
  log(`wrote ${file} and the charts in bench/results/ (${((Date.now() - t0) / 60000).toFixed(1)} min)`);
  if (Object.keys(results.errors).length) process.exitCode = 1;
}

/**
 * Readings/s of a step and the CPU its pipeline processes spent per reading
 * (µs = % of one core / 100 / rate × 10⁶): gateway, writer, the Kafka broker, and
 * their sum (the load generators and InfluxDB are left out).
 */
function recordClient(client: KafkaClient, step: Step, keys: { throughput: 'gateway' | 'writer' | 'endToEnd'; cpu: string }): void {
  const rate = results.throughput[keys.throughput];
  const cpu = results.cpu[keys.cpu];
  if (!rate || !cpu) return;
  const us: Record<string, number> = {};
  for (const proc of ['gateway', 'writer', 'kafka']) if (cpu[proc] !== undefined) us[proc] = (cpu[proc]! / 100 / rate) * 1e6;
  us.pipeline = Object.values(us).reduce((a, b) => a + b, 0);
  ((results.kafkaClients ??= {})[client] ??= {})[step] = { rate, cpuUsPerReading: us };
  log(`${step} on ${client}: ${fmt(rate)} readings/s; CPU µs per reading ${Object.entries(us).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
}

process.on('SIGINT', () => {
  log('interrupted');
  process.exit(130);
});

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});

export type { Results };
