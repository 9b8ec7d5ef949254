import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndicatorEngine } from '../../services/indicators/engine.js';
import { indicators } from '../../services/indicators/index.js';
import { parsePeriod } from '../../services/indicators/periods.js';
import { loadTargets } from '../../services/indicators/targets/targets.js';
import type { IndicatorValue } from '../../services/indicators/types.js';
import { DeviceRegistry } from '../../services/registry/deviceRegistry.js';
import { buildReportData } from '../../services/report/buildReport.js';
import { writeReport } from '../../services/report/writeReport.js';
import { loadScenario } from '../../simulators/city/scenario.js';
import { simulateToFolder } from '../../simulators/city/simulateCommand.js';
import { replay } from '../../services/tools/replay.js';
import { startPipeline } from '../helpers/pipeline.js';
import { compareEngines } from '../helpers/compareEngines.js';
import { influxSourceOn } from '../helpers/sinks.js';
import { reading, sourceWith } from '../../services/indicators/testing.js';
import { periodsBetween } from '../../services/indicators/periods.js';
import type { MetricName } from '../../services/core/metrics.js';
import { STACK, countPoints, deleteBucket, queryRows, runId, waitFor } from '../helpers/stack.js';
import { degreeDays, energyUse, flows, loadTruth, months, peakPower, wastePerHousehold, type Truth } from '../helpers/truthIndicators.js';

/**
 * A simulated year (simulators/scenarios/ci-year.json: every month, both DST
 * changes, duplicates, reordering, late batches, a meter replacement) goes
 * through the real stack; the indicators computed from what InfluxDB stored must
 * equal the values computed from the simulator's ground truth within 0.5 %.
 */
const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-year-'));
const tenant = runId('year');
let bucket = '';
let truth: Truth;
let engine: IndicatorEngine;
let registry: DeviceRegistry;
let influx: Awaited<ReturnType<typeof influxSourceOn>>;
let stop: () => Promise<void> = async () => {};

beforeAll(async () => {
  const scenario = { ...loadScenario('simulators/scenarios/ci-year.json'), tenant };
  await simulateToFolder(scenario, dir, { quiet: true });
  truth = loadTruth(dir);
  const truthCount = readFileSync(join(dir, 'truth.ndjson'), 'utf8').split('\n').filter(Boolean).length;
  const p = await startPipeline({ registryFile: join(dir, 'registry.json') });
  bucket = p.bucket;
  stop = () => p.stop();
  await replay({ file: join(dir, 'stream.ndjson'), mqttUrl: STACK.mqttUrl, ...STACK.mqttAuth, speed: 0, progress: false });
  await waitFor('a year of readings in InfluxDB', () => countPoints(bucket), (n) => n >= truthCount, 600_000);
  registry = DeviceRegistry.fromFile(join(dir, 'registry.json'));
  const start = Date.parse(scenario.start);
  influx = await influxSourceOn(bucket, registry.all(), { tenant, from: start - 86_400_000, to: start + (scenario.days + 1) * 86_400_000 });
  engine = new IndicatorEngine({ source: influx.source, devices: registry.all(), indicators });
}, 900_000);

afterAll(async () => {
  await stop();
  if (bucket) await deleteBucket(bucket).catch(() => {});
});

const within = (actual: number | undefined, expected: number, what: string) => {
  expect(actual, what).toBeDefined();
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(1e-6, 0.005 * Math.abs(expected)));
};
const entity = (vs: IndicatorValue[], e: string) => vs.find((v) => v.entity === e);

describe('indicators of a simulated year equal the ground truth (within 0.5 %)', () => {
  const year = months(2025);

  it('energy use per building and month (registers, DST months, a meter replacement)', async () => {
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.faults['counter resets']).toBeGreaterThan(0);
    let resets = 0;
    for (const m of year) {
      const got = await engine.compute('energy_use', tenant, parsePeriod(m.label));
      for (const [site, kwh] of energyUse(truth, m.start, m.end)) {
        const v = entity(got, site);
        within(v?.value, kwh, `energy_use ${site} ${m.label}`);
        expect(v!.sufficient).toBe(true);
        resets += Number(v!.details?.resets ?? 0);
      }
    }
    expect(resets).toBeGreaterThan(0); // the replacement was seen as a reset, not negative use
  });

  it('peak power per building and month', async () => {
    for (const m of year) {
      const got = await engine.compute('peak_power', tenant, parsePeriod(m.label));
      for (const [site, kw] of peakPower(truth, m.start, m.end)) within(entity(got, site)?.value, kw, `peak_power ${site} ${m.label}`);
    }
  });

  it('degree-days per month', async () => {
    for (const m of year) {
      const got = entity(await engine.compute('degree_days', tenant, parsePeriod(m.label)), '*');
      within(got?.value, degreeDays(truth, m.start, m.end), `degree_days ${m.label}`);
    }
  });

  it('bike flows, bicycle share and waste per household per month', async () => {
    for (const m of year) {
      const p = parsePeriod(m.label);
      const bikes = flows(truth, 'bike_counter', m.start, m.end);
      const cars = flows(truth, 'vehicle_counter', m.start, m.end);
      const got = await engine.compute('cycle_flow', tenant, p);
      for (const [point, n] of bikes) within(entity(got, point)?.value, n, `cycle_flow ${point} ${m.label}`);
      let b = 0;
      let c = 0;
      for (const [point, n] of cars) {
        b += bikes.get(point) ?? 0;
        c += n;
      }
      within(entity(await engine.compute('bicycle_share', tenant, p), '*')?.value, (100 * b) / (b + c), `bicycle_share ${m.label}`);
      within(entity(await engine.compute('waste_per_household', tenant, p), '*')?.value, wastePerHousehold(truth, m.start, m.end), `waste_per_household ${m.label}`);
    }
  });

  it('klimatpuls report writes the 2025Q3 follow-up (HTML, CSV, JSON) with a status for every target', async () => {
    const targets = loadTargets('services/indicators/targets/kalmar.json');
    const file = join(dir, 'targets.json');
    // Kalmar's targets on the simulated city; baselines from the simulated first quarter's data
    writeFileSync(file, JSON.stringify({ ...targets, tenant, targets: targets.targets.map((t) => ({ ...t, baselineYear: t.baselineValue === undefined ? 2025 : t.baselineYear, targetYear: Math.max(t.targetYear, 2027) })) }));
    const cityTargets = loadTargets(file);
    // weather-normalized to the simulated baseline year's weather
    const reportEngine = new IndicatorEngine({
      source: influx.source,
      devices: registry.all(), indicators, settings: { weatherBaselineYear: 2025 },
    });
    for (const lang of ['sv', 'en'] as const) {
      const data = await buildReportData({ engine: reportEngine, targets: cityTargets, quarter: parsePeriod('2025Q3'), lang, devicesRegistered: registry.size });
      expect(data.targets).toHaveLength(cityTargets.targets.length);
      for (const t of data.targets) expect(['on_track', 'behind', 'off_track', 'not_enough_data']).toContain(t.status);
      const energyTarget = data.targets.find((t) => t.indicator === 'energy_weather_normalized')!;
      expect(energyTarget.history.filter((h) => h.sufficient).length).toBeGreaterThanOrEqual(3);
      // The finance view on real data: YTD is the sum of 2025's quarters; a forecast, or the reason there is none.
      const ytdQuarters = energyTarget.history.filter((h) => h.period.startsWith('2025'));
      expect(ytdQuarters).toHaveLength(3);
      if (ytdQuarters.every((h) => h.value !== undefined)) expect(energyTarget.finance.ytd.value).toBeCloseTo(ytdQuarters.reduce((s, h) => s + h.value!, 0), 3);
      for (const t of data.targets) expect(t.finance.forecast !== undefined || t.finance.noForecast !== undefined, t.id).toBe(true);
      const files = await writeReport(data, join(dir, 'reports'));
      for (const f of [files.html, files.csv, files.json, files.xlsx]) expect(existsSync(f!)).toBe(true);
      const html = readFileSync(files.html!, 'utf8');
      for (const t of data.targets) expect(html).toContain(t.name.replace(/&/g, '&amp;').replace(/</g, '&lt;').slice(0, 20));
      expect(readFileSync(files.csv!, 'utf8').split('\n').length).toBeGreaterThan(data.targets.length);
    }
  });

  // Issue 14: the rollup engine against the raw-sample engine of before (test/reference), on the same stored year.
  const comparePeriods = () => [
    ...year.map((m) => parsePeriod(m.label)),
    ...['2025Q1', '2025Q2', '2025Q3', '2025Q4', '2025'].map(parsePeriod),
    // A quarter without data (a report's history): the engine answers its reads without asking the store.
    parsePeriod('2024Q3'),
    ...periodsBetween('day', parsePeriod('2025-03-29').start, parsePeriod('2025-04-01').start),
    ...periodsBetween('day', parsePeriod('2025-10-25').start, parsePeriod('2025-10-28').start),
    ...['2025-01-01', '2025-12-31', '2025-W01', '2025-W13', '2025-W44', '2025-W52'].map(parsePeriod),
  ];

  it('rollups in InfluxDB give the raw engine’s values for every indicator (months, quarters, the year, DST days, weeks)', async () => {
    const r = await compareEngines({ rollupSource: influx.source, rawSource: influx.raw, devices: registry.all(), tenant, periods: comparePeriods() });
    expect(r.differences).toEqual([]);
    expect(r.compared).toBeGreaterThan(1000);
  });

  it('rollups in DuckDB give the raw engine’s values on the same year (its readings copied from InfluxDB)', async () => {
    const byId = new Map(registry.all().map((d) => [d.id, d]));
    const rows = await queryRows(`from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "readings")`);
    const readings = rows.map((r) => reading(byId.get(String(r.device))!, String(r._field) as MetricName, Date.parse(String(r._time)), Number(r._value), r.channel ? String(r.channel) : undefined));
    const { source, store } = await sourceWith(registry.all(), readings);
    try {
      // The DST months, a quarter and DST days (the year and every month are InfluxDB's above; DuckDB's
      // rollups are compared on awkward data in services/indicators/rollups/rollups.test.ts too).
      const periods = [...['2025-03', '2025-10', '2025Q4'].map(parsePeriod), ...comparePeriods().filter((p) => p.kind === 'day')];
      const r = await compareEngines({ rollupSource: source, rawSource: source, devices: registry.all(), tenant, periods });
      expect(r.differences).toEqual([]);
      expect(r.compared).toBeGreaterThan(300);
    } finally {
      await store.close();
    }
  }, 600_000);
});
