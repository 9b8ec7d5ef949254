import { existsSync, readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStore } from '../../services/app/components.js';
import { operatorAuth } from '../../services/app/serviceSupport.js';
import { createLogger } from '../../services/core/logger.js';
import { Telemetry } from '../../services/core/telemetry.js';
import { HttpServer } from '../../services/http/httpServer.js';
import { STACK, readTopic, waitFor } from '../helpers/stack.js';
import { startSecureServices, type SecureServices, type TestTenant } from './secureServices.js';
import { assertNoSecrets, connect, fileLines, influxQuery } from './support.js';

/**
 * Storage isolation in the real InfluxDB (a bucket and a read-only token per
 * tenant), the admin and tenant API over HTTPS (authentication, device ownership,
 * dry run), per-device rate limits in the gateway, and no secret in any log.
 */
let s: SecureServices;
let a: TestTenant;
let b: TestTenant;
const clients: MqttClient[] = [];
const reading = (value: number, time = '2025-03-01T10:00:00Z') => JSON.stringify({ time, readings: [{ metric: 'energy_total', value, unit: 'kWh' }] });
const rows = (bucket: string) => `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "readings")`;

beforeAll(async () => {
  s = await startSecureServices();
  a = await s.createTenant('a');
  b = await s.createTenant('b');
  for (const [t, dev] of [[a, `el-${a.id}`], [b, `el-${b.id}`]] as const) {
    expect((await s.api('POST', `/api/tenants/${t.id}/devices`, t.apiToken, { id: dev, kind: 'electricity_meter' })).status).toBe(201);
    const c = await connect(t.mqtt.url, { username: t.mqtt.username, password: t.mqtt.password });
    clients.push(c);
    await c.publishAsync(`klimatpuls/${t.id}/${dev}/up`, reading(100), { qos: 1 });
  }
  for (const t of [a, b]) await waitFor(`${t.id}'s reading`, () => influxQuery(t.influx.readToken, rows(t.influx.bucket)), (r) => r.text.includes(`el-${t.id}`), 30_000);
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await s?.stop();
});

describe('storage isolation in InfluxDB', () => {
  it("tenant A's read token reads A's bucket, not B's (404) nor the main bucket, and cannot write", async () => {
    expect((await influxQuery(a.influx.readToken, rows(a.influx.bucket))).status).toBe(200);
    const other = await influxQuery(a.influx.readToken, rows(b.influx.bucket));
    expect([401, 403, 404]).toContain(other.status);
    expect(other.text).not.toContain(`el-${b.id}`);
    expect([401, 403, 404]).toContain((await influxQuery(a.influx.readToken, rows(s.config.INFLUX_BUCKET))).status);
    const write = await fetch(`${STACK.influxUrl}/api/v2/write?org=${STACK.influxOrg}&bucket=${a.influx.bucket}`, {
      method: 'POST', headers: { Authorization: `Token ${a.influx.readToken}` }, body: 'readings,tenant=x energy_total=1',
    });
    expect([401, 403]).toContain(write.status);
  });

  it("each tenant's bucket holds only its own readings; the operator's main bucket holds both", async () => {
    const aRows = (await influxQuery(a.influx.readToken, rows(a.influx.bucket))).text;
    expect(aRows).toContain(`el-${a.id}`);
    expect(aRows).not.toContain(`el-${b.id}`);
    const main = (await influxQuery(STACK.influxToken, rows(s.config.INFLUX_BUCKET))).text;
    expect(main).toContain(`el-${a.id}`);
    expect(main).toContain(`el-${b.id}`);
  });

  it("Grafana provisioning for A: its organization, its bucket, its token by file reference only", () => {
    const dir = `${s.dir}/grafana/${a.id}`;
    const ds = readFileSync(`${dir}/datasources/${a.id}.yaml`, 'utf8');
    expect(ds).toContain(`defaultBucket: "${a.influx.bucket}"`);
    expect(ds).toMatch(/token: "\$__file\{.*\.influx-read-token\}"/);
    expect(ds).not.toContain(a.influx.readToken);
    expect(JSON.parse(readFileSync(`${dir}/org.json`, 'utf8')).orgId).not.toBe(JSON.parse(readFileSync(`${s.dir}/grafana/${b.id}/org.json`, 'utf8')).orgId);
    expect(existsSync(`${dir}/dashboards/json/devices.json`)).toBe(true);
  });
});

describe('admin and tenant API (HTTPS)', () => {
  it('refuses requests without a valid token, and plain HTTP', async () => {
    expect((await s.api('GET', '/api/admin/tenants')).status).toBe(401);
    expect((await s.api('GET', '/api/admin/tenants', 'kpa_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
    expect((await s.api('GET', '/api/admin/tenants', a.apiToken)).status).toBe(403); // a tenant is not an admin
    await expect(fetch(s.adminUrl.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
  });

  it("tenant A cannot register or claim B's device (409), nor act on B's tenant (403)", async () => {
    const bDevice = `el-${b.id}`;
    const claim = await s.api('POST', `/api/tenants/${a.id}/devices`, a.apiToken, { id: bDevice.toUpperCase(), kind: 'electricity_meter' });
    expect(claim.status).toBe(409);
    expect(JSON.stringify(claim.body)).not.toContain(b.id); // does not say whose it is
    expect((await s.api('POST', `/api/tenants/${a.id}/devices`, a.apiToken, { id: s.operatorDevice, kind: 'temperature' })).status).toBe(409);
    expect((await s.api('POST', `/api/tenants/${b.id}/devices`, a.apiToken, { id: 'new-one', kind: 'electricity_meter' })).status).toBe(403);
    expect((await s.api('GET', `/api/tenants/${b.id}/devices`, a.apiToken)).status).toBe(403);
    expect((await s.api('DELETE', `/api/tenants/${b.id}/devices/${bDevice}`, a.apiToken)).status).toBe(403);
    expect((await s.api('DELETE', `/api/tenants/${a.id}/devices/${bDevice}`, a.apiToken)).status).toBe(404);
    const bList = await s.api('GET', `/api/tenants/${b.id}/devices`, b.apiToken);
    expect(bList.body.devices.map((d: { id: string }) => d.id)).toContain(bDevice);
  });

  it("a reading A publishes for B's device is dead-lettered (tenant_mismatch), never stored for B", async () => {
    await clients[0]!.publishAsync(`klimatpuls/${a.id}/el-${b.id}/up`, reading(999_999, '2025-03-02T10:00:00Z'), { qos: 1 });
    const dls = await waitFor('the dead letter', () => readTopic(s.config.DEADLETTER_TOPIC), (l) => l.some((m) => m.value.includes('tenant_mismatch')), 30_000);
    expect(dls.map((m) => JSON.parse(m.value).reason)).toContain('tenant_mismatch');
    expect((await influxQuery(b.influx.readToken, rows(b.influx.bucket))).text).not.toContain('999999');
  });

  it("dry run: A sees what its message would become, with only its own devices visible", async () => {
    const own = await s.api('POST', `/api/tenants/${a.id}/dry-run`, a.apiToken, { topic: `klimatpuls/${a.id}/el-${a.id}/up`, payload: JSON.parse(reading(5)) });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ topicAllowed: true, wouldStore: 1, rejected: [] });
    const foreign = await s.api('POST', `/api/tenants/${a.id}/dry-run`, a.apiToken, { topic: `klimatpuls/${b.id}/el-${b.id}/up`, payload: reading(5) });
    expect(foreign.body.topicAllowed).toBe(false);
    expect(foreign.body.rejected[0].reason).toBe('unknown_device');
  });

  it('every change is in the audit log, with its actor, and the log holds no secret', async () => {
    const audit = await s.api('GET', '/api/admin/audit?limit=1000', s.adminToken);
    const actions = audit.body.entries.map((e: { action: string; tenant?: string }) => `${e.action}:${e.tenant ?? ''}`);
    expect(actions).toEqual(expect.arrayContaining([`tenant.create:${a.id}`, `tenant.create:${b.id}`, `device.add:${a.id}`, `device.add:${b.id}`]));
    expect(audit.body.entries.find((e: { action: string }) => e.action === 'device.add').actor.kind).toBe('tenant');
  });
});

describe("the operator's HTTP API (writer / start, 8080-8082) over the real InfluxDB", () => {
  it("answers only an operator or admin token: not anonymous, not a tenant's token for another tenant's readings", async () => {
    const store = await buildStore(s.config, s.tenants.store);
    const http = new HttpServer({ host: '127.0.0.1', port: 0, telemetry: new Telemetry({ defaultMetrics: false }), store, logger: createLogger('silent'), readiness: {}, auth: operatorAuth(s.config, s.tenants) });
    const url = await http.start();
    try {
      const get = (path: string, token?: string) => fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const anonymous = await get(`/api/readings/latest?tenant=${b.id}`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.text()).not.toContain(`el-${b.id}`);
      expect((await get('/metrics')).status).toBe(401);
      const asA = await get(`/api/readings/latest?tenant=${b.id}`, a.apiToken);
      expect(asA.status).toBe(403);
      expect(await asA.text()).not.toContain(`el-${b.id}`);
      const asAdmin = await get(`/api/readings/latest?tenant=${b.id}`, s.adminToken);
      expect(asAdmin.status).toBe(200); // (the readings of 2025 are older than the latest-readings window: the list is empty)
      expect(Array.isArray(((await asAdmin.json()) as { readings: unknown }).readings)).toBe(true);
      expect((await get('/healthz')).status).toBe(200);
    } finally {
      await http.stop();
      await store.close();
    }
  });
});

describe('input limits in the gateway', () => {
  it('over the per-device rate (burst 3), messages are dead-lettered as rate_limited, not dropped', async () => {
    const device = `rl-${a.id}`;
    expect((await s.api('POST', `/api/tenants/${a.id}/devices`, a.apiToken, { id: device, kind: 'electricity_meter' })).status).toBe(201);
    for (let i = 0; i < 6; i++) await clients[0]!.publishAsync(`klimatpuls/${a.id}/${device}/up`, reading(200 + i, `2025-03-03T10:0${i}:00Z`), { qos: 1 });
    const limited = await waitFor('3 rate_limited dead letters', async () => (await readTopic(s.config.DEADLETTER_TOPIC)).filter((m) => m.value.includes('rate_limited') && m.value.includes(device)), (l) => l.length >= 3, 30_000);
    expect(limited).toHaveLength(3);
    const stored = await waitFor('3 stored readings', async () => (await influxQuery(a.influx.readToken, rows(a.influx.bucket))).text.split('\n').filter((l) => l.includes(device)), (l) => l.length >= 3, 30_000);
    expect(stored).toHaveLength(3);
  });
});

describe('disabling a tenant', () => {
  it("revokes its API and read tokens at once; its data stays; enabling restores them", async () => {
    expect((await s.api('POST', `/api/admin/tenants/${b.id}/disable`, s.adminToken)).status).toBe(200);
    const refused = await influxQuery(b.influx.readToken, rows(b.influx.bucket)); // inactive token: InfluxDB answers 401 or 404
    expect([401, 404]).toContain(refused.status);
    expect(refused.text).not.toContain(`el-${b.id}`);
    expect((await s.api('GET', `/api/tenants/${b.id}`, b.apiToken)).status).toBe(401);
    expect((await influxQuery(STACK.influxToken, rows(b.influx.bucket))).text).toContain(`el-${b.id}`); // data stays
    expect((await s.api('POST', `/api/tenants/${b.id}/devices`, s.adminToken, { id: `x-${b.id}`, kind: 'electricity_meter' })).status).toBe(403);
    expect((await s.api('POST', `/api/admin/tenants/${b.id}/enable`, s.adminToken)).status).toBe(200);
    expect((await influxQuery(b.influx.readToken, rows(b.influx.bucket))).text).toContain(`el-${b.id}`);
    expect((await s.api('GET', `/api/tenants/${b.id}`, b.apiToken)).status).toBe(200);
  });
});

it('no issued secret appears in a log line, the audit log or the registry file', () => {
  assertNoSecrets({ 'a Klimatpuls log line': s.lines, 'the audit log': fileLines(`${s.dir}/tenants/audit.ndjson`), 'the tenant registry': fileLines(`${s.dir}/tenants/tenants.json`) }, s.secrets);
});
