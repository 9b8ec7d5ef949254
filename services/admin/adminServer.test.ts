import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminServer, buildTenants } from '../app/tenantsApp.js';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import type { AdminServer } from './adminServer.js';

const c = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'klimatpuls-admin-')), ADMIN_TOKEN: 'bootstrap-admin-token-0123456789', MAX_PAYLOAD_BYTES: '4096' });
const t = buildTenants(c, createLogger('silent'), new DeviceRegistry([]));
let server: AdminServer;
let base: string;
const call = async (method: string, path: string, token?: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
};
const ADMIN = 'bootstrap-admin-token-0123456789';

beforeAll(async () => {
  server = buildAdminServer(c, t, { logger: createLogger('silent'), port: 0 });
  base = await server.start();
});
afterAll(() => server.stop());

describe('admin and tenant API', () => {
  it('requires a token on every route; a tenant token is not an admin token', async () => {
    expect((await call('GET', '/api/admin/tenants')).status).toBe(401);
    expect((await call('GET', '/api/admin/tenants')).headers.get('www-authenticate')).toBe('Bearer');
    expect((await call('GET', '/api/admin/tenants', 'wrong')).status).toBe(401);
    expect((await call('GET', '/api/admin/tenants', ADMIN)).body).toEqual({ tenants: [] });
    const created = await call('POST', '/api/admin/tenants', ADMIN, { id: 'brf-a', name: 'BRF A' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const tenantToken = created.body.credentials.apiToken;
    expect((await call('GET', '/api/admin/tenants', tenantToken)).status).toBe(403);
    expect((await call('GET', '/api/tenants/brf-a', tenantToken)).body).toMatchObject({ id: 'brf-a', status: 'active', topics: { native: 'klimatpuls/brf-a/{deviceId}/up' } });
  });

  it('lets a tenant register its buildings and devices and dry-run a payload; not for another tenant', async () => {
    const b = (await call('POST', '/api/admin/tenants', ADMIN, { id: 'brf-b' })).body.credentials.apiToken;
    expect((await call('POST', '/api/tenants/brf-b/buildings', b, { id: 'hus-1', name: 'Hus 1', params: { households: 12 } })).status).toBe(201);
    expect((await call('POST', '/api/tenants/brf-b/devices', b, { id: 'waste-1', kind: 'waste_fill', site: 'hus-1' })).body.params).toEqual({ households: 12 });
    expect((await call('GET', '/api/tenants/brf-b/devices', b)).body.devices).toHaveLength(1);
    expect((await call('POST', '/api/tenants/brf-a/devices', b, { id: 'w-2', kind: 'waste_fill' })).status).toBe(403);
    const dry = await call('POST', '/api/tenants/brf-b/dry-run', b, { topic: 'klimatpuls/brf-b/waste-1/up', payload: { readings: [{ metric: 'fill_level', value: 40, unit: '%' }] } });
    expect(dry.body).toMatchObject({ topicAllowed: true, wouldStore: 1, readings: [{ tenant: 'brf-b', deviceId: 'waste-1', value: 40 }] });
    const bad = await call('POST', '/api/tenants/brf-b/dry-run', b, { topic: 'klimatpuls/brf-b/waste-1/up', payload: 'not json' });
    expect(bad.body.wouldDeadLetter).toEqual({ reason: 'not_json', field: '(payload)' });
  });

  it('answers bad requests precisely: 400 for bad JSON or input, 404, 405, 409, and 413 past the body limit', async () => {
    expect((await call('POST', '/api/admin/tenants', ADMIN, '{nope')).status).toBe(400);
    expect((await call('POST', '/api/admin/tenants', ADMIN, { id: 'UPPER' })).body.error).toBe('INVALID_INPUT');
    expect((await call('POST', '/api/admin/tenants', ADMIN, { id: 'brf-a' })).status).toBe(409);
    expect((await call('GET', '/api/admin/tenants/nobody', ADMIN)).status).toBe(404);
    expect((await call('GET', '/nowhere', ADMIN)).status).toBe(404);
    expect((await call('PUT', '/api/admin/tenants', ADMIN)).status).toBe(405);
    expect((await call('POST', '/api/tenants/brf-a/dry-run', ADMIN, { topic: 'x', payload: 'y'.repeat(100_000) })).status).toBe(413);
  });

  it('disable refuses the tenant token at once; the audit log records who did what', async () => {
    const token = (await call('POST', '/api/admin/tenants/brf-a/api-token', ADMIN)).body.credentials.apiToken;
    expect((await call('GET', '/api/tenants/brf-a', token)).status).toBe(200);
    expect((await call('POST', '/api/admin/tenants/brf-a/disable', ADMIN)).body.tenant.status).toBe('disabled');
    expect((await call('GET', '/api/tenants/brf-a', token)).status).toBe(401);
    const audit = (await call('GET', '/api/admin/audit?tenant=brf-a', ADMIN)).body.entries;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['tenant.create', 'tenant.api-token.rotate', 'tenant.disable']);
    expect(audit[0].actor).toEqual({ kind: 'admin', id: 'ADMIN_TOKEN' });
  });
});

describe('where the admin API listens', () => {
  it('binds ADMIN_HTTP_HOST (default 127.0.0.1), not HTTP_HOST: exposing the operator API does not expose it, nor the reverse', async () => {
    const exposed = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'klimatpuls-admin-')), HTTP_HOST: '0.0.0.0' });
    const s = buildAdminServer(exposed, buildTenants(exposed, createLogger('silent'), new DeviceRegistry([])), { logger: createLogger('silent'), port: 0 });
    await s.start();
    try {
      expect(s.boundAddress).toBe('127.0.0.1');
    } finally {
      await s.stop();
    }
  });
});
