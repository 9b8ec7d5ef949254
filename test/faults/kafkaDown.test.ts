import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../services/core/config.js';
import { runId } from '../helpers/stack.js';
import { FaultPipeline, expectExact, metricValue, note, prepareScenario, publishStream, sampler, sleep, stackCtl, wire, type Sim } from './harness.js';

/**
 * Fault 3: the Kafka broker is stopped for 30 s mid-stream and started again.
 * The gateway cannot produce: its sends are retried, its unacknowledged MQTT
 * messages reach MQTT_MAX_IN_FLIGHT and it stops reading, so Mosquitto queues the
 * rest for its persistent session. The writer's consumer loses its broker and
 * must come back by itself. Afterwards InfluxDB must hold every reading once.
 */
const id = runId('fkd');
/** The gateway's bound on unacknowledged messages (its default, which this case does not change). */
const MAX_IN_FLIGHT = loadConfig({}).MQTT_MAX_IN_FLIGHT;
let sim: Sim;
let p: FaultPipeline;

beforeAll(async () => {
  sim = await prepareScenario(id);
  p = await FaultPipeline.running(id, sim);
});

afterAll(async () => {
  await stackCtl('up', 'kafka').catch(() => {}); // whatever happened, leave the stack up
  await p?.teardown();
});

it('loses and duplicates nothing when Kafka is down for 30 s', async () => {
  const n = sim.messages.length;
  const inFlight = sampler(async () => metricValue(await p.metrics('gateway'), 'klimatpuls_in_flight_messages', 'service="gateway"'), 250);
  let outage = 0;
  await publishStream(wire(sim.messages), {
    label: 'kafka-down',
    steps: [{ until: n, rate: 150 }],
    at: [
      {
        index: Math.floor(n * 0.2),
        action: async () => {
          await stackCtl('down', 'kafka');
          const t0 = Date.now();
          await sleep(30_000);
          await stackCtl('up', 'kafka');
          outage = Date.now() - t0;
        },
      },
    ],
  });
  await inFlight.stop();
  note(`kafka-down: Kafka was down for ${(outage / 1000).toFixed(1)} s; gateway in flight at most ${inFlight.max} (MQTT_MAX_IN_FLIGHT ${MAX_IN_FLIGHT}); ${p.logSummary()}`);
  expect(outage).toBeGreaterThanOrEqual(30_000);
  expect(inFlight.max).toBeLessThanOrEqual(MAX_IN_FLIGHT);

  await expectExact(p, 'kafka-down');
});
