import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes, type AdminDeps } from './adminRoutes.js';
import { startTestAdmin, TEST_ADMIN_TOKEN as ADMIN } from './adminTestServer.js';

/**
 * Issue 13, item 14: bad input answered 500 (malformed percent-encoding in a DELETE
 * path, a 150,000-deep payload in a dry run, a `null` body on tenant create). Bad
 * input is the caller's error: 4xx naming the field, never 5xx; and a small fuzz over
 * every route with bad bodies and paths asserts exactly that.
 */
let s: Awaited<ReturnType<typeof startTestAdmin>>;
let tenantToken = '';
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

beforeAll(async () => {
  s = await startTestAdmin(); // default MAX_PAYLOAD_BYTES: a dry run takes bodies of ~350 kB
  const res = await s.call('POST', '/api/admin/tenants', ADMIN, { id: 'brf-x' });
  tenantToken = res.body.credentials.apiToken;
  // The admin routes' fuzz disables and rotates brf-y's credentials, not brf-x's.
  expect((await s.call('POST', '/api/admin/tenants', ADMIN, { id: 'brf-y' })).status).toBe(201);
  expect((await s.call('POST', '/api/tenants/brf-x/buildings', tenantToken, { id: 'hus-1' })).status).toBe(201);
  expect((await s.call('POST', '/api/tenants/brf-x/devices', tenantToken, { id: 'dev-1', kind: 'temperature', site: 'hus-1' })).status).toBe(201);
});
afterAll(() => s.stop());

describe('bad input is a 400, not a 500', () => {
  it.each(['devices', 'buildings'])('malformed percent-encoding in DELETE /%s/{id}', async (kind) => {
    const res = await s.call('DELETE', `/api/tenants/brf-x/${kind}/%E0%A4%A`, tenantToken);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/percent-encoding/);
  });

  it('a 150,000-deep JSON payload in a dry run', async () => {
    const res = await s.call('POST', '/api/tenants/brf-x/dry-run', tenantToken, `{"topic":"klimatpuls/brf-x/dev-1/up","payload":${deep(150_000)}}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/nested deeper than 64/);
  });

  it('a 5,000-deep payload object (under the body limit, past JSON.stringify\'s stack) and a deep payload string', async () => {
    const obj = await s.call('POST', '/api/tenants/brf-x/dry-run', tenantToken, `{"topic":"klimatpuls/brf-x/dev-1/up","payload":${deep(5000)}}`);
    expect(obj.status).toBe(400);
    // As a string the payload is what a device would send: the gateway's own processing dead-letters it.
    const str = await s.call('POST', '/api/tenants/brf-x/dry-run', tenantToken, { topic: 'klimatpuls/brf-x/dev-1/up', payload: deep(100_000) });
    expect(str.status).toBe(200);
    expect(str.body.wouldDeadLetter).toMatchObject({ reason: 'schema' });
  });

  it.each(['null', '[]', '"text"', '42', 'true'])('tenant create with the body %s', async (body) => {
    const res = await s.call('POST', '/api/admin/tenants', ADMIN, body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^(\(body\)|id): /);
  });

  it('a request target that is not a path', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s.server.port, method: 'GET', path: 'http://[', headers: { authorization: `Bearer ${ADMIN}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBeLessThan(500);
    expect((await s.call('GET', '/healthz')).status).toBe(200); // and the server is still up
  });
});

describe('fuzz: every route with bad bodies and paths answers below 500', () => {
  const bodies: unknown[] = [
    'null', '[]', '"x"', '0', 'false', '{}', '{nope', '\u0000', '{"id":null}', '{"id":{}}', '{"id":[]}', '{"id":"a","name":null}', '{"id":"a","name":{}}',
    '{"id":"a","kind":"temperature","params":null}', '{"id":"a","kind":"temperature","params":[]}', '{"id":"a","kind":"temperature","params":"x"}',
    '{"id":"a","kind":"temperature","params":{"k":null}}', '{"id":"a","kind":"temperature","params":{"k":1e400}}', '{"id":"a","kind":"nope"}',
    '{"id":"' + 'x'.repeat(5000) + '","kind":"temperature"}', '{"id":"a/b","kind":"temperature"}', '{"id":"a","kind":"temperature","site":{}}',
    '{"topic":null}', '{"topic":"t","payload":null}', '{"topic":"t","payloadBase64":{}}', '{"topic":"t","payloadBase64":"***"}', '{"topic":{},"payload":1}',
    '{"__proto__":{"admin":true},"id":"proto"}', '{"constructor":{"prototype":{"x":1}}}', '{"name":' + '"n"'.repeat(1) + '}', '{"name":123}', '{"name":"' + 'n'.repeat(500) + '"}',
    `{"a":${deep(100)}}`, '"\\ud800"',
  ];
  const sample = (re: RegExp, seg: string) => re.source.slice(1, -1).replace(/\\\//g, '/').replace(/\(\[a-z0-9\]\[a-z0-9_-\]\{0,62\}\)/g, re.source.startsWith('^\\/api\\/admin') ? 'brf-y' : 'brf-x').replace(/\(\[0-9a-f\]\{12\}\)/g, '0123456789ab').replace(/\(\[\^\/\]\{1,128\}\)/g, seg);
  const routes = adminRoutes({} as AdminDeps);
  const segs = ['dev-1', '%E0%A4%A', '%00', '..', '%2e%2e', '%2F', 'x'.repeat(128), '%ZZ', '\u00e5'];

  it('bad bodies on every POST, as admin and as the tenant', async () => {
    const seen: string[] = [];
    for (const r of routes.filter((x) => x.method === 'POST')) {
      for (const token of [ADMIN, tenantToken]) {
        for (const body of bodies) {
          const path = sample(r.path, 'dev-1');
          const res = await s.call('POST', path, token, body as string);
          if (res.status >= 500) seen.push(`${res.status} POST ${path} ${String(body).slice(0, 60)}: ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(seen).toEqual([]);
  }, 120_000);

  it('odd path segments and query strings on every route and method', async () => {
    const seen: string[] = [];
    for (const r of routes) {
      for (const seg of segs) {
        for (const q of ['', '?limit=0', '?limit=abc', '?limit=99999999999', '?tenant=%E0%A4%A', '?tenant=../x', '?limit=1&limit=2']) {
          const path = `${sample(r.path, seg)}${q}`;
          const res = await s.call(r.method, path, ADMIN, r.method === 'POST' ? '{}' : undefined);
          if (res.status >= 500) seen.push(`${res.status} ${r.method} ${path}: ${JSON.stringify(res.body)}`);
        }
      }
    }
    for (const path of ['/%', '/api/admin/tenants/%E0', '/api/tenants/%00/devices', '//api/admin/tenants', '/api/admin/tenants?%', '/api/admin/../admin/tenants']) {
      for (const method of ['GET', 'POST', 'DELETE', 'PUT']) {
        const res = await s.call(method, path, ADMIN, method === 'POST' || method === 'PUT' ? '{}' : undefined);
        if (res.status >= 500) seen.push(`${res.status} ${method} ${path}`);
      }
    }
    expect(seen).toEqual([]);
    // Still up, and the tenant's own token still works (no fuzzed request touched brf-x's credentials).
    expect((await s.call('GET', '/api/tenants/brf-x', tenantToken)).status).toBe(200);
  }, 120_000);
});
