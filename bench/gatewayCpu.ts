/**
 * Network-free micro-benchmark of the gateway's CPU work per MQTT message: the
 * same MessageWork the gateway runs (services/gateway/messageWork.ts: decode →
 * normalize → readingId → bus records, prom-client telemetry, the ack gate's
 * in-flight gauge), optionally through the BatchingProducer into a producer that
 * acknowledges at once. No broker, no Kafka. Prints figures, asserts nothing.
 *
 *   npx tsx bench/gatewayCpu.ts [messages=200000] [native|native+batcher|mixed ...]
 *   node --cpu-prof --import tsx bench/gatewayCpu.ts 200000 native   (profile)
 *
 * Per case: wall and CPU µs per message (CPU includes GC helper threads: what the
 * gateway's %CPU shows), bytes allocated on the V8 heap per message (from the GC
 * profiler: used-heap growth between collections), GC count and GC time.
 */
import { GCProfiler } from 'node:v8';
import { BatchingProducer } from '../services/bus/batchingProducer.js';
import { createLogger } from '../services/core/logger.js';
import { Telemetry } from '../services/core/telemetry.js';
import { DEFAULT_ROUTES } from '../services/decoders/index.js';
import { DecoderRouter } from '../services/gateway/routing/decoderRouter.js';
import { FrameTimeCache } from '../services/gateway/frameTimeCache.js';
import { MessageWork } from '../services/gateway/messageWork.js';
import { DeviceRegistry } from '../services/registry/deviceRegistry.js';
import { mixedMessages, nativeDevices, nativeMessages, type BenchMessage } from './gatewayCpuMessages.js';

const N = Number(process.argv[2] ?? 200_000);
const CASES = process.argv.length > 3 ? process.argv.slice(3) : ['native', 'native+batcher', 'mixed'];
const WARMUP = 20_000;
const CHUNK = 2_000; // messages in flight at once in the batcher case

const mixed = mixedMessages();
const registry = new DeviceRegistry([...nativeDevices(), ...mixed.devices]);

function newWork(): MessageWork {
  return new MessageWork({
    processor: {
      router: new DecoderRouter(DEFAULT_ROUTES),
      registry,
      maxPayloadBytes: 256 * 1024,
      maxFutureMs: 300_000,
      minObservedAt: new Date('2000-01-01T00:00:00Z'),
      frameTimes: new FrameTimeCache(),
    },
    readingsTopic: 'readings',
    deadLetterTopic: 'deadletters',
    telemetry: new Telemetry({ defaultMetrics: false }),
  });
}

/** What Gateway.onMessage and the ack gate do with one message, the bus being `send`. */
function gatewayLoop(work: MessageWork, send: ((m: ReturnType<MessageWork['prepare']>) => Promise<void>) | undefined) {
  let inFlight = 0;
  return async (msgs: BenchMessage[], from: number, to: number): Promise<void> => {
    const waits: Promise<void>[] = [];
    for (let i = from; i < to; i++) {
      const msg = msgs[i % msgs.length]!;
      work.inFlight(++inFlight);
      const m = work.prepare(msg.topic, msg.payload);
      if (!send) {
        work.requestProduced(0.001);
        work.produced(m);
        work.inFlight(--inFlight);
        continue;
      }
      const t0 = performance.now();
      waits.push(send(m).then(() => {
        work.requestProduced((performance.now() - t0) / 1000);
        work.produced(m);
        work.inFlight(--inFlight);
      }));
      if (waits.length === CHUNK) await Promise.all(waits.splice(0));
    }
    await Promise.all(waits);
  };
}

async function measure(name: string, msgs: BenchMessage[], run: (msgs: BenchMessage[], from: number, to: number) => Promise<void>): Promise<void> {
  await run(msgs, 0, WARMUP);
  (globalThis as { gc?: () => void }).gc?.();
  const gc = new GCProfiler();
  gc.start();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(msgs, WARMUP, WARMUP + N);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const stats = gc.stop()!.statistics;
  let allocated = 0;
  let lastAfter = stats[0]?.beforeGC.heapStatistics.usedHeapSize ?? 0; // the first GC's growth is unknown: skipped
  let gcMs = 0;
  for (const s of stats) {
    allocated += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - lastAfter);
    lastAfter = s.afterGC.heapStatistics.usedHeapSize;
    gcMs += s.cost / 1000;
  }
  const perMsg = (x: number) => (x / N).toFixed(2);
  console.log(
    `${name.padEnd(15)} ${N} msgs  wall ${perMsg(wallMs * 1000)} µs/msg  cpu ${perMsg(cpu.user + cpu.system)} µs/msg  ` +
      `heap ${(allocated / N / 1024).toFixed(2)} KiB/msg  GCs ${stats.length} (${stats.filter((s) => s.gcType !== 'Scavenge').length} major)  GC ${perMsg(gcMs * 1000)} µs/msg`,
  );
}

const nullProducer = { connect: async () => {}, disconnect: async () => {}, send: async () => {} };

for (const c of CASES) {
  const work = newWork();
  if (c === 'native') await measure(c, nativeMessages(0, WARMUP + N), gatewayLoop(work, undefined));
  else if (c === 'mixed') await measure(c, mixed.messages, gatewayLoop(work, undefined));
  else if (c === 'native+batcher') {
    const batcher = new BatchingProducer(nullProducer, createLogger('silent'), { maxBatchRecords: 20_000 });
    await measure(c, nativeMessages(10_000_000, WARMUP + N), gatewayLoop(work, (m) => batcher.send(m.records)));
    batcher.stop();
  } else console.error(`unknown case ${c} (native, native+batcher, mixed)`);
}
