import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { readingId, type CanonicalReading } from '../core/reading.js';
import { Telemetry } from '../core/telemetry.js';
import { DuckDbStore } from '../sinks/duckdb/duckdbStore.js';
import { HttpServer } from './httpServer.js';
import { testOperatorAuth } from './testing.js';

const log = createLogger('silent');

function reading(tenant: string, deviceId: string, value: number, at: string): CanonicalReading {
  const base = { tenant, deviceId, metric: 'temperature' as const, observedAt: new Date(at).toISOString() };
  return {
    id: readingId(base),
    ...base,
    site: 'centrum',
    kind: 'temperature',
    value,
    unit: '°C',
    receivedAt: base.observedAt,
    source: { format: 'native', decoderVersion: '1.0.0', topic: `klimatpuls/${tenant}/${deviceId}/up` },
  };
}

describe('HttpServer', () => {
  const telemetry = new Telemetry();
  const store = new DuckDbStore(':memory:');
  const access = testOperatorAuth();
  const auth = access.auth;
  let mqttReady = false;
  const server = new HttpServer({
    host: '127.0.0.1',
    port: 0,
    telemetry,
    store,
    logger: log,
    auth,
    readiness: {
      mqtt: () => mqttReady,
      store: () => store.ping(),
    },
  });
  let base: string;

  beforeAll(async () => {
    await store.init();
    await store.writeReadings([
      reading('kalmar', 'temp-centrum', -2.5, '2025-03-01T10:00:00Z'),
      reading('kalmar', 'temp-centrum', -1.5, '2025-03-01T10:15:00Z'),
      reading('vaxjo', 'temp-torget', 0.5, '2025-03-01T10:05:00Z'),
    ]);
    base = await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await store.close();
  });

  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(base + path, { headers: access.headers, ...init });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) as Record<string, unknown> };
  };

  it('listens on the port it was given (0: any free one) and reports its URL', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(base).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('/healthz answers 200', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/json');
    expect(r.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 503 while a check fails and 200 once all pass', async () => {
    mqttReady = false;
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.json()).toEqual({ status: 'not ready', checks: { mqtt: false, store: true } });

    mqttReady = true;
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { mqtt: true, store: true } });
  });

  it('/readyz treats a check that rejects as failing, and is never 200 when a check throws', async () => {
    const s = new HttpServer({
      host: '127.0.0.1', port: 0, telemetry, logger: log, auth,
      readiness: { ok: () => true, rejects: () => Promise.reject(new Error('down')), slow: async () => true },
    });
    const throwing = new HttpServer({
      host: '127.0.0.1', port: 0, telemetry, logger: log, auth,
      readiness: { ok: () => true, throws: () => { throw new Error('boom'); } },
    });
    const url = await s.start();
    const url2 = await throwing.start();
    try {
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'not ready', checks: { ok: true, rejects: false, slow: true } });
      const res2 = await fetch(`${url2}/readyz`);
      expect(res2.status).toBeGreaterThanOrEqual(500);
    } finally {
      await s.stop();
      await throwing.stop();
    }
  });

  it('/metrics is Prometheus text with the pipeline counters', async () => {
    telemetry.messagesReceived.inc({ service: 'gateway' }, 3);
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain/);
    expect(r.text).toContain('# TYPE klimatpuls_messages_received_total counter');
    expect(r.text).toMatch(/^klimatpuls_messages_received_total\{service="gateway"\} 3$/m);
    expect(r.text).toContain('klimatpuls_dead_letters_total');
    expect(r.text).toContain('klimatpuls_process_cpu_seconds_total'); // default metrics, prefixed
  });

  it('/api/readings/latest returns the newest stored reading per series', async () => {
    const r = await get('/api/readings/latest');
    expect(r.status).toBe(200);
    const body = r.json() as { count: number; readings: Array<Record<string, unknown>>; generatedAt: string };
    expect(body.count).toBe(2);
    expect(Number.isNaN(Date.parse(body.generatedAt))).toBe(false);
    expect(body.readings).toEqual([
      { tenant: 'kalmar', deviceId: 'temp-centrum', kind: 'temperature', site: 'centrum', metric: 'temperature', value: -1.5, unit: '°C', observedAt: '2025-03-01T10:15:00.000Z' },
      { tenant: 'vaxjo', deviceId: 'temp-torget', kind: 'temperature', site: 'centrum', metric: 'temperature', value: 0.5, unit: '°C', observedAt: '2025-03-01T10:05:00.000Z' },
    ]);
  });

  it('/api/readings/latest filters by tenant and limits', async () => {
    const vaxjo = (await get('/api/readings/latest?tenant=vaxjo')).json() as { readings: Array<{ deviceId: string }> };
    expect(vaxjo.readings.map((x) => x.deviceId)).toEqual(['temp-torget']);
    const one = (await get('/api/readings/latest?limit=1')).json() as { count: number };
    expect(one.count).toBe(1);
  });

  it.each(['0', '-1', 'abc', '10000', '1.5', ''])('/api/readings/latest?limit=%s is 400 naming limit', async (limit) => {
    const r = await get(`/api/readings/latest?limit=${encodeURIComponent(limit)}`);
    expect(r.status).toBe(400);
    expect(String(r.json().error)).toMatch(/^limit: /);
  });

  it('/api/readings/latest with a tenant that is not a slug is 400 naming tenant', async () => {
    const r = await get(`/api/readings/latest?tenant=${encodeURIComponent("x' OR 1=1")}`);
    expect(r.status).toBe(400);
    expect(String(r.json().error)).toMatch(/^tenant: /);
  });

  it('answers 404 for an unknown route, listing the routes', async () => {
    const r = await get('/api/nope');
    expect(r.status).toBe(404);
    expect(r.json().routes).toEqual(['/healthz', '/readyz', '/metrics', '/api/readings/latest']);
  });

  it('answers 400 (not 500) to a request target that is not a path', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: 'http://[', headers: access.headers }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it('answers 405 to anything but GET', async () => {
    expect((await get('/healthz', { method: 'POST', body: '{}' })).status).toBe(405);
  });

  it('answers 404 for readings when it has no store, and 500 when the store fails', async () => {
    const noStore = new HttpServer({ host: '127.0.0.1', port: 0, telemetry, logger: log, readiness: {}, auth });
    const url = await noStore.start();
    try {
      expect((await fetch(`${url}/api/readings/latest`, { headers: access.headers })).status).toBe(404);
      expect((await fetch(`${url}/readyz`)).status).toBe(200); // no checks: ready
    } finally {
      await noStore.stop();
    }

    const closed = new DuckDbStore(':memory:');
    await closed.init();
    await closed.close();
    const failing = new HttpServer({ host: '127.0.0.1', port: 0, telemetry, logger: log, readiness: {}, store: closed, auth });
    const url2 = await failing.start();
    try {
      const res = await fetch(`${url2}/api/readings/latest`, { headers: access.headers });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'internal error' });
    } finally {
      await failing.stop();
    }
  });

  it('fails to start on a port in use', async () => {
    const clash = new HttpServer({ host: '127.0.0.1', port: server.port, telemetry, logger: log, readiness: {}, auth });
    await expect(clash.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
