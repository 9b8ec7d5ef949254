import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { readingId, type CanonicalReading } from '../core/reading.js';
import { Telemetry } from '../core/telemetry.js';
import { hashSecret, issueToken } from '../security/secrets.js';
import { DuckDbStore } from '../sinks/duckdb/duckdbStore.js';
import { HttpServer } from './httpServer.js';
import { testOperatorAuth } from './testing.js';

/**
 * Issue 13, item 6: the operational endpoints (8080-8083) served every tenant's
 * readings and indicators to anyone. Now /healthz and /readyz stay open (probes),
 * everything else needs an operator or admin token; a tenant's own token is not one.
 */
const log = createLogger('silent');
const reading = (tenant: string): CanonicalReading => {
  const base = { tenant, deviceId: `t-${tenant}`, metric: 'temperature' as const, observedAt: '2025-03-01T10:00:00.000Z' };
  return { id: readingId(base), ...base, kind: 'temperature', value: 1, unit: '°C', receivedAt: base.observedAt, source: { format: 'native', decoderVersion: '1.0.0', topic: `klimatpuls/${tenant}/t/up` } };
};

describe('operator authentication on the operational HTTP server', () => {
  const store = new DuckDbStore(':memory:');
  const access = testOperatorAuth();
  const extra = async () => ({ status: 200, body: { values: ['every tenant'] } });
  const server = new HttpServer({
    host: '127.0.0.1', port: 0, telemetry: new Telemetry({ defaultMetrics: false }), store, logger: log, readiness: {},
    routes: { '/api/indicators': extra, '/report': extra, '/api/report': extra }, auth: access.auth,
  });
  const open = new HttpServer({ host: '127.0.0.1', port: 0, telemetry: new Telemetry({ defaultMetrics: false }), store, logger: log, readiness: {}, auth: testOperatorAuth({ metricsPublic: true }).auth });
  let base = '';
  let openBase = '';
  let storedOperator = '';
  let storedAdmin = '';
  let tenantToken = '';
  let revoked = '';

  beforeAll(async () => {
    await store.init();
    await store.writeReadings([reading('a'), reading('b')]);
    base = await server.start();
    openBase = await open.start();
    storedOperator = (await access.tokens.createToken('operator', 'prometheus', { kind: 'system', id: 'test' })).token;
    storedAdmin = (await access.tokens.createAdminToken('ops', { kind: 'system', id: 'test' })).token;
    const r = await access.tokens.createToken('operator', 'old', { kind: 'system', id: 'test' });
    await access.tokens.revokeToken('operator', r.id, { kind: 'system', id: 'test' });
    revoked = r.token;
    const t = issueToken('t');
    tenantToken = t.token;
    const hash = await hashSecret(t.token);
    await access.store.update((s) => {
      s.tenants.push({
        id: 'a', name: 'A', status: 'active', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
        mqtt: { username: 'a', passwordHash: 'x', mosquittoHash: 'x' }, apiTokens: [{ id: t.id, name: 'initial', hash, createdAt: '2025-01-01T00:00:00.000Z' }], grafanaOrgId: 2,
      });
    });
  });
  afterAll(async () => {
    await server.stop();
    await open.stop();
    await store.close();
  });

  const status = async (url: string, token?: string) => (await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })).status;
  const protectedPaths = ['/metrics', '/api/readings/latest', '/api/readings/latest?tenant=b', '/api/indicators?tenant=b', '/api/indicators', '/report?city=kalmar', '/api/report?city=kalmar', '/nowhere'];

  it('keeps /healthz and /readyz open for probes', async () => {
    expect(await status(`${base}/healthz`)).toBe(200);
    expect(await status(`${base}/readyz`)).toBe(200);
  });

  it.each(protectedPaths)('%s: 401 without a token, with a wrong one, with a revoked one', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(JSON.stringify(await res.json())).not.toContain('every tenant');
    expect(await status(`${base}${path}`, 'not-a-token')).toBe(401);
    expect(await status(`${base}${path}`, revoked)).toBe(401);
  });

  it("a tenant's own API token is not an operator token (403), and sees no other tenant's readings", async () => {
    const res = await fetch(`${base}/api/readings/latest?tenant=b`, { headers: { authorization: `Bearer ${tenantToken}` } });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('t-b');
  });

  it('answers an operator token (OPERATOR_TOKEN or stored) and an admin token (ADMIN_TOKEN or stored)', async () => {
    for (const token of [access.operatorToken, storedOperator, access.adminToken, storedAdmin]) {
      expect(await status(`${base}/metrics`, token)).toBe(200);
      const res = await fetch(`${base}/api/readings/latest`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { count: number }).count).toBe(2);
      expect(await status(`${base}/api/indicators`, token)).toBe(200);
      expect(await status(`${base}/report`, token)).toBe(200);
    }
  });

  it('with METRICS_PUBLIC only /metrics opens; the readings stay closed', async () => {
    expect(await status(`${openBase}/metrics`)).toBe(200);
    expect(await status(`${openBase}/api/readings/latest`)).toBe(401);
  });
});
