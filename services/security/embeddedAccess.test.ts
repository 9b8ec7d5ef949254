import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { EmbeddedBroker } from '../embedded/embeddedBroker.js';
import { AuditLog } from '../tenants/auditLog.js';
import { TenantService } from '../tenants/tenantService.js';
import { TenantStore } from '../tenants/tenantStore.js';
import { EmbeddedAccess } from './embeddedAccess.js';

const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-embedded-access-'));
const log = createLogger('silent');
const store = new TenantStore(join(dir, 'tenants'));
const svc = new TenantService({ store, audit: new AuditLog(join(dir, 'audit.ndjson')), logger: log, secretsDir: join(dir, 's'), mqtt: { url: 'x' } });
const admin = { kind: 'admin' as const, id: 't' };
execFileSync('bash', [join(PACKAGE_ROOT, 'deploy/tls/make-certs.sh'), join(dir, 'tls')], { stdio: 'ignore' });
const broker = new EmbeddedBroker({
  host: '127.0.0.1', port: 0, tenantPort: 0, logger: log, access: new EmbeddedAccess(store, log),
  tls: { cert: readFileSync(join(dir, 'tls/server.crt')), key: readFileSync(join(dir, 'tls/server.key')), port: 0 },
});
const clients: MqttClient[] = [];
const connect = async (url: string, o: mqtt.IClientOptions = {}) => {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...o });
  clients.push(c);
  return c;
};
const creds: Record<string, { username: string; password: string }> = {};

beforeAll(async () => {
  await broker.start();
  for (const id of ['a', 'b']) {
    const { username, password } = (await svc.create({ id }, admin)).credentials.mqtt!;
    creds[id] = { username, password };
  }
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await broker.stop();
  store.close();
});

describe('embedded broker tenant access (aedes hooks)', () => {
  it('refuses anonymous and wrong credentials on the tenant listeners; the internal listener stays open', async () => {
    await expect(connect(broker.urls.tenant!)).rejects.toThrow(/Not authorized/);
    await expect(connect(broker.urls.tls!, { ca: readFileSync(join(dir, 'tls/ca.crt')) })).rejects.toThrow(/Not authorized/);
    await expect(connect(broker.urls.tenant!, { username: 'a', password: creds.b!.password })).rejects.toThrow(/Bad username/);
    await connect(broker.urls.internal!);
    await connect(broker.urls.tls!, { ca: readFileSync(join(dir, 'tls/ca.crt')), ...creds.a });
  });

  it("confines a tenant to its topics: subscriptions refused (0x80, tenants publish only), foreign publishes close the connection", async () => {
    const watcher = await connect(broker.urls.internal!);
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
    await connect(broker.urls.tenant!, { username: rotated.username, password: rotated.password });
  });
});
