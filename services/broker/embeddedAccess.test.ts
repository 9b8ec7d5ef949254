import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { EmbeddedBroker } from './embeddedBroker.js';
import { AuditLog } from '../tenants/auditLog.js';
import { TenantService } from '../tenants/tenantService.js';
import { TenantStore } from '../tenants/tenantStore.js';
import { EmbeddedAccess } from './embeddedAccess.js';
import { PIPELINE_MQTT_USERNAME } from './mqttIdentity.js';

const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-embedded-access-'));
const log = createLogger('silent');
const store = new TenantStore(join(dir, 'tenants'));
const svc = new TenantService({ store, audit: new AuditLog(join(dir, 'audit.ndjson')), logger: log, secretsDir: join(dir, 's'), mqtt: { url: 'x' } });
const admin = { kind: 'admin' as const, id: 't' };
execFileSync('bash', [join(PACKAGE_ROOT, 'deploy/tls/make-certs.sh'), join(dir, 'tls')], { stdio: 'ignore' });
const pipeline = { username: PIPELINE_MQTT_USERNAME, password: 'the-pipeline-password-of-this-test' };
const broker = new EmbeddedBroker({
  host: '127.0.0.1', port: 0, tenantPort: 0, logger: log, access: new EmbeddedAccess(store, log, pipeline.password),
  tls: { cert: readFileSync(join(dir, 'tls/server.crt')), key: readFileSync(join(dir, 'tls/server.key')), port: 0 },
});
const clients: MqttClient[] = [];
const connect = async (url: string, o: mqtt.IClientOptions = {}) => {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...o });
  clients.push(c);
  return c;
};
const creds: Record<string, { username: string; password: string; clientId: string }> = {};

beforeAll(async () => {
  await broker.start();
  for (const id of ['a', 'b']) {
    const { username, password, clientId } = (await svc.create({ id }, admin)).credentials.mqtt!;
    creds[id] = { username, password, clientId };
  }
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await broker.stop();
  store.close();
});

describe('embedded broker tenant access (aedes hooks)', () => {
  it('refuses anonymous and wrong credentials on the tenant listeners', async () => {
    await expect(connect(broker.urls.tenant!)).rejects.toThrow(/Not authorized/);
    await expect(connect(broker.urls.tls!, { ca: readFileSync(join(dir, 'tls/ca.crt')) })).rejects.toThrow(/Not authorized/);
    await expect(connect(broker.urls.tenant!, { clientId: 'a', username: 'a', password: creds.b!.password })).rejects.toThrow(/Bad username/);
    await expect(connect(broker.urls.tenant!, { clientId: PIPELINE_MQTT_USERNAME, ...pipeline })).rejects.toThrow(/Bad username/);
    await connect(broker.urls.tls!, { ca: readFileSync(join(dir, 'tls/ca.crt')), ...creds.a });
  });

  it('the internal (pipeline) listener takes only the pipeline user: anonymous clients and tenants are refused', async () => {
    // Before: an anonymous client there subscribed to `#` saw every tenant's messages and could publish as any tenant.
    await expect(connect(broker.urls.internal!)).rejects.toThrow(/Not authorized/);
    await expect(connect(broker.urls.internal!, { clientId: 'spy', username: 'nobody', password: 'x' })).rejects.toThrow(/Not authorized/);
    await expect(connect(broker.urls.internal!, creds.b)).rejects.toThrow(/Not authorized/);
    await expect(connect(broker.urls.internal!, { username: PIPELINE_MQTT_USERNAME, password: 'wrong' })).rejects.toThrow(/Bad username/);
    const p = await connect(broker.urls.internal!, { clientId: 'klimatpuls-sim-1', ...pipeline });
    await p.subscribeAsync('#', { qos: 1 }); // the pipeline itself sees everything
  });

  it("a tenant cannot take over the gateway's session nor kick another tenant's client: its client id must be its username", async () => {
    const ca = readFileSync(join(dir, 'tls/ca.crt'));
    const gw = await connect(broker.urls.internal!, { clientId: 'klimatpuls-gateway', clean: false, ...pipeline });
    await gw.subscribeAsync('klimatpuls/+/+/up', { qos: 1 });
    const b = await connect(broker.urls.tenant!, creds.b);
    const closes: string[] = [];
    gw.on('close', () => closes.push('gateway'));
    b.on('close', () => closes.push('b'));
    // Before: accepted, and the gateway (or B) was disconnected and its session taken.
    for (const clientId of ['klimatpuls-gateway', 'b', '']) {
      await expect(connect(broker.urls.tenant!, { ...creds.a, clientId, clean: true })).rejects.toThrow(/Identifier rejected/);
      await expect(connect(broker.urls.tls!, { ca, ...creds.a, clientId, clean: true })).rejects.toThrow(/Identifier rejected/);
    }
    // An unknown user is refused the same way (no registry lookup before the id rule).
    await expect(connect(broker.urls.tenant!, { username: 'no-such', password: 'x', clientId: 'klimatpuls-gateway' })).rejects.toThrow(/Identifier rejected/);
    // Neither victim was disconnected: the gateway still gets what B publishes (tenants publish only).
    const gwGot: string[] = [];
    gw.on('message', (_t, p) => gwGot.push(p.toString()));
    await b.publishAsync('klimatpuls/b/m-1/up', 'after-the-attempts', { qos: 1 });
    await expect.poll(() => gwGot.includes('after-the-attempts'), { timeout: 10_000 }).toBe(true);
    expect(closes).toEqual([]);
    expect(gw.connected && b.connected).toBe(true);
    await connect(broker.urls.tenant!, creds.a); // its own id is fine
  });

  it('tenant ids starting with klimatpuls are reserved for the pipeline', async () => {
    for (const id of ['klimatpuls', 'klimatpuls-gateway', 'klimatpuls-sim-1']) {
      await expect(svc.create({ id }, admin)).rejects.toThrow(/reserved/);
    }
  });

  it("confines a tenant to its topics: subscriptions refused (0x80, tenants publish only), foreign publishes close the connection", async () => {
    const watcher = await connect(broker.urls.internal!, pipeline);
    const seen: string[] = [];
    watcher.on('message', (t) => seen.push(t));
    await watcher.subscribeAsync('#', { qos: 1 });
    const a = await connect(broker.urls.tenant!, creds.a);
    await expect(a.subscribeAsync('klimatpuls/b/#')).rejects.toMatchObject({ packet: { granted: [128] } });
    await expect(a.subscribeAsync('#')).rejects.toMatchObject({ packet: { granted: [128] } });
    await expect(a.subscribeAsync('klimatpuls/a/#', { qos: 1 })).rejects.toMatchObject({ packet: { granted: [128] } });
    const aGot: string[] = [];
    a.on('message', (t) => aGot.push(t));
    await a.publishAsync('klimatpuls/a/d/up', 'own', { qos: 1 });
    const closed = new Promise<void>((r) => a.once('close', () => r()));
    a.publish('klimatpuls/b/d/up', 'foreign', { qos: 1 });
    await closed;
    const b = await connect(broker.urls.tenant!, creds.b);
    await b.publishAsync('klimatpuls/b/d/up', 'b-own', { qos: 1 });
    await expect.poll(() => seen).toContain('klimatpuls/b/d/up');
    expect(seen.filter((t) => t === 'klimatpuls/b/d/up')).toHaveLength(1); // B's own, not A's
    expect(seen).toContain('klimatpuls/a/d/up');
    expect(aGot).toEqual([]);
  });

  it('disconnects a disabled tenant at once and refuses it until enabled', async () => {
    const a = await connect(broker.urls.tenant!, creds.a);
    const closed = new Promise<void>((r) => a.once('close', () => r()));
    await svc.setStatus('a', 'disabled', admin);
    await closed;
    await expect(connect(broker.urls.tenant!, creds.a)).rejects.toThrow(/Bad username/);
    await svc.setStatus('a', 'active', admin);
    await connect(broker.urls.tenant!, creds.a);
  });

  it('a rotated password drops connections made with the old one', async () => {
    const b = await connect(broker.urls.tenant!, creds.b);
    const closed = new Promise<void>((r) => b.once('close', () => r()));
    const rotated = (await svc.rotateMqttPassword('b', admin)).credentials.mqtt!;
    await closed;
    await expect(connect(broker.urls.tenant!, creds.b)).rejects.toThrow(/Bad username/);
    await connect(broker.urls.tenant!, { username: rotated.username, password: rotated.password, clientId: rotated.clientId });
  });
});
