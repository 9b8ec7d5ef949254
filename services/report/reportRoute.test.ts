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

describe('/api/indicators parameters', () => {
  it.each(['tenant=../x', 'tenant=A', 'entity=%00', `entity=${'e'.repeat(300)}`, 'period=2025-13', 'indicator=nope'])('%s is a 400 naming the parameter', async (q) => {
    const r = await get(`/api/indicators?${q}`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toMatch(new RegExp(`^${q.split('=')[0]}: `));
  });
});
