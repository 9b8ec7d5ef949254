import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_ROUTES } from '../../services/decoders/index.js';
import { DecoderRouter } from '../../services/gateway/routing/decoderRouter.js';
import { FrameTimeCache } from '../../services/gateway/frameTimeCache.js';
import { processMessage } from '../../services/gateway/messageProcessor.js';
import { DeviceRegistry } from '../../services/registry/deviceRegistry.js';
import { runId } from '../helpers/stack.js';
import { FaultPipeline, expectExact, note, prepareScenario, publishStream, rssKb, sampler, wire, type Sim } from './harness.js';
import { hostileMessages, type HostileMessage } from './hostile.js';

/**
 * Fault 7: 100,000 hostile messages (random bytes, payloads over MAX_PAYLOAD_BYTES,
 * deep JSON, wrong types, NaN and Infinity, huge numbers, invalid UTF-8, topic
 * injection, semantic nonsense) mixed into the city stream. Nothing crashes, every
 * hostile message is dead-lettered with a reason (one distinct dead-letter id per
 * distinct message sent; Kafka may hold a redelivered one twice, with the same id),
 * the gateway's memory stays bounded, and the city's readings are stored exactly as
 * the ground truth says.
 */
const id = runId('fho');
const HOSTILE = 100_000;
const HUGE = 100;
const MAX_PAYLOAD_BYTES = 256 * 1024;
/**
 * VmRSS bound of the gateway process (run from source with tsx, ~40 MB more than the
 * compiled service). The gateway holds up to MQTT_MAX_IN_FLIGHT messages, and a hundred
 * of these are 256–320 kB: ~300 MB was measured; the bound catches growth with the number
 * of messages, not that.
 */
const GATEWAY_RSS_BOUND_MB = 400;
// A catch-all route after the default ones, so topic injection such as klimatpuls/a/../b/up
// reaches the gateway (and must be refused there) instead of being ignored by the broker.
const ROUTES = [...DEFAULT_ROUTES.map(([f, n]) => `${f}=${n}`), 'klimatpuls/#=native'].join(',');
let sim: Sim;
let p: FaultPipeline;
let hostile: HostileMessage[];

beforeAll(async () => {
  sim = await prepareScenario(id);
  const registry = DeviceRegistry.fromFile(sim.registryFile);
  hostile = hostileMessages({ count: HOSTILE, seed: 7, tenant: id, devices: registry.all(), maxPayloadBytes: MAX_PAYLOAD_BYTES, huge: HUGE });
  p = await FaultPipeline.running(id, sim, { DECODER_ROUTES: ROUTES, MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES) });
});

afterAll(async () => {
  await p?.teardown();
});

it('the hostile messages are what they claim: none becomes a reading', () => {
  const registry = DeviceRegistry.fromFile(sim.registryFile);
  const opts = {
    router: new DecoderRouter(ROUTES.split(',').map((r) => r.split('=') as [string, string])),
    registry,
    maxPayloadBytes: MAX_PAYLOAD_BYTES,
    maxFutureMs: 300_000,
    minObservedAt: new Date('2000-01-01T00:00:00Z'),
    frameTimes: new FrameTimeCache(),
  };
  const readings: string[] = [];
  const notDead = new Map<string, number>();
  const byCategory = new Map<string, number>();
  for (const m of hostile) {
    byCategory.set(m.category, (byCategory.get(m.category) ?? 0) + 1);
    const r = processMessage(m.topic, m.payload, new Date(), opts);
    if (r.readings.length > 0) readings.push(`${m.category}: ${m.topic} ${m.payload.toString('utf8').slice(0, 200)}`);
    else if (!r.deadLetter) notDead.set(m.category, (notDead.get(m.category) ?? 0) + 1);
  }
  note(`hostile: ${hostile.length} messages: ${[...byCategory].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  if (notDead.size) note(`hostile: processMessage gives neither readings nor a dead letter for: ${JSON.stringify(Object.fromEntries(notDead))}`);
  expect(hostile).toHaveLength(HOSTILE);
  expect(readings.slice(0, 5)).toEqual([]);
});

it('dead-letters every one of 100,000 hostile messages with a reason, without crashing, with bounded memory, and stores the city exactly', async () => {
  const rss = sampler(() => rssKb(p.pid('gateway')), 250);
  // The city and the hostile messages interleaved: ~8 hostile ones per city message.
  const city = wire(sim.messages);
  const mixed: Array<{ topic: string; payload: Buffer }> = [];
  const per = Math.ceil(hostile.length / city.length);
  for (let i = 0, h = 0; i < city.length || h < hostile.length; i++) {
    if (i < city.length) mixed.push(city[i]!);
    for (let k = 0; k < per && h < hostile.length; k++) mixed.push(hostile[h++]!);
  }
  await publishStream(mixed, { label: 'hostile', steps: [{ until: mixed.length, rate: 5000 }] });
  const injected = hostile.map((m) => ({ topic: m.topic, ...(m.matchTopicOnly ? {} : { payloadBase64: m.payload.toString('base64') }) }));
  const { dead } = await expectExact(p, 'hostile', { injected, timeoutMs: 420_000 });
  await rss.stop();
  note(`hostile: gateway RSS at most ${(rss.max / 1024).toFixed(0)} MB (bound ${GATEWAY_RSS_BOUND_MB} MB); dead letters by reason ${JSON.stringify(dead.byReason)}`);
  expect(rss.max / 1024).toBeLessThan(GATEWAY_RSS_BOUND_MB);
});
