import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAdmin, TEST_ADMIN_TOKEN as ADMIN } from './adminTestServer.js';

/**
 * Issue 13, item 11: a tenant's `params` and device count were unbounded, and every
 * registry change rewrites the whole file (60 devices × 300 kB: every change 9 ×
 * slower; near 512 MB nothing could be changed, not even a tenant disabled).
 */
let s: Awaited<ReturnType<typeof startTestAdmin>>;
let token = '';
const T = '/api/tenants/brf-l';

beforeAll(async () => {
  s = await startTestAdmin({ MAX_DEVICES_PER_TENANT: '3', MAX_BUILDINGS_PER_TENANT: '2', REGISTRY_MAX_BYTES: String(64 * 1024) });
  const created = await s.call('POST', '/api/admin/tenants', ADMIN, { id: 'brf-l' });
  expect(created.status).toBe(201);
  token = created.body.credentials.apiToken;
});
afterAll(() => s.stop());

describe('registry limits', () => {
  it.each([
    ['33 keys', Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])), /^params: at most 32 keys/],
    ['a 1000-character string', { blob: 'x'.repeat(1000) }, /^params\.blob: .*at most 256 characters/],
    ['a nested object', { nested: { a: 1 } }, /^params\.nested: a finite number, a boolean or a string/],
    ['a key of 65 characters', { ['k'.repeat(65)]: 1 }, /^params: keys are 1-64/],
    ['more than 4 kB in all', Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(250)])), /^params: at most 4096 bytes/],
  ])('device params with %s: 400 naming the field and the limit', async (_what, params, message) => {
    const res = await s.call('POST', `${T}/devices`, token, { id: 'p-1', kind: 'temperature', params });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('building params are bounded the same way', async () => {
    const res = await s.call('POST', `${T}/buildings`, token, { id: 'b-big', params: { blob: 'x'.repeat(1000) } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^params\.blob: .*256 characters/);
  });

  it('a body over the admin API limit is 413, not read to the end', async () => {
    const res = await s.call('POST', `${T}/devices`, token, { id: 'p-2', kind: 'temperature', junk: 'x'.repeat(300_000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('TOO_LARGE');
  });

  it('MAX_DEVICES_PER_TENANT and MAX_BUILDINGS_PER_TENANT: 409 naming the setting', async () => {
    for (const id of ['h-1', 'h-2']) expect((await s.call('POST', `${T}/buildings`, token, { id })).status).toBe(201);
    const b = await s.call('POST', `${T}/buildings`, token, { id: 'h-3' });
    expect(b.status).toBe(409);
    expect(b.body.message).toMatch(/at most 2 \(MAX_BUILDINGS_PER_TENANT\)/);
    for (const id of ['d-1', 'd-2', 'd-3']) expect((await s.call('POST', `${T}/devices`, token, { id, kind: 'temperature', params: { note: 'n'.repeat(200) } })).status).toBe(201);
    const d = await s.call('POST', `${T}/devices`, token, { id: 'd-4', kind: 'temperature' });
    expect(d.status).toBe(409);
    expect(d.body.message).toMatch(/at most 3 \(MAX_DEVICES_PER_TENANT\)/);
  });

  it('a full registry (REGISTRY_MAX_BYTES) refuses additions with 409, and a tenant can still be disabled and enabled', async () => {
    let full: { status: number; body: any } | undefined;
    for (let i = 0; i < 200 && !full; i++) {
      const res = await s.call('POST', '/api/admin/tenants', ADMIN, { id: `fill-${i}`, name: 'n'.repeat(200) });
      if (res.status !== 201) full = res;
    }
    expect(full?.status).toBe(409);
    expect(full?.body.message).toMatch(/REGISTRY_MAX_BYTES \(65536 bytes\)/);
    const before = statSync(s.tenants.store.file).size;
    expect((await s.call('POST', `/api/admin/tenants/brf-l/disable`, ADMIN)).status).toBe(200);
    expect(s.tenants.store.tenant('brf-l')?.status).toBe('disabled');
    expect((await s.call('POST', `/api/admin/tenants/brf-l/enable`, ADMIN)).status).toBe(200);
    expect((await s.call('POST', `/api/admin/tenants/brf-l/mqtt-password`, ADMIN)).status).toBe(200);
    expect((await s.call('DELETE', `${T}/devices/d-3`, token)).status).toBe(204);
    expect(statSync(s.tenants.store.file).size).toBeLessThanOrEqual(before + 1024);
  }, 90_000); // fills the registry to its byte limit: slow on a loaded 2-core machine
});
