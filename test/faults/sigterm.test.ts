import { afterAll, beforeAll, expect, it } from 'vitest';
import { runId } from '../helpers/stack.js';
import { FaultPipeline, expectExact, metricValue, note, prepareScenario, publishStream, sleep, wire, type Sim } from './harness.js';

/**
 * `stop()` drains: SIGTERM to the gateway and then to the writer while the city
 * streams in at a rate that keeps both busy. The gateway stops taking messages,
 * waits for what it has in flight to be acknowledged by Kafka and PUBACKs it, and
 * exits 0 well within DRAIN_TIMEOUT_MS; the writer finishes and commits its batch
 * and exits 0. Restarted, they lose nothing and store nothing twice.
 */
const id = runId('fst');
const DRAIN_TIMEOUT_MS = 15_000;
let sim: Sim;
let p: FaultPipeline;

beforeAll(async () => {
  sim = await prepareScenario(id);
  p = await FaultPipeline.running(id, sim, { DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS), LOG_LEVEL: 'info' });
});

afterAll(async () => {
  await p?.teardown();
});

it('loses nothing when gateway and writer get SIGTERM under load (stop() drains)', async () => {
  const n = sim.messages.length;
  const stops: Array<{ name: string; code: number | null; ms: number; inFlight: number | undefined }> = [];
  const stopAndRestart = (name: 'gateway' | 'writer') => async () => {
    const inFlight = name === 'gateway' ? metricValue(await p.metrics('gateway'), 'klimatpuls_in_flight_messages', 'service="gateway"') : undefined;
    const r = await p.kill(name, 'SIGTERM', DRAIN_TIMEOUT_MS + 15_000);
    stops.push({ name, code: r.code, ms: r.ms, inFlight });
    expect(r.hung, `${name} did not exit after SIGTERM (SIGKILLed after ${r.ms} ms)\n${r.output.slice(-3000)}`).toBe(false);
    expect(r.code, r.output.slice(-3000)).toBe(0);
    expect(r.ms).toBeLessThan(DRAIN_TIMEOUT_MS);
    expect(r.output).not.toMatch(/drain timed out/);
    if (name === 'gateway') expect(r.output).toMatch(/gateway stopped/);
    if (name === 'writer') expect(r.output).toMatch(/writer stopped/);
    await sleep(1000);
    await p.start(name);
  };
  await publishStream(wire(sim.messages), {
    label: 'sigterm',
    steps: [{ until: n, rate: 5000 }], // above what the pipeline takes: the gateway is saturated
    at: [
      // The gateway is stopped while messages keep arriving (they stay in Mosquitto for its
      // session); the writer while the stream pauses, so the restarted gateway has a backlog.
      { index: Math.floor(n * 0.35), action: stopAndRestart('gateway') },
      { index: Math.floor(n * 0.7), block: true, action: stopAndRestart('writer') },
    ],
  });
  note(`sigterm: ${stops.map((s) => `${s.name} exit ${s.code} after ${s.ms} ms${s.inFlight !== undefined ? ` (${s.inFlight} in flight)` : ''}`).join('; ')}`);
  expect(stops).toHaveLength(2);
  await expectExact(p, 'sigterm');
});
