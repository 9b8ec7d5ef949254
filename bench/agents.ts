/**
 * Load generators and bare-component baselines for bench/run.ts, each a child
 * process (so they get a core of their own when one is free, like the services):
 *
 *   publisher       MQTT QoS 1 publisher of native one-reading messages; closed loop
 *                   (publishes up to an allowance the parent raises as the system under
 *                   test catches up) or open loop at a fixed rate; latency probes
 *   mqtt-sub        bare MQTT: a QoS 1 subscriber that only counts
 *   bridge          bare MQTT → Kafka: QoS 1 subscriber forwarding payloads to an
 *                   idempotent kafkajs producer (acks=all), batched while a send is in
 *                   flight; no decoding, PUBACK at once (it would lose data on a crash)
 *   kafka-produce   idempotent kafkajs producer of canonical-reading records (closed loop)
 *   kafka-consume   bare Kafka consumer: counts records
 *   influx-write    bare InfluxDB: line protocol through the official client's WriteApi
 *
 * Configuration: JSON in the environment variable AGENT (see the Config types).
 * Progress goes to the parent over IPC: {count} every 100 ms, {probe: [seq, t]} for
 * latency probes, {done} at the end. The parent sends {allow: n}, {rate: r} or {stop: true}.
 */
import { InfluxDB } from '@influxdata/influxdb-client';
import { CompressionTypes, Kafka, Partitioners, logLevel } from 'kafkajs';
import mqtt from 'mqtt';
import { readingId } from '../services/core/reading.js';

interface Common {
  role: string;
  mqttUrl: string;
  /** The stack's pipeline user (1883 takes no anonymous client). */
  mqttAuth: { username?: string; password?: string };
  kafka: string;
  influxUrl: string;
  influxToken: string;
  influxOrg: string;
}
interface PublisherConfig extends Common {
  tenant: string;
  devices: number;
  /** Observed time of seq 0 (ms); a device's readings are 1 s apart. */
  baseTime: number;
  /** Every n-th message is a latency probe (device probe-k, value = seq). */
  probeEvery?: number;
  /** Readings per message (1: the worst case, every reading pays for an MQTT message). */
  readingsPerMessage?: number;
  clientId: string;
  window?: number;
}
interface SubConfig extends Common {
  filter: string;
  clientId: string;
  topic?: string;
}
interface KafkaConfig extends Common {
  topic: string;
  tenant: string;
  devices: number;
  baseTime: number;
  groupId?: string;
  /** First sequence number (several producers fill disjoint ranges). */
  seqStart?: number;
  /** Fill a topic as fast as possible (no idempotence, acks=1, 4 requests in flight): the writer bench's backlog. */
  prefill?: boolean;
}
interface InfluxConfig extends Common {
  bucket: string;
  tenant: string;
  devices: number;
  baseTime: number;
}

const cfg = JSON.parse(process.env.AGENT ?? '{}') as Common & Record<string, unknown>;
const send = (m: unknown) => process.send?.(m);
let allow = typeof cfg.allow === 'number' ? cfg.allow : Infinity;
let rate = typeof cfg.rate === 'number' ? cfg.rate : 0;
let stopping = false;
process.on('message', (m: { allow?: number; rate?: number; stop?: boolean }) => {
  if (m.allow !== undefined) allow = m.allow;
  if (m.rate !== undefined) rate = m.rate;
  if (m.stop) stopping = true;
});
process.on('disconnect', () => process.exit(0));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the pipeline would get: a native message with one energy register reading. */
const EXTRA_METRICS = ['energy_export_total', 'power', 'battery'];

export function nativeMessage(c: { tenant: string; devices: number; baseTime: number; probeEvery?: number; readingsPerMessage?: number }, seq: number): { topic: string; payload: string; probe: boolean } {
  const probe = c.probeEvery !== undefined && seq % c.probeEvery === 0;
  const device = probe ? `probe-${Math.floor(seq / c.probeEvery!) % 3}` : `dev-${seq % c.devices}`;
  const t = probe ? c.baseTime + seq : c.baseTime + Math.floor(seq / c.devices) * 1000;
  let readings = `{"metric":"energy_total","value":${seq}}`;
  // a meter telegram: import and export registers, power, ... (at most 4 readings)
  for (let k = 1; k < Math.min(4, c.readingsPerMessage ?? 1); k++) readings += `,{"metric":"${EXTRA_METRICS[k - 1]}","value":${(seq % 97) + k}}`;
  return { topic: `klimatpuls/${c.tenant}/${device}/up`, payload: `{"time":${t},"readings":[${readings}]}`, probe };
}

/** The canonical reading the gateway would make of nativeMessage(seq). */
export function canonicalRecord(c: { tenant: string; devices: number; baseTime: number }, seq: number, receivedAt: string): { key: string; value: string } {
  const deviceId = `dev-${seq % c.devices}`;
  const observedAt = new Date(c.baseTime + Math.floor(seq / c.devices) * 1000).toISOString();
  const base = { tenant: c.tenant, deviceId, metric: 'energy_total' as const, observedAt };
  const r = {
    id: readingId(base), ...base, site: `site-${seq % c.devices}`, kind: 'electricity_meter', value: seq, unit: 'kWh', receivedAt,
    source: { format: 'native', decoderVersion: '1.0.0', topic: `klimatpuls/${c.tenant}/${deviceId}/up` },
  };
  return { key: `${c.tenant}/${deviceId}`, value: JSON.stringify(r) };
}

function reportEvery(get: () => number): NodeJS.Timeout {
  return setInterval(() => send({ count: get() }), 100);
}

async function publisher(c: PublisherConfig): Promise<void> {
  const client = await mqtt.connectAsync(c.mqttUrl, { ...c.mqttAuth, clientId: c.clientId, reconnectPeriod: 500 });
  const window = c.window ?? 1000;
  let inFlight = 0;
  let acked = 0;
  let seq = 0;
  let wake: (() => void) | undefined;
  const timer = reportEvery(() => acked);
  const started = Date.now();
  let rateStart = Date.now();
  let rateBase = 0;
  let lastRate = rate;
  while (!stopping) {
    if (rate !== lastRate) {
      lastRate = rate;
      rateStart = Date.now();
      rateBase = seq;
    }
    if (rate > 0) {
      const due = rateStart + ((seq - rateBase) * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 1) await sleep(wait);
    } else if (seq >= allow) {
      await sleep(5);
      continue;
    }
    if (inFlight >= window) {
      await new Promise<void>((r) => (wake = r));
      continue;
    }
    const m = nativeMessage(c, seq);
    if (m.probe) send({ probe: [seq, Date.now()] });
    inFlight++;
    client.publish(m.topic, m.payload, { qos: 1 }, () => {
      inFlight--;
      acked++;
      const w = wake;
      wake = undefined;
      w?.();
    });
    seq++;
    // let IPC messages in now and then
    if ((seq & 255) === 0) await new Promise((r) => setImmediate(r));
  }
  while (inFlight > 0) await sleep(10);
  clearInterval(timer);
  await client.endAsync();
  send({ count: acked, done: true, seconds: (Date.now() - started) / 1000 });
}

async function mqttSub(c: SubConfig): Promise<void> {
  const client = await mqtt.connectAsync(c.mqttUrl, { ...c.mqttAuth, clientId: c.clientId, clean: true });
  let n = 0;
  client.on('message', () => void n++);
  await client.subscribeAsync(c.filter, { qos: 1 });
  send({ ready: true });
  const timer = reportEvery(() => n);
  while (!stopping) await sleep(50);
  clearInterval(timer);
  await client.endAsync();
  send({ count: n, done: true });
}

async function bridge(c: SubConfig): Promise<void> {
  const kafka = new Kafka({ clientId: 'bare-bridge', brokers: [c.kafka], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let pending: Array<{ key: string; value: Buffer }> = [];
  let sending = false;
  let acked = 0;
  const pump = () => {
    if (sending || pending.length === 0) return;
    sending = true;
    const batch = pending.splice(0, 20_000);
    producer
      .sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic: c.topic!, messages: batch }] })
      .then(() => void (acked += batch.length), () => void pending.unshift(...batch))
      .finally(() => {
        sending = false;
        pump();
      });
  };
  const client = await mqtt.connectAsync(c.mqttUrl, { ...c.mqttAuth, clientId: c.clientId, clean: false });
  client.on('message', (topic, payload) => {
    pending.push({ key: topic, value: payload });
    pump();
  });
  await client.subscribeAsync(c.filter, { qos: 1 });
  send({ ready: true });
  const timer = reportEvery(() => acked);
  while (!stopping) await sleep(50);
  clearInterval(timer);
  await client.endAsync();
  await producer.disconnect();
  send({ count: acked, done: true });
}

async function kafkaProduce(c: KafkaConfig): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-producer', brokers: [c.kafka], logLevel: logLevel.NOTHING });
  const fast = c.prefill === true;
  const producer = kafka.producer(fast ? { idempotent: false, maxInFlightRequests: 4, createPartitioner: Partitioners.DefaultPartitioner } : { idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const first = c.seqStart ?? 0;
  let seq = first;
  let acked = 0;
  const timer = reportEvery(() => acked);
  const receivedAt = new Date().toISOString();
  const inFlight = new Set<Promise<void>>();
  while (!stopping) {
    if (acked >= allow || seq - first >= allow) {
      await sleep(5);
      continue;
    }
    // 2,000 records (~900 kB) per request: under the broker's 1 MB per-partition batch limit
    const n = Math.min(2000, Math.max(1, allow - (seq - first)));
    const messages = Array.from({ length: n }, (_, i) => canonicalRecord(c, seq + i, receivedAt));
    seq += n;
    const p = producer
      .sendBatch({ acks: fast ? 1 : -1, compression: CompressionTypes.None, topicMessages: [{ topic: c.topic, messages }] })
      .then(() => void (acked += n))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    while (inFlight.size >= (fast ? 4 : 1)) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  clearInterval(timer);
  await producer.disconnect();
  send({ count: acked, done: true });
}

async function kafkaConsume(c: KafkaConfig): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-consumer', brokers: [c.kafka], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: c.groupId!, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topics: [c.topic], fromBeginning: true });
  let n = 0;
  await consumer.run({ autoCommit: true, eachBatch: async ({ batch }) => void (n += batch.messages.length) });
  send({ ready: true });
  const timer = reportEvery(() => n);
  while (!stopping) await sleep(50);
  clearInterval(timer);
  await consumer.disconnect();
  send({ count: n, done: true });
}

async function influxWrite(c: InfluxConfig): Promise<void> {
  let acked = 0;
  const api = new InfluxDB({ url: c.influxUrl, token: c.influxToken }).getWriteApi(c.influxOrg, c.bucket, 'ms', {
    batchSize: 5000,
    flushInterval: 0,
    maxBufferLines: 200_000,
    maxRetries: 5,
    gzipThreshold: 1000,
    writeSuccess: (lines: string[]) => void (acked += lines.length),
  });
  const timer = reportEvery(() => acked);
  let seq = 0;
  while (!stopping) {
    // at most 4 batches written and not yet acknowledged: a closed loop like the writer's
    if (seq - acked >= 20_000) {
      await sleep(2);
      continue;
    }
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++, seq++) {
      const d = seq % c.devices;
      // the writer's line shape (services/store/influxStore.ts readingToLine), as raw text
      lines.push(`readings,device=dev-${d},kind=electricity_meter,site=site-${d},tenant=${c.tenant} energy_total=${seq} ${c.baseTime + Math.floor(seq / c.devices) * 1000}`);
    }
    api.writeRecords(lines);
    await new Promise((r) => setImmediate(r));
  }
  await api.close();
  clearInterval(timer);
  send({ count: acked, done: true });
}

const roles: Record<string, () => Promise<void>> = {
  publisher: () => publisher(cfg as unknown as PublisherConfig),
  'mqtt-sub': () => mqttSub(cfg as unknown as SubConfig),
  bridge: () => bridge(cfg as unknown as SubConfig),
  'kafka-produce': () => kafkaProduce(cfg as unknown as KafkaConfig),
  'kafka-consume': () => kafkaConsume(cfg as unknown as KafkaConfig),
  'influx-write': () => influxWrite(cfg as unknown as InfluxConfig),
};

if (process.argv[1]?.endsWith('agents.ts') && process.argv[2]) {
  const role = roles[process.argv[2]];
  if (!role) {
    process.stderr.write(`unknown agent ${process.argv[2]}\n`);
    process.exit(2);
  }
  role().then(
    () => setTimeout(() => process.exit(0), 100),
    (err) => {
      process.stderr.write(`agent ${process.argv[2]}: ${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
