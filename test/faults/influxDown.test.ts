import { afterAll, beforeAll, expect, it } from 'vitest';
import { countPoints, runId } from '../helpers/stack.js';
import { FaultPipeline, expectExact, metricValue, note, prepareScenario, publishStream, rssKb, sampler, sleep, stackCtl, wire, type Sim } from './harness.js';

/**
 * Fault 4: InfluxDB is stopped for 60 s mid-stream and started again. The writer
 * retries its batch (nothing is committed), stops fetching more than it holds, keeps
 * its group membership with heartbeats, and keeps its memory bounded while readings
 * pile up in Kafka; then it catches up. The city is three times the usual size and
 * streams at ~1,000 readings/s, so the backlog during the outage (~60,000 readings,
 * tens of MB of JSON) would show in the writer's RSS if it buffered it.
 */
const id = runId('fid');
/**
 * VmRSS bounds of the writer process (tsx from source adds ~40 MB to the compiled
 * service). While InfluxDB is down the writer holds what it fetched (at most
 * WRITER_MAX_QUEUED readings and one fetch) while ~60,000 readings pile up in Kafka.
 * Catching up, it writes at full speed and V8 lets its heap grow lazily (the bench
 * measured ~420 MB draining a backlog at 100,000 readings/s), hence the second bound.
 */
const WRITER_RSS_BOUND_MB = 300;
const WRITER_RSS_CATCH_UP_BOUND_MB = 450;
let sim: Sim;
let p: FaultPipeline;

beforeAll(async () => {
  sim = await prepareScenario(id, { scale: 3 });
  p = await FaultPipeline.running(id, sim);
});

afterAll(async () => {
  await stackCtl('up', 'influxdb').catch(() => {});
  await p?.teardown();
});

it('pauses with bounded memory while InfluxDB is down for 60 s, then catches up, losing nothing', async () => {
  const n = sim.messages.length;
  const rss = sampler(() => rssKb(p.pid('writer')), 250);
  const lag = sampler(async () => metricValue(await p.metrics('writer'), 'klimatpuls_consumer_lag_messages', 'service="writer"'), 1000);
  let outage = 0;
  let down: [number, number] = [0, 0];
  let storedDuring: number[] = [];
  await publishStream(wire(sim.messages), {
    label: 'influx-down',
    steps: [{ until: n, rate: 500 }],
    at: [
      {
        index: Math.floor(n * 0.1),
        action: async () => {
          await stackCtl('down', 'influxdb');
          const t0 = Date.now();
          await sleep(60_000);
          down = [t0, Date.now()];
          await stackCtl('up', 'influxdb');
          outage = Date.now() - t0;
          storedDuring = [await countPoints(p.bucket)];
        },
      },
    ],
  });
  expect(outage).toBeGreaterThanOrEqual(60_000);
  const t0 = Date.now();
  const verdict = await expectExact(p, 'influx-down');
  await rss.stop();
  await lag.stop();
  const first = rss.samples[0]?.kb ?? 0;
  const whileDown = Math.max(...rss.samples.filter((s) => s.t >= down[0] && s.t <= down[1]).map((s) => s.kb));
  note(`influx-down: writer RSS ${(first / 1024).toFixed(0)} MB at start, at most ${(whileDown / 1024).toFixed(0)} MB while InfluxDB was down (bound ${WRITER_RSS_BOUND_MB} MB), `
    + `at most ${(rss.max / 1024).toFixed(0)} MB in all (bound ${WRITER_RSS_CATCH_UP_BOUND_MB} MB); `
    + `consumer lag at most ${lag.max}; ${storedDuring[0]} stored when InfluxDB came back; caught up ${((Date.now() - t0) / 1000).toFixed(0)} s after the stream ended`);
  expect(lag.max, 'a backlog built up in Kafka while InfluxDB was down').toBeGreaterThan(10_000);
  expect(whileDown / 1024, 'writer RSS while InfluxDB was down').toBeLessThan(WRITER_RSS_BOUND_MB);
  expect(rss.max / 1024, 'writer RSS over the whole case').toBeLessThan(WRITER_RSS_CATCH_UP_BOUND_MB);
  expect(verdict.stored.stored).toBe(sim.truth.length);
});
