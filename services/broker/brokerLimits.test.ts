import { mkdtempSync } from 'node:fs';
import { connect as tcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { EmbeddedBroker } from './embeddedBroker.js';
import { AuditLog } from '../tenants/auditLog.js';
import { TenantService } from '../tenants/tenantService.js';
import { TenantStore } from '../tenants/tenantStore.js';
import { EmbeddedAccess } from './embeddedAccess.js';
import { LoginThrottle } from '../security/loginThrottle.js';
import { SecretVerifier } from '../security/secretVerifier.js';
import { PIPELINE_MQTT_USERNAME } from './mqttIdentity.js';

/**
 * Issue 13, items 8–10 against the real aedes: pre-auth packet size, connection
 * counts, CONNECT timeout, failed-login throttle, and what a tenant may leave in the
 * broker (no retained messages, no subscriptions, so nothing queued for it).
 */
const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-broker-limits-'));
const log = createLogger('silent');
const store = new TenantStore(join(dir, 'tenants'));
const svc = new TenantService({ store, audit: new AuditLog(join(dir, 'audit.ndjson')), logger: log, secretsDir: join(dir, 's'), mqtt: { url: 'x' } });
const verifier = new SecretVerifier();
const PIPELINE_PASSWORD = 'pipeline-test-password-0123456789';
const pipeline = { username: PIPELINE_MQTT_USERNAME, password: PIPELINE_PASSWORD };
const broker = new EmbeddedBroker({
  host: '127.0.0.1', port: 0, tenantPort: 0, logger: log,
  access: new EmbeddedAccess(store, log, PIPELINE_PASSWORD, new LoginThrottle({ failuresPerMin: 5, verifier })),
  limits: { maxPacketBytes: 320 * 1024, maxConnections: 50, maxConnectionsPerAddress: 4, connectTimeoutMs: 1500 },
});
const clients: MqttClient[] = [];
const sockets: Socket[] = [];
const creds: Record<string, { username: string; password: string }> = {};
const connect = async (o: mqtt.IClientOptions = {}, url = broker.urls.tenant!) => {
  // A tenant's client id is its username (mqttIdentity.ts).
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...(o.username ? { clientId: o.username } : {}), ...o });
  clients.push(c);
  return c;
};
const port = () => Number(new URL(broker.urls.tenant!).port);

/** A raw socket that writes `head`, then up to `send` bytes; resolves whether the broker closed it within `ms`. */
function raw(head: Buffer, send = 0, ms = 8000): Promise<{ closed: boolean; wrote: number }> {
  return new Promise((resolve) => {
    const s = tcp(port(), '127.0.0.1');
    sockets.push(s);
    let wrote = 0;
    let closed = false;
    const block = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (!closed && wrote < send) {
        wrote += block.length;
        if (!s.write(block)) return void s.once('drain', pump);
      }
    };
    s.on('connect', () => (s.write(head), pump()));
    s.on('error', () => undefined);
    s.on('close', () => ((closed = true), resolve({ closed, wrote })));
    setTimeout(() => resolve({ closed, wrote }), ms).unref();
  });
}

/** A fixed header (type byte, remaining length varint). */
function header(type: number, remaining: number): Buffer {
  const out = [type];
  do {
    let b = remaining % 128;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) b |= 0x80;
    out.push(b);
  } while (remaining > 0);
  return Buffer.from(out);
}

beforeAll(async () => {
  await broker.start();
  for (const id of ['a', 'b', 'c', 'd']) creds[id] = (await svc.create({ id }, { kind: 'admin', id: 't' })).credentials.mqtt!;
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  for (const s of sockets) s.destroy();
  await broker.stop();
  store.close();
});

describe('embedded broker limits before authentication', () => {
  it('closes a CONNECT that announces the MQTT maximum (256 MB) at its fixed header, before buffering it', async () => {
    const rss0 = process.memoryUsage().rss;
    const r = await Promise.all([1, 2, 3, 4].map(() => raw(header(0x10, 268_435_455), 16 * 1024 * 1024)));
    expect(r.map((x) => x.closed)).toEqual([true, true, true, true]); // before the fix: all open, 64 MB held
    expect(process.memoryUsage().rss - rss0).toBeLessThan(48 * 1024 * 1024); // generous: socket buffers, GC noise
  });

  it('closes a connection that sends more than 64 KiB before its CONNECT is accepted (within the packet limit)', async () => {
    const r = await raw(header(0x10, 200 * 1024), 150 * 1024); // incomplete: aedes would wait for the rest
    expect(r.closed).toBe(true);
  });

  it('closes a socket that never completes CONNECT after the connect timeout', async () => {
    const r = await raw(Buffer.alloc(0), 0, 10_000);
    expect(r.closed).toBe(true);
  });

  it('allows 4 connections per address; the 5th is closed at once, and one more fits when one leaves', async () => {
    const held = await Promise.all(['a', 'b', 'c', 'd'].map((t) => connect(creds[t])));
    const fifth = await raw(Buffer.alloc(0), 0, 5000);
    expect(fifth.closed).toBe(true);
    await held[0]!.endAsync(true);
    await expect.poll(() => broker['tenantGuard']!.connectionsFrom('127.0.0.1'), { timeout: 5000 }).toBe(3);
    await connect(creds.a);
    for (const c of held) c.end(true);
    await expect.poll(() => broker['tenantGuard']!.connectionsFrom('127.0.0.1'), { timeout: 5000 }).toBeLessThanOrEqual(1);
    clients.splice(0).forEach((c) => c.end(true));
  });
});

describe('failed logins', () => {
  it('refuses the 6th wrong password from an address without a verification; a known tenant still logs in', async () => {
    await connect(creds.b); // b is now known from this address
    const v0 = verifier.verifications;
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) {
      codes.push(await connect({ username: creds.a!.username, password: `wrong-${i}` }).then(() => 0, (e) => e.code));
    }
    expect(codes.slice(0, 5)).toEqual([4, 4, 4, 4, 4]);
    expect(codes.slice(5)).toEqual([3, 3, 3]); // throttled: "server unavailable", no scrypt
    expect(verifier.verifications - v0).toBe(5);
    // an unknown user is throttled the same way (no answer tells who exists)
    await expect(connect({ username: 'nobody', password: 'x' })).rejects.toMatchObject({ code: 3 });
    expect(verifier.verifications - v0).toBe(5);
    await connect(creds.b); // known pair: its own bucket, not the flooded address's
    expect(verifier.verifications - v0).toBe(6);
  });

  it('verifies an unknown user against a dummy hash (same cost as a wrong password)', async () => {
    const fresh = new SecretVerifier();
    const t = new LoginThrottle({ failuresPerMin: 0, verifier: fresh });
    expect(await t.check('nobody', '10.0.0.1', 'secret', undefined)).toBe('wrong');
    expect(await t.check('a', '10.0.0.1', 'wrong', store.tenant('a')!.mqtt.passwordHash)).toBe('wrong');
    expect(fresh.verifications).toBe(2);
  });
});

describe('what a tenant may leave in the broker', () => {
  it('a retained publish of a tenant closes its connection and nothing is retained', async () => {
    const b = await connect(creds.b);
    const closed = new Promise<void>((r) => b.once('close', () => r()));
    b.publish('klimatpuls/b/d/up', 'retained', { qos: 1, retain: true });
    await closed;
    const watcher = await connect(pipeline, broker.urls.internal!);
    const got: string[] = [];
    watcher.on('message', (_t, p) => got.push(p.toString()));
    await watcher.subscribeAsync('klimatpuls/b/#', { qos: 1 });
    await new Promise((r) => setTimeout(r, 500));
    expect(got).toEqual([]);
  });

  it('a tenant cannot subscribe, so nothing is queued for its offline persistent session', async () => {
    const opts = { ...creds.b, clientId: 'b', clean: false };
    const b = await connect(opts);
    await expect(b.subscribeAsync('klimatpuls/b/#', { qos: 1 })).rejects.toMatchObject({ packet: { granted: [128] } });
    await b.endAsync();
    const pub = await connect(pipeline, broker.urls.internal!);
    for (let i = 0; i < 20; i++) await pub.publishAsync('klimatpuls/b/d/up', Buffer.alloc(100 * 1024), { qos: 1 });
    const again = await connect(opts);
    const got: string[] = [];
    again.on('message', (t) => got.push(t));
    await new Promise((r) => setTimeout(r, 500));
    expect(got).toEqual([]);
  });
});
