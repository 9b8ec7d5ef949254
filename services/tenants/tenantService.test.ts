import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { MosquittoAccess } from '../broker/mosquittoAccess.js';
import { AccessTokens } from './accessTokens.js';
import { AuditLog } from './auditLog.js';
import { DeviceService } from './deviceService.js';
import { InfluxTenants } from '../sinks/influx/influxTenants.js';
import { TenantService } from './tenantService.js';
import { TenantStore } from './tenantStore.js';

/** A stand-in for InfluxDB's bucket and authorization API, recording the calls. */
const calls: string[] = [];
const influx = createServer((req, res) => {
  calls.push(`${req.method} ${req.url!.split('?')[0]}`);
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const send = (status: number, json?: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(json ? JSON.stringify(json) : undefined);
    if (req.url!.startsWith('/api/v2/orgs')) return send(200, { orgs: [{ id: 'org1' }] });
    if (req.method === 'GET' && req.url!.startsWith('/api/v2/buckets')) return send(404, { code: 'not found' });
    if (req.method === 'POST' && req.url === '/api/v2/buckets') return send(201, { id: `bucket-${JSON.parse(body).name}` });
    if (req.method === 'POST' && req.url === '/api/v2/authorizations') return send(201, { id: 'auth1', token: 'influx-read-token-0123456789' });
    if (req.method === 'PATCH') return send(200, { status: JSON.parse(body).status });
    send(404);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-tenant-service-'));
const log = createLogger('silent');
const fileRegistry = new DeviceRegistry([{ id: 'op-1', tenant: 'kalmar', kind: 'temperature', params: {} }]);
let hupChild: ReturnType<typeof spawn>;
let svc: TenantService;
let devices: DeviceService;
let tokens: AccessTokens;
let store: TenantStore;
const hups: string[] = [];

beforeAll(async () => {
  await new Promise<void>((r) => influx.listen(0, '127.0.0.1', () => r()));
  // A process standing in for Mosquitto: it reports every SIGHUP.
  hupChild = spawn(process.execPath, ['-e', "process.on('SIGHUP',()=>console.log('HUP'));setInterval(()=>{},1000);console.log('ready')"]);
  hupChild.stdout!.on('data', (b: Buffer) => hups.push(...b.toString().trim().split('\n')));
  await new Promise((r) => hupChild.stdout!.once('data', r));
  writeFileSync(join(dir, 'mosquitto.pid'), `${hupChild.pid}\n`);
  store = new TenantStore(join(dir, 'tenants'));
  const audit = new AuditLog(join(dir, 'tenants', 'audit.ndjson'));
  svc = new TenantService({
    store, audit, logger: log, secretsDir: join(dir, 'secrets'), mqtt: { url: 'mqtt://127.0.0.1:1884' },
    mosquitto: new MosquittoAccess({ passwordFile: join(dir, 'passwd'), aclFile: join(dir, 'acl'), pidFile: join(dir, 'mosquitto.pid'), logger: log }),
    influx: new InfluxTenants({ url: `http://127.0.0.1:${(influx.address() as AddressInfo).port}`, token: 'op', org: 'klimatpuls', bucketPrefix: 'tenant-' }),
    grafana: { dir: join(dir, 'grafana'), secretsDir: '/run/secrets', influxUrl: 'http://influxdb:8086', influxOrg: 'klimatpuls' },
  });
  devices = new DeviceService(store, fileRegistry, audit);
  tokens = new AccessTokens(store, audit);
});

afterAll(() => {
  hupChild.kill();
  influx.close();
});

const admin = { kind: 'admin' as const, id: 'test' };

describe('TenantService', () => {
  it('creates a tenant: credentials once, hashes stored, broker files written and reloaded, bucket and read token, Grafana files', async () => {
    const r = await svc.create({ id: 'kalmarhem', name: 'Kalmarhem' }, admin);
    expect(r.warnings).toEqual([]);
    const { mqtt, apiToken, influx: read } = r.credentials;
    expect(mqtt).toMatchObject({ url: 'mqtt://127.0.0.1:1884', username: 'kalmarhem', topics: { native: 'klimatpuls/kalmarhem/{deviceId}/up' } });
    expect(read).toMatchObject({ bucket: 'tenant-kalmarhem', readToken: 'influx-read-token-0123456789' });
    expect(calls).toEqual(expect.arrayContaining(['POST /api/v2/buckets', 'POST /api/v2/authorizations']));
    const files = ['tenants/tenants.json', 'tenants/audit.ndjson', 'passwd', 'acl', 'grafana/kalmarhem/datasources/kalmarhem.yaml'].map((f) => readFileSync(join(dir, f), 'utf8'));
    for (const f of files) for (const secret of [mqtt!.password, apiToken!, read!.readToken]) expect(f).not.toContain(secret);
    expect(readFileSync(join(dir, 'passwd'), 'utf8')).toMatch(/^kalmarhem:\$7\$101\$/);
    expect(readFileSync(join(dir, 'acl'), 'utf8')).toContain('user kalmarhem\ntopic write klimatpuls/kalmarhem/#');
    expect(readFileSync(join(dir, 'secrets', 'kalmarhem.influx-read-token'), 'utf8')).toBe(read!.readToken);
    await expect.poll(() => hups.filter((h) => h === 'HUP').length).toBeGreaterThanOrEqual(1);
    expect(await tokens.authenticate(`Bearer ${apiToken}`)).toMatchObject({ kind: 'tenant', tenant: 'kalmarhem' });
    await expect(svc.create({ id: 'kalmarhem' }, admin)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(svc.create({ id: 'Bad Id' }, admin)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('disable removes the tenant from the broker files, turns its read token off and refuses its API token; enable reverses it', async () => {
    const { credentials } = await svc.rotateApiToken('kalmarhem', admin);
    await svc.setStatus('kalmarhem', 'disabled', admin);
    expect(readFileSync(join(dir, 'passwd'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'acl'), 'utf8')).not.toContain('kalmarhem');
    expect(calls).toContain('PATCH /api/v2/authorizations/auth1');
    await expect(tokens.authenticate(`Bearer ${credentials.apiToken}`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await svc.setStatus('kalmarhem', 'active', admin);
    expect(readFileSync(join(dir, 'passwd'), 'utf8')).toMatch(/^kalmarhem:/);
    expect(await tokens.authenticate(`Bearer ${credentials.apiToken}`)).toMatchObject({ tenant: 'kalmarhem' });
  });

  it('a device id belongs to one tenant: taken ids are a conflict, others cannot remove it', async () => {
    await svc.create({ id: 'hsb' }, admin);
    const hsb = { kind: 'tenant' as const, id: 'hsb/x' };
    await devices.addBuilding('kalmarhem', { id: 'norrgard', params: { atemp_m2: 1200 } }, admin);
    expect(await devices.addDevice('kalmarhem', { id: 'EL-1', kind: 'electricity_meter', site: 'norrgard', tenant: 'hsb' }, admin)).toMatchObject({ tenant: 'kalmarhem', params: { atemp_m2: 1200 } });
    await expect(devices.addDevice('hsb', { id: 'el-1', kind: 'electricity_meter' }, hsb)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(devices.addDevice('hsb', { id: 'OP-1', kind: 'temperature' }, hsb)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(devices.removeDevice('hsb', 'el-1', hsb)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(devices.addDevice('hsb', { id: 'x', kind: 'nonsense' }, hsb)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(devices.removeBuilding('kalmarhem', 'norrgard', admin)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(devices.listDevices('kalmarhem').map((d) => d.id)).toEqual(['EL-1']);
    await devices.removeDevice('kalmarhem', 'el-1', admin);
    expect(devices.listDevices('kalmarhem')).toEqual([]);
    // The operator's registry-file devices show under their tenant, read-only.
    await svc.create({ id: 'kalmar' }, admin);
    expect(devices.listDevices('kalmar').map((d) => [d.id, d.source])).toEqual([['op-1', 'registry-file']]);
    await expect(devices.removeDevice('kalmar', 'op-1', admin)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('audits every change with its actor and without secrets', () => {
    const lines = readFileSync(join(dir, 'tenants', 'audit.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.action)).toEqual([
      'tenant.create', 'tenant.api-token.rotate', 'tenant.disable', 'tenant.enable', 'tenant.create', 'building.add', 'device.add', 'device.remove', 'tenant.create',
    ]);
    expect(lines.every((l) => l.actor.kind === 'admin' && typeof l.time === 'string')).toBe(true);
  });

  it('admin tokens: issued once, stored hashed, revocable', async () => {
    const t = await tokens.createAdminToken('ops', admin);
    expect(await tokens.authenticate(`Bearer ${t.token}`)).toEqual({ kind: 'admin', id: t.id });
    expect(JSON.stringify(store.read())).not.toContain(t.token);
    await tokens.revokeAdminToken(t.id, admin);
    await expect(tokens.authenticate(`Bearer ${t.token}`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    for (const h of [undefined, '', 'Basic x', 'Bearer nonsense']) await expect(tokens.authenticate(h)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
