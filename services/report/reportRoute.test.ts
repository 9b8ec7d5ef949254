import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, PACKAGE_ROOT, targetsDir } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { Telemetry } from '../core/telemetry.js';
import { HttpServer } from '../http/httpServer.js';
import { testOperatorAuth } from '../http/testing.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { duckDbSinkAt } from '../sinks/duckdb/index.js';
import { buildIndicatorsApp, targetsFor } from '../app/indicatorsApp.js';

/**
 * Issue 13, item 13: `/report?city=../../..` read any `*.json` the server could
 * read, told whether it existed and echoed its absolute path. A city is a slug
 * naming one of the targets files; the answer never names a server path.
 */
const c = loadConfig({});
const sink = await duckDbSinkAt(':memory:');
const store = sink.store;
const access = testOperatorAuth();
let server: HttpServer;
let base = '';

beforeAll(async () => {
  await store.init();
  const app = buildIndicatorsApp(c, { sink, registry: new DeviceRegistry([]), logger: createLogger('silent') });
  server = new HttpServer({ host: '127.0.0.1', port: 0, telemetry: new Telemetry({ defaultMetrics: false }), logger: createLogger('silent'), readiness: {}, routes: app.routes, auth: access.auth });
  base = await server.start();
});
afterAll(async () => {
  await server.stop();
  await store.close();
});

const get = async (path: string) => {
  const res = await fetch(`${base}${path}`, { headers: access.headers });
  return { status: res.status, text: await res.text() };
};

describe('/report city parameter', () => {
  // ../../../package names PACKAGE_ROOT/package.json, which exists; ../../nothing does not: same answer for both.
  it.each(['../../../package', '../../../nothing', '../../..', '..%2F..%2F..%2Fpackage', '/etc/passwd', 'KALMAR', 'kalmar.json', 'kalmar%00', 'stockholm', 'a'.repeat(100)])('city=%s: 400, no path, no existence oracle', async (city) => {
    const r = await get(`/report?city=${city.includes('%') ? city : encodeURIComponent(city)}`);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain(PACKAGE_ROOT);
    expect(r.text).not.toContain(targetsDir(c));
    expect(r.text).not.toMatch(/\/(work|home|tmp|etc)\//);
    expect(JSON.parse(r.text).error).toMatch(/^city: expected one of the cities with a targets file \(kalmar, malmo\)/);
  });

  it('a known city is served', async () => {
    const r = await get('/report?city=malmo&quarter=2025Q3&lang=en');
    expect(r.status).toBe(200);
    expect(r.text).toContain('<html');
  });

  it('`klimatpuls report --city` and targetsFor refuse the same, naming the flag, not a path', () => {
    for (const city of ['../../../package', 'nope']) {
      let err: unknown;
      try {
        targetsFor(c, city);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/^--city: expected one of the cities with a targets file \(kalmar, malmo\)/);
      expect((err as Error).message).not.toContain(PACKAGE_ROOT);
    }
  });
});

describe('/report?format=', () => {
  it('xlsx: the workbook with its content type, which exceljs reads back', async () => {
    const res = await fetch(`${base}/report?city=malmo&quarter=2025Q3&lang=en&format=xlsx`, { headers: access.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Quarters', 'Carbon budget', 'Data quality']);
    const summary = wb.getWorksheet('Summary')!;
    expect(summary.rowCount).toBe(1 + targetsFor(c, 'malmo').targets.length);
    expect(summary.getRow(2).getCell(1).value).toBe(targetsFor(c, 'malmo').targets[0]!.id);
  });

  it.each([
    ['csv', 'text/csv; charset=utf-8', 'target_id,target,indicator,'],
    ['finance-csv', 'text/csv; charset=utf-8', 'target_id,target,unit,aggregate,'],
    ['json', 'application/json; charset=utf-8', '{'],
    ['html', 'text/html; charset=utf-8', '<!doctype html>'],
  ])('%s: %s', async (format, type, start) => {
    const res = await fetch(`${base}/report?city=malmo&quarter=2025Q3&lang=sv&format=${format}`, { headers: access.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect((await res.text()).startsWith(start)).toBe(true);
  });

  it('an unknown format is a 400 naming the parameter', async () => {
    const r = await get('/report?city=malmo&format=pdf');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toMatch(/^format: expected one of html, csv, finance-csv, json, xlsx/);
  });
});

describe('/api/report', () => {
  it('answers the report data /report renders (what `klimatpuls report` asks a running server for)', async () => {
    const r = await get('/api/report?city=malmo&quarter=2025Q3&lang=en');
    expect(r.status).toBe(200);
    const data = JSON.parse(r.text);
    expect(data).toMatchObject({ city: 'malmo', quarter: '2025Q3', lang: 'en', quality: { devicesRegistered: 0 } });
    expect(data.targets.length).toBe(targetsFor(c, 'malmo').targets.length);
    expect(data.targets[0].history).toHaveLength(8);
    // No readings stored: the finance view is there, and says there is not enough data for a forecast.
    for (const t of data.targets) expect(t.finance).toMatchObject({ year: 2025, quartersElapsed: 3, noForecast: 'no_comparable_quarter' });
    // Both of Malmö's emissions targets (geographic −70 %, the organisation's net zero) get a carbon budget.
    expect(data.carbonBudget.map((b: { targetId: string }) => b.targetId)).toEqual(['emissions-geographic-70', 'net-zero-organisation']);
  });

  it.each(['city=../../../package', 'quarter=2025-03', 'lang=de'])('%s: 400 like /report', async (q) => {
    const r = await get(`/api/report?${q}`);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain(PACKAGE_ROOT);
    expect((await get(`/report?${q}`)).status).toBe(400);
  });
});

describe('/api/indicators parameters', () => {
  it.each(['tenant=../x', 'tenant=A', 'entity=%00', `entity=${'e'.repeat(300)}`, 'period=2025-13', 'indicator=nope'])('%s is a 400 naming the parameter', async (q) => {
    const r = await get(`/api/indicators?${q}`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toMatch(new RegExp(`^${q.split('=')[0]}: `));
  });
});
