import { afterAll, beforeAll, expect, it } from 'vitest';
import { runId } from '../helpers/stack.js';
import { FaultPipeline, expectExact, prepareScenario, publishStream, sleep, wire, type Sim } from './harness.js';

/**
 * Fault 2: the writer is SIGKILLed mid-stream and restarted. It commits a Kafka
 * offset only after InfluxDB acknowledged the batch, so the restarted writer reads
 * again from the last commit; the points it writes a second time overwrite
 * themselves (their identity comes from the reading). InfluxDB must hold every
 * reading exactly once.
 */
const id = runId('fwk');
let sim: Sim;
let p: FaultPipeline;

beforeAll(async () => {
  sim = await prepareScenario(id);
  p = await FaultPipeline.running(id, sim);
});

afterAll(async () => {
  await p?.teardown();
});

it('loses and duplicates nothing when the writer is SIGKILLed mid-stream', async () => {
  const n = sim.messages.length;
  let killed = false;
  await publishStream(wire(sim.messages), {
    label: 'writer-kill',
    steps: [{ until: n, rate: 400 }],
    at: [
      {
        index: Math.floor(n * 0.4),
        action: async () => {
          const r = await p.kill('writer', 'SIGKILL');
          expect(r.signal).toBe('SIGKILL');
          killed = true;
          await sleep(2000); // readings pile up in Kafka meanwhile
          await p.start('writer');
        },
      },
    ],
  });
  expect(killed).toBe(true);

  await expectExact(p, 'writer-kill');
});
