/**
 * How much the embedded broker (aedes) holds for a persistent QoS 1 session whose
 * subscriber does not read (the gateway paused by backpressure), while tenants flood it.
 * Prints RSS, heap, the session's queued messages and how many PUBLISHes were acknowledged.
 *   npx tsx bench/aedesBacklog.ts [messages] [payloadBytes] [publishers]
 * BENCH_BOUND_MB: the session backlog bound (sessionBacklog.ts; unset: none, as aedes alone);
 * BENCH_DISCONNECT=1: the gateway disconnects after 3 s; BENCH_WAIT_MS: how long to flood.
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';

process.on('uncaughtException', (err) => {
  console.log(`CRASH: ${err.name}: ${err.message}`);
  process.exit(1);
});
const TOTAL = Number(process.argv[2] ?? 40_000);
const SIZE = Number(process.argv[3] ?? 8_000);
const PUBS = Number(process.argv[4] ?? 3);

import { SessionBacklog } from '../services/broker/sessionBacklog.js';
const BOUND = Number(process.env.BENCH_BOUND_MB ?? 0) * 1024 * 1024;
const backlog = new SessionBacklog({ maxBytes: BOUND || Infinity, maxBytesPerTenant: BOUND || Infinity });
const broker = await Aedes.createBroker({ id: 'bench', authorizePublish: (c, p, done) => backlog.admit(c as never, p.topic, () => done(null)) });
backlog.attach((broker as unknown as { persistence: Parameters<SessionBacklog['attach']>[0] }).persistence);
const server = createServer((s) => broker.handle(s));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
const persistence = (broker as unknown as { persistence: { outgoingStream(c: { id: string }): AsyncIterable<unknown> } }).persistence;

// the "gateway": persistent session, subscribes, then stops reading its socket
const sub = await mqtt.connectAsync(url, { clientId: 'gw', clean: false, protocolVersion: 4 });
await sub.subscribeAsync('t/#', { qos: 1 });
let received = 0;
sub.on('message', () => received++);
// like the gateway's ack gate: take 2,000 messages, then stop calling back (mqtt.js stops reading)
const held: Array<() => void> = [];
sub.handleMessage = (_p, cb) => (received < 2000 ? cb() : held.push(() => cb()));

let acked = 0;
const t0 = Date.now();
const publishers = await Promise.all(Array.from({ length: PUBS }, (_, i) => mqtt.connectAsync(url, { clientId: `p${i}`, protocolVersion: 4 })));
const payload = Buffer.alloc(SIZE, 0x61);
const run = publishers.map(async (p, i) => {
  const inFlight = new Set<Promise<unknown>>();
  for (let n = i; n < TOTAL; n += PUBS) {
    while (inFlight.size >= 300) await Promise.race(inFlight);
    const pr = p.publishAsync(`t/${i}/${n}`, payload, { qos: 1 }).then(() => acked++).finally(() => inFlight.delete(pr));
    inFlight.add(pr);
  }
  await Promise.all(inFlight);
});
const queued = async () => {
  let n = 0;
  for await (const _ of persistence.outgoingStream({ id: 'gw' })) n++;
  return n;
};
const report = async (label: string) => {
  const m = process.memoryUsage();
  console.log(`${label} t=${((Date.now() - t0) / 1000).toFixed(1)}s acked=${acked}/${TOTAL} received=${received} queued=${await queued()} (${(backlog.bytes / 1e6).toFixed(1)} MB counted, ${backlog.paused} paused) rss=${(m.rss / 1e6).toFixed(0)}MB heap=${(m.heapUsed / 1e6).toFixed(0)}MB ext+ab=${((m.external + m.arrayBuffers) / 1e6).toFixed(0)}MB`);
};
const timer = setInterval(() => void report('  '), 2000);
// BENCH_DISCONNECT=1: the held gateway's connection drops after 3 s (its session goes offline)
if (process.env.BENCH_DISCONNECT) setTimeout(() => sub.end(true), 3000);
await Promise.race([Promise.all(run), new Promise((r) => setTimeout(r, Number(process.env.BENCH_WAIT_MS ?? 30_000)))]);
await report('published');
clearInterval(timer);
let drainer = sub;
if (process.env.BENCH_DISCONNECT) {
  drainer = await mqtt.connectAsync(url, { clientId: 'gw', clean: false, protocolVersion: 4 });
  drainer.on('message', () => received++);
} else {
  sub.handleMessage = (_p, cb) => cb();
  held.splice(0).forEach((f) => f());
}
const tDrain = Date.now();
while (received < TOTAL && Date.now() - tDrain < 120_000) await new Promise((r) => setTimeout(r, 200));
await report('drained');
for (const p of publishers) p.end(true);
sub.end(true);
drainer.end(true);
await new Promise<void>((r) => broker.close(() => r()));
server.close();
