/**
 * One phase of the indicators-scale bench, in a process of its own so its peak RSS
 * is its own (process.resourceUsage().maxRSS, which includes DuckDB's native memory):
 *   fill     the scaled Kalmar scenario, straight into the sink's store (bulk path: no
 *            MQTT, no Kafka, no decoding — the simulator's canonical readings), then
 *            the window's days marked for the rollups
 *   settle   the rollups rebuilt (every marked day, then the months)
 *   month    every indicator for 2025-01 with the weeks (and days, when listed) of
 *            INDICATOR_PERIODS that overlap it: what the scheduler recomputes for a
 *            dirty month (default week,month,quarter,year: the weeks and the month;
 *            the quarter is the next phase)
 *   quarter  every indicator for 2025Q1, stored with its provenance as the scheduler stores it
 *   report   the 2025Q1 follow-up (sv + en: HTML, CSV, JSON), as `klimatpuls report` builds it:
 *            the quarter phase's stored values where current, the rest computed
 * The measured phases wire the engine as the services do (buildRegistry on
 * REGISTRY_FILE = the scenario's registry, buildIndicatorsApp(...).engine(settings)).
 * Prints one JSON line: { phase, ms, maxRssMb, ... }.
 *   tsx bench/indicatorsAgent.ts <phase> '<json: {store, dataDir, bucket, influxUrl, scale, days}>'
 * The fill leaves DATA_FILE in the data directory: what `--scale-data DIR` needs to
 * measure on it later (the store, InfluxDB's bucket and URL, devices and readings).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../services/core/config.js';
import { createLogger } from '../services/core/logger.js';
import type { CanonicalReading } from '../services/core/reading.js';
import { buildRegistry } from '../services/app/components.js';
import { buildIndicatorsApp, targetsFor } from '../services/app/indicatorsApp.js';
import type { IndicatorEngine } from '../services/indicators/engine.js';
import { parsePeriod, periodsBetween, type Period, type PeriodKind } from '../services/indicators/periods.js';
import type { IndicatorSettings } from '../services/indicators/types.js';
import type { Device } from '../services/registry/deviceRegistry.js';
import { buildReports } from '../services/report/buildReport.js';
import { withMemoryDefaults } from '../services/app/memoryDefaults.js';
import { ReportValues } from '../services/report/reportValues.js';
import { provenanceOf } from '../services/indicators/scheduler.js';
import type { Sink } from '../services/sinks/types.js';
import { writeReport } from '../services/report/writeReport.js';
import { buildSink } from '../services/sinks/index.js';
import { BulkLoader } from '../services/sinks/bulkLoad.js';
import { cityDevices } from '../simulators/city/devices.js';
import { DeviceModel } from '../simulators/city/model.js';
import { loadScenario } from '../simulators/city/scenario.js';
import { seededRandom } from '../services/core/random.js';
import { STACK } from '../test/helpers/stack.js';
import { DATA_FILE, type FilledData } from './indicatorsScale.js';

export interface AgentConfig {
  store: 'duckdb' | 'influxdb';
  dataDir: string;
  bucket?: string;
  /** The InfluxDB the bucket is in (default: the stack's, STACK.influxUrl). */
  influxUrl?: string;
  scale: number;
  days: number;
  /** bulk (default): DuckDB by read_csv, InfluxDB by writeReadings; store: both by the store's writeReadings + markReadings. */
  fill?: 'bulk' | 'store';
}

export const START = Date.parse('2025-01-01T00:00:00+01:00');
const TENANT = 'kalmar';
const HOUR = 3_600_000;

/** The services' environment for a phase on `o`'s store (InfluxDB: its URL and bucket). */
export function env(o: AgentConfig, phase = ''): Record<string, string> {
  // The fill may use 8 GB of DuckDB memory (the primary-key index of tens of millions of
  // readings); the measured phases run with the product's settings, as `npm start` does
  // (config.ts defaults, or DUCKDB_* of the agent's environment).
  const duckdb = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('DUCKDB_') && v !== undefined)) as Record<string, string>;
  const base = { DATA_DIR: o.dataDir, REGISTRY_FILE: join(o.dataDir, 'registry.json'), LOG_LEVEL: 'warn', ...duckdb, ...(phase === 'fill' ? { DUCKDB_MEMORY_LIMIT_BYTES: String(8192 * 1024 * 1024) } : {}) };
  return o.store === 'duckdb' ? base : { ...base, INFLUX_URL: o.influxUrl ?? STACK.influxUrl, INFLUX_TOKEN: STACK.influxToken, INFLUX_ORG: STACK.influxOrg, INFLUX_BUCKET: o.bucket! };
}

/** The Kalmar scenario's devices, each family scaled (at least one of each). */
export function scaledDevices(scale: number) {
  const s = loadScenario('simulators/scenarios/kalmar.json');
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  const d = s.devices;
  const scenario = { ...s, tenant: TENANT, devices: { ...d, electricityMeters: n(d.electricityMeters), heatMeters: n(d.heatMeters), wasteContainers: n(d.wasteContainers), countingPoints: n(d.countingPoints), temperatureSensors: Math.max(1, Math.round(d.temperatureSensors * Math.max(scale, 1 / 3))) } };
  return { scenario, devices: cityDevices(scenario, seededRandom(scenario.seed)) };
}

/**
 * The bulk path (services/sinks/bulkLoad.ts BulkLoader, which the demo history of `npm start` uses too): the simulator's canonical readings (DeviceModel truth: what the
 * decoders would store), hour by hour. DuckDB: a CSV per simulated day loaded with
 * one INSERT OR REPLACE … FROM read_csv (the same table, the same reading ids:
 * sha256 as services/core/reading.ts readingIdOf, computed in SQL), in a table
 * made before the store opens it with the store's columns but without the
 * primary-key index: ids are unique by construction, and maintaining the index of
 * 55 M random ids held the fill to ~20,000–30,000 readings/s (through the store's
 * own writeReadings or INSERT OR REPLACE alike). The measured phases only read,
 * and never through that index. InfluxDB: the store's own writeReadings (line protocol), 3 batches in flight.
 */
async function fill(o: AgentConfig) {
  const { scenario, devices } = scaledDevices(o.scale);
  mkdirSync(o.dataDir, { recursive: true });
  // The registry as the simulator writes it (simulateCommand.ts): what REGISTRY_FILE points the services to.
  writeFileSync(join(o.dataDir, 'registry.json'), JSON.stringify({ devices: devices.map((d) => d.registry) }));
  const sink = await buildSink(loadConfig(env(o, 'fill')));
  const csvFill = o.store === 'duckdb' && (o.fill ?? 'bulk') === 'bulk';
  const viaStore = (o.fill ?? 'bulk') === 'store';
  if (csvFill) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(join(o.dataDir, 'klimatpuls.duckdb'));
    const c = await db.connect();
    await c.run(`CREATE TABLE IF NOT EXISTS readings (
        id VARCHAR NOT NULL, tenant VARCHAR NOT NULL, device_id VARCHAR NOT NULL, site VARCHAR,
        kind VARCHAR NOT NULL, metric VARCHAR NOT NULL, channel VARCHAR, value DOUBLE NOT NULL,
        unit VARCHAR NOT NULL, observed_at TIMESTAMPTZ NOT NULL, received_at TIMESTAMPTZ NOT NULL,
        format VARCHAR NOT NULL, decoder_version VARCHAR NOT NULL, topic VARCHAR NOT NULL)`);
    c.closeSync();
    db.closeSync();
  }
  await sink.store.init();
  const models = devices.map((d) => new DeviceModel(d, seededRandom(scenario.seed ^ d.n)));
  const weather = (day: number) => 6 * (seededRandom(scenario.seed * 31 + day)() - 0.5);
  // The store path marks each batch's days as the writer does; the bulk path marks the window once at the end.
  const loader = new BulkLoader({ sink, dir: o.dataDir, csv: csvFill, source: { format: 'native', decoderVersion: 'bench', topic: 'bench' }, batchSize: viaStore ? 10_000 : 50_000, ...(viaStore ? { onWritten: (b: CanonicalReading[]) => sink.rollups.markReadings(b) } : {}) });
  const steps = o.days * 24;
  const t0 = Date.now();
  for (let k = 1; k <= steps; k++) {
    const t = new Date(START + k * HOUR);
    const ms = t.getTime();
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i]!.registry;
      for (const tr of models[i]!.step(t, 1, weather(Math.floor((k * HOUR) / 86_400_000))).truth) await loader.add(d, tr.metric, tr.channel, tr.value, ms);
    }
    if (k % 24 === 0) {
      await loader.flush();
      process.stderr.write(`  fill ${o.store} ×${o.scale}: day ${k / 24}/${o.days}, ${loader.written.toLocaleString('en')} readings, ${Math.round(loader.written / ((Date.now() - t0) / 1000)).toLocaleString('en')}/s\n`);
    }
  }
  await loader.finish();
  const written = loader.written;
  if (!viaStore) await sink.rollups.markRange(TENANT, START, START + (o.days + 1) * 86_400_000);
  await sink.store.close();
  const filled: FilledData = { store: o.store, ...(o.bucket ? { bucket: o.bucket, influxUrl: o.influxUrl ?? STACK.influxUrl } : {}), scale: o.scale, days: o.days, devices: devices.length, readings: written };
  writeFileSync(join(o.dataDir, DATA_FILE), JSON.stringify(filled));
  return { devices: devices.length, readings: written, readingsPerSecond: Math.round(written / ((Date.now() - t0) / 1000)), fillPath: csvFill ? 'duckdb read_csv' : 'store writeReadings' };
}

/** Devices and readings of a filled data directory: the row of a bench run on data filled before (DATA_FILE, else counted in DuckDB). */
async function describe(o: AgentConfig) {
  if (existsSync(join(o.dataDir, DATA_FILE))) {
    const f = JSON.parse(readFileSync(join(o.dataDir, DATA_FILE), 'utf8')) as FilledData;
    return { devices: f.devices, readings: f.readings };
  }
  const devices = (JSON.parse(readFileSync(join(o.dataDir, 'registry.json'), 'utf8')) as { devices: unknown[] }).devices.length;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(join(o.dataDir, 'klimatpuls.duckdb'));
  const c = await db.connect();
  const readings = Number((await c.runAndReadAll('SELECT count(*) FROM readings')).getRows()[0]![0]);
  c.closeSync();
  db.closeSync();
  return { devices, readings };
}

/** The engine as `klimatpuls report` and the scheduler get it: the registry of REGISTRY_FILE, buildIndicatorsApp, the city's settings. */
async function withEngine<T>(o: AgentConfig, fn: (engine: IndicatorEngine, devices: Device[], sink: Sink) => Promise<T>): Promise<T> {
  const c = loadConfig(env(o));
  const logger = createLogger('warn');
  const sink = await buildSink(c, { logger });
  await sink.store.init();
  const registry = buildRegistry(c);
  const targets = targetsFor(c, TENANT);
  try {
    const app = buildIndicatorsApp(c, { sink, registry, logger });
    return await fn(app.engine(targets.settings as Partial<IndicatorSettings>), registry.all().filter((d) => d.tenant === targets.tenant), sink);
  } finally {
    await sink.store.close();
  }
}

/** The day, week and month periods the scheduler recomputes for a dirty 2025-01 (INDICATOR_PERIODS). */
export function monthPeriods(kinds: readonly PeriodKind[]): Period[] {
  const m = parsePeriod('2025-01');
  return kinds.filter((k) => k === 'day' || k === 'week' || k === 'month').flatMap((kind) => periodsBetween(kind, m.start, m.end));
}

async function main() {
  const [phase, json] = process.argv.slice(2);
  const o = JSON.parse(json!) as AgentConfig;
  // The measured phases run with the memory settings `klimatpuls report` and `indicators` start with (services/app/memoryDefaults.ts).
  if ((phase === 'month' || phase === 'quarter' || phase === 'report') && (await withMemoryDefaults())) return;
  const t0 = Date.now();
  let out: Record<string, unknown> = {};
  if (phase === 'fill') out = await fill(o);
  else if (phase === 'describe') out = await describe(o);
  else if (phase === 'settle') {
    const sink = await buildSink(loadConfig(env(o)));
    await sink.store.init();
    out = await sink.rollups.settle({ tenant: TENANT, onDay: (done, total) => process.stderr.write(`  settle ${o.store} ×${o.scale}: day ${done}/${total}\n`) });
    await sink.store.close();
  } else if (phase === 'month' || phase === 'quarter') {
    const periods = phase === 'month' ? monthPeriods(loadConfig(env(o)).INDICATOR_PERIODS) : [parsePeriod('2025Q1')];
    out = await withEngine(o, async (engine, _devices, sink) => {
      const provenance = provenanceOf(engine);
      const values = await engine.computeEach(TENANT, periods, (v) => sink.indicators.write(v, provenance));
      return { periods: periods.length, values };
    });
  } else if (phase === 'report') {
    out = await withEngine(o, async (engine, devices, sink) => {
      const targets = targetsFor(loadConfig(env(o)), TENANT);
      const values = new ReportValues({ engine, tenant: TENANT, store: sink.indicators, marks: sink.rollups });
      let files = 0;
      for (const data of await buildReports({ engine, values, targets, quarter: parsePeriod('2025Q1'), devicesRegistered: devices.length, figures: sink.figures }, ['sv', 'en'])) {
        files += Object.keys(await writeReport(data, join(o.dataDir, 'report'))).length;
      }
      return { files, reused: values.reused, computed: values.computed };
    });
  } else throw new Error(`unknown phase ${phase}`);
  const u = process.resourceUsage();
  // CPU seconds of this process (user + system; DuckDB's threads included): the machine is shared, wall time is not all ours.
  process.stdout.write(`${JSON.stringify({ phase, ms: Date.now() - t0, cpuS: Math.round((u.userCPUTime + u.systemCPUTime) / 1e5) / 10, maxRssMb: Math.round(u.maxRSS / 1024), ...out })}\n`);
}

if (process.argv[1]?.endsWith('indicatorsAgent.ts')) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
