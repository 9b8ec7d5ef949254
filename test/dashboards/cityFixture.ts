import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../services/core/logger.js';
import { TelemetryToInflux } from '../../services/sinks/influx/telemetryToInflux.js';
import { IndicatorEngine } from '../../services/indicators/engine.js';
import { indicators } from '../../services/indicators/index.js';
import { influxIndicatorStore } from '../../services/sinks/influx/influxIndicatorStore.js';
import type { IndicatorStore } from '../../services/core/storePorts.js';
import { parsePeriod, periodsBetween, type Period } from '../../services/indicators/periods.js';
import { influxSource } from '../../services/sinks/influx/influxReadingSource.js';
import { DeviceRegistry } from '../../services/registry/deviceRegistry.js';
import { loadScenario } from '../../simulators/city/scenario.js';
import { simulateToFolder } from '../../simulators/city/simulateCommand.js';
import { replay } from '../../services/tools/replay.js';
import { startPipeline } from '../helpers/pipeline.js';
import { STACK, countPoints, deleteBucket, queryRows, runId, waitFor } from '../helpers/stack.js';

/**
 * The CI scenario (simulators/scenarios/ci-small.json, every fault) replayed
 * through a real pipeline into its own bucket, its indicators computed and stored
 * in measurement `indicators` (as the scheduler does), and a few `pipeline`
 * points written by TelemetryToInflux: everything the dashboards query.
 */
export interface CityFixture {
  tenant: string;
  bucket: string;
  dir: string;
  registry: DeviceRegistry;
  engine: IndicatorEngine;
  store: IndicatorStore;
  /** The scenario's time range (readings and indicators), and the first instant after its data. */
  scenario: { from: Date; to: Date; end: Date };
  /** Around the test run (pipeline figures, archived dead letters: written at "now"). */
  live: { from: Date; to: Date };
  periods: Period[];
  stop(): Promise<void>;
}

const ndjsonLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
/** Distinct lines: a bad message sent twice (same topic, same bytes) is one dead letter, by id. */
const distinctNdjsonLines = (file: string) => new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean)).size;

export async function startCityFixture(): Promise<CityFixture> {
  const started = new Date(Date.now() - 60_000);
  const tenant = runId('dash');
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-dash-'));
  const scenario = { ...loadScenario('simulators/scenarios/ci-small.json'), tenant };
  await simulateToFolder(scenario, dir, { quiet: true });
  const p = await startPipeline({ registryFile: join(dir, 'registry.json') });
  const logger = createLogger('error');
  // The services' own figures, every second while the scenario streams in (as TELEMETRY_INTERVAL_MS does in production)
  const telemetry = new TelemetryToInflux({ telemetry: p.telemetry, url: STACK.influxUrl, token: STACK.influxToken, org: STACK.influxOrg, bucket: p.bucket, intervalMs: 1000, logger });
  telemetry.start();
  try {
    await replay({ file: join(dir, 'stream.ndjson'), mqttUrl: STACK.mqttUrl, ...STACK.mqttAuth, speed: 0, progress: false });
    const truth = ndjsonLines(join(dir, 'truth.ndjson'));
    const dead = distinctNdjsonLines(join(dir, 'expected-deadletters.ndjson'));
    await waitFor('the scenario in InfluxDB', () => countPoints(p.bucket), (n) => n >= truth, 180_000);
    await waitFor('the archived dead letters', () => countPoints(p.bucket, 'dead_letters', 'count'), (n) => n >= dead, 180_000);
    // The writer samples its consumer lag every 5 s and the telemetry reaches InfluxDB a
    // second later: wait for a sample saying it has caught up (on a busy machine a fixed
    // pause left a lag sample from mid-replay as the newest, and the lag alert fired).
    const lastLag = `from(bucket: "${p.bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "pipeline" and r.service == "writer" and r._field == "consumer_lag") |> group() |> last()`;
    await waitFor('the writer’s consumer lag sample 0', () => queryRows(lastLag), (rows) => rows.length === 1 && Number(rows[0]!._value) === 0, 60_000);
  } catch (err) {
    await p.stop().catch(() => {});
    throw err;
  } finally {
    await telemetry.stop();
  }

  const registry = DeviceRegistry.fromFile(join(dir, 'registry.json'));
  const influx = { url: STACK.influxUrl, token: STACK.influxToken, org: STACK.influxOrg, bucket: p.bucket };
  const engine = new IndicatorEngine({ source: influxSource({ ...influx, measurement: 'readings' }, registry.all()), devices: registry.all(), indicators });
  const store = influxIndicatorStore({ ...influx, measurement: 'indicators', periodStart: (period) => parsePeriod(period).start });
  const from = new Date(scenario.start);
  // counters are stamped at the end of their interval: the last step's readings lie on start + days
  const end = new Date(from.getTime() + scenario.days * 86_400_000 + 3_600_000);
  // The periods the scheduler stores by default (week, month, quarter, year) that overlap the scenario.
  const periods = (['week', 'month', 'quarter', 'year'] as const).flatMap((k) => periodsBetween(k, from.getTime(), end.getTime()));
  await store.write(await engine.computeAll(tenant, periods));

  return {
    tenant, bucket: p.bucket, dir, registry, engine, store, periods,
    // 6 h past the last reading: every device is silent by then (the silence panels have rows)
    scenario: { from, to: new Date(end.getTime() + 6 * 3_600_000), end },
    live: { from: started, to: new Date(Date.now() + 60_000) },
    async stop() {
      await p.stop();
      if (!process.env.KEEP_DASHBOARD_BUCKET) await deleteBucket(p.bucket).catch(() => {});
    },
  };
}
