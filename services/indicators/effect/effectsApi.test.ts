import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndicatorsApp } from '../../app/indicatorsApp.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { Telemetry } from '../../core/telemetry.js';
import { HttpServer } from '../../http/httpServer.js';
import { testOperatorAuth } from '../../http/testing.js';
import { DeviceRegistry } from '../../registry/deviceRegistry.js';
import { duckDbSinkAt } from '../../sinks/duckdb/index.js';
import { device, H, local, register, TENANT } from '../energy/testSupport.js';
import { reading } from '../testing.js';

/**
 * GET /api/effects and the report's section through the app as `npm start` wires
 * it (MEASURES_FILE, the DuckDB sink's rollups, operator auth): two months of data,
 * so the baseline is too short to pass — the figures are there and say why.
 */
const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-effects-'));
const measuresFile = join(dir, 'measures.json');
const measure = {
  id: 'skolan-styr', tenant: TENANT, name: { sv: 'Nytt styrsystem, Skolan', en: 'New control system, the school' }, kind: 'control_system',
  buildings: ['skolan'], date: '2025-02-01', baseline: { from: '2025-01-01', to: '2025-02-01' }, reporting: { from: '2025-02-01', to: '2025-03-01' },
};
writeFileSync(measuresFile, JSON.stringify({ measures: [measure] }));
const meter = device('vm-skolan', 'heat_meter', 'skolan');
const sensor = device('temp-1', 'temperature');
const access = testOperatorAuth();
const sink = await duckDbSinkAt(':memory:');
let server: HttpServer;
let base = '';

beforeAll(async () => {
  await sink.store.init();
  const from = local('2025-01-01T00:00');
  const to = local('2025-03-02T00:00');
  const readings = [...register(meter, 'heat_energy_total', from, to, 20, 0, 3 * H)];
  for (let t = from; t < to; t += H) readings.push(reading(sensor, 'temperature', t + 60_000, -2 + 4 * Math.sin(t / (5 * 24 * H))));
  await sink.store.writeReadings(readings);
  await sink.rollups.markReadings(readings);
  const c = loadConfig({ MEASURES_FILE: measuresFile });
  const app = buildIndicatorsApp(c, { sink, registry: new DeviceRegistry([meter, sensor]), logger: createLogger('silent') });
  server = new HttpServer({ host: '127.0.0.1', port: 0, telemetry: new Telemetry({ defaultMetrics: false }), logger: createLogger('silent'), readiness: {}, routes: app.routes, auth: access.auth });
  base = await server.start();
}, 60_000);
afterAll(async () => {
  await server.stop();
  await sink.store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string, headers: Record<string, string> = access.headers) => {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, text: await res.text() };
};

describe('GET /api/effects', () => {
  it('needs the operator token, like /api/indicators', async () => {
    expect((await get('/api/effects', {})).status).toBe(401);
  });

  it('gives each measure’s avoided energy, uncertainty, fit criteria and verdict', async () => {
    const r = await get(`/api/effects?tenant=${TENANT}&until=2025-03-01`);
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text);
    expect(body.count).toBe(1);
    const e = body.effects[0];
    expect(e.measure).toMatchObject({ id: 'skolan-styr', kind: 'control_system', buildings: ['skolan'] });
    expect(e.treated.baseline).toMatchObject({ from: '2025-01-01', to: '2025-02-01', days: 31, daysUsed: 31, sufficient: false });
    expect(e.treated.reporting).toMatchObject({ days: 28, daysUsed: 28 });
    // 20 kWh/h every day, no temperature dependence: the intercept-only model, 480 kWh a day, nothing avoided
    expect(e.treated.model.kind).toBe('intercept_only');
    expect(e.treated.actualKwh).toBeCloseTo(28 * 480, 6);
    expect(e.avoidedKwh).toBeCloseTo(0, 6);
    expect(e.criteria.baselineData.pass).toBe(false);
    expect(e.passes).toBe(false);
    expect(e.treated.days).toBeUndefined();
  });

  it('one measure with its days; bad parameters are 400, an unknown measure 404', async () => {
    const one = JSON.parse((await get('/api/effects?measure=skolan-styr&until=2025-02-08')).text);
    expect(one.effects[0].treated.days).toHaveLength(7);
    expect(one.effects[0].treated.days[0]).toMatchObject({ date: '2025-02-01', kwh: expect.closeTo(480, 6), predicted: expect.closeTo(480, 6) });
    expect((await get('/api/effects?until=2025-2-1')).status).toBe(400);
    expect((await get('/api/effects?tenant=../x')).status).toBe(400);
    expect((await get('/api/effects?measure=nope')).status).toBe(404);
  });
});

describe('the report with MEASURES_FILE', () => {
  it('has the section in Swedish and English', async () => {
    const sv = await get('/report?city=kalmar&quarter=2025Q1&lang=sv');
    expect(sv.status).toBe(200);
    expect(sv.text).toContain('Uppmätt effekt av åtgärder');
    expect(sv.text).toContain('Nytt styrsystem, Skolan');
    expect(sv.text).toContain('för lite data under basåret');
    const en = JSON.parse((await get('/api/report?city=kalmar&quarter=2025Q1&lang=en')).text);
    expect(en.effects).toHaveLength(1);
    expect(en.effects[0]).toMatchObject({ name: 'New control system, the school', reportingFrom: '2025-02-01', reportingTo: '2025-02-28', passes: false, failed: expect.arrayContaining(['baselineData']) });
    // a quarter before the measure: no row
    expect(JSON.parse((await get('/api/report?city=kalmar&quarter=2024Q4&lang=en')).text).effects).toEqual([]);
  });

  it('a building that is not in the registry stops the start, naming the field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ measures: [{ ...measure, buildings: ['skolan', 'skolan-typo'] }] }));
    expect(() => buildIndicatorsApp(loadConfig({ MEASURES_FILE: bad }), { sink, registry: new DeviceRegistry([meter, sensor]), logger: createLogger('silent') })).toThrow(/bad\.json: measures\.0\.buildings\.1: "skolan-typo" is not the site of an energy meter of kalmar/);
  });
});
