import { afterAll, beforeAll, expect, it } from 'vitest';
import { runId } from '../helpers/stack.js';
import { FaultPipeline, expectExact, metricValue, note, prepareScenario, publishStream, sleep, stackCtl, wire, type Sim } from './harness.js';

/**
 * Fault 5: Mosquitto is restarted twice mid-stream. The first time the gateway
 * is working: it must reconnect and resubscribe by itself. The second time the
 * gateway is frozen (SIGSTOP) for a few seconds first, so thousands of messages
 * sit queued in the broker for its persistent session when the broker goes down;
 * Mosquitto persists them (persistence on, autosave_interval 1 and a save on
 * shutdown, see deploy/stack/stack.sh) and delivers them after the restart. The
 * publishing devices reconnect and resend what the broker had not acknowledged.
 */
const id = runId('fmq');
let sim: Sim;
let p: FaultPipeline;

beforeAll(async () => {
  sim = await prepareScenario(id);
  p = await FaultPipeline.running(id, sim);
});

afterAll(async () => {
  try {
    process.kill(p.pid('gateway'), 'SIGCONT');
  } catch {
    /* not stopped, or gone */
  }
  await stackCtl('up', 'mosquitto').catch(() => {});
  await p?.teardown();
});

const received = async () => metricValue(await p.metrics('gateway'), 'klimatpuls_messages_received_total', 'service="gateway"') ?? 0;

it('loses and duplicates nothing when Mosquitto restarts, with messages queued for the gateway', async () => {
  const n = sim.messages.length;
  let queuedAtRestart = 0;
  await publishStream(wire(sim.messages), {
    label: 'mosquitto-restart',
    steps: [{ until: n, rate: 300 }],
    at: [
      { index: Math.floor(n * 0.25), block: false, action: () => stackCtl('restart', 'mosquitto') },
      {
        index: Math.floor(n * 0.55),
        action: async (stream) => {
          const before = await received();
          const gw = p.pid('gateway');
          process.kill(gw, 'SIGSTOP');
          note('gateway frozen (SIGSTOP): the broker queues for its session');
          await sleep(8000);
          queuedAtRestart = stream.acked() - before; // in Mosquitto, not yet taken by the gateway
          await stackCtl('restart', 'mosquitto');
          process.kill(gw, 'SIGCONT');
          note('gateway resumed (SIGCONT)');
        },
      },
    ],
  });
  note(`mosquitto-restart: ${queuedAtRestart} messages were queued for the gateway at the second restart`);
  expect(queuedAtRestart).toBeGreaterThan(1000);
  await expectExact(p, 'mosquitto-restart');
  expect(await received()).toBeGreaterThanOrEqual(n);
});
