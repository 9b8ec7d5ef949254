import { afterAll, beforeAll, expect, it } from 'vitest';
import { runId } from '../helpers/stack.js';
import { FaultPipeline, expectExact, prepareScenario, publishStream, sleep, wire, type Sim } from './harness.js';

/**
 * Fault 1: the gateway is SIGKILLed twice while the city streams in, and
 * restarted each time after a second in which devices keep publishing (the
 * broker queues for its persistent session). It acknowledges an MQTT message only
 * after Kafka has everything it became, so the broker redelivers what was in
 * flight: InfluxDB must hold every reading exactly once.
 */
const id = runId('fgk');
let sim: Sim;
let p: FaultPipeline;

beforeAll(async () => {
  sim = await prepareScenario(id);
  p = await FaultPipeline.running(id, sim);
});

afterAll(async () => {
  await p?.teardown();
});

it('loses and duplicates nothing when the gateway is SIGKILLed twice mid-stream', async () => {
  const n = sim.messages.length;
  const kills: string[] = [];
  const killAndRestart = async () => {
    const r = await p.kill('gateway', 'SIGKILL');
    expect(r.signal).toBe('SIGKILL');
    kills.push(`SIGKILL after ${r.ms} ms`);
    await sleep(1000);
    await p.start('gateway');
  };
  await publishStream(wire(sim.messages), {
    label: 'gateway-kill',
    steps: [{ until: n, rate: 400 }],
    at: [
      { index: Math.floor(n * 0.3), action: killAndRestart },
      { index: Math.floor(n * 0.65), action: killAndRestart },
    ],
  });
  expect(kills).toHaveLength(2);

  await expectExact(p, 'gateway-kill');
});
