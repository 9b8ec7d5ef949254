import { afterAll, beforeAll, expect, it } from 'vitest';
import { runId } from '../helpers/stack.js';
import { FaultPipeline, expectExact, metricValue, note, prepareScenario, publishStream, sampler, wire, type Sim } from './harness.js';

/**
 * Fault 6: a burst of 10× the normal rate for 30 s (300 → 3,000 messages/s, about
 * 6,000 readings/s). The pipeline must slow its intake, not drop: the gateway never
 * holds more than MQTT_MAX_IN_FLIGHT unacknowledged messages (sampled from its
 * /metrics every 50 ms), the rest waits in Mosquitto, and in the end every reading
 * is stored exactly once. MQTT_MAX_IN_FLIGHT is small (50) so that the burst
 * fills the window (messages arrive faster than Kafka acknowledges them) even on a
 * machine fast enough to absorb the burst: the test checks that it did.
 */
const id = runId('fbu');
const MAX_IN_FLIGHT = 50;
const NORMAL = 300;
let sim: Sim;
let p: FaultPipeline;

beforeAll(async () => {
  sim = await prepareScenario(id, { scale: 7.7 });
  p = await FaultPipeline.running(id, sim, { MQTT_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT) });
});

afterAll(async () => {
  await p?.teardown();
});

it('slows intake rather than dropping under a 10× burst for 30 s', async () => {
  const n = sim.messages.length;
  const burstStart = 10 * NORMAL;
  const burstEnd = burstStart + 30 * NORMAL * 10;
  expect(n).toBeGreaterThan(burstEnd);
  const metrics = async () => p.metrics('gateway');
  const inFlight = sampler(async () => metricValue(await metrics(), 'klimatpuls_in_flight_messages', 'service="gateway"'), 50);
  let backlogAfterBurst = 0;
  const r = await publishStream(wire(sim.messages), {
    label: 'burst',
    window: 1000,
    steps: [
      { until: burstStart, rate: NORMAL },
      { until: burstEnd, rate: NORMAL * 10 },
      { until: n, rate: NORMAL },
    ],
    at: [
      {
        index: burstEnd,
        action: async (stream) => {
          const got = metricValue(await metrics(), 'klimatpuls_messages_received_total', 'service="gateway"') ?? 0;
          backlogAfterBurst = stream.acked() - got;
        },
      },
    ],
  });
  note(`burst: publish rates ${r.rates.map((x) => x.toFixed(0)).join(' / ')} msg/s; ${backlogAfterBurst} messages waiting in Mosquitto when the burst ended; `
    + `gateway in flight at most ${inFlight.max} (MQTT_MAX_IN_FLIGHT ${MAX_IN_FLIGHT}, ${inFlight.samples.length} samples)`);
  expect(r.rates[1]).toBeGreaterThan(NORMAL * 10 * 0.8); // the burst really was ~10×
  await expectExact(p, 'burst');
  await inFlight.stop();
  expect(inFlight.samples.length).toBeGreaterThan(100);
  expect(inFlight.max, 'the burst filled the unacknowledged window (else it tested nothing)').toBeGreaterThanOrEqual(MAX_IN_FLIGHT * 0.8);
  expect(inFlight.max).toBeLessThanOrEqual(MAX_IN_FLIGHT);
});
