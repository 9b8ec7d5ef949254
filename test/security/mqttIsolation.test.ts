import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK, waitFor } from '../helpers/stack.js';
import { startSecureServices, type SecureServices, type TestTenant } from './secureServices.js';
import { assertNoSecrets, collect, connect, fileLines, influxQuery, sleep } from './support.js';

/**
 * MQTT isolation with the real Mosquitto: the tenant listeners (password + ACL
 * files Klimatpuls writes, TLS on the second one) refuse anonymous clients, confine
 * each tenant to its own topics and to its own client id (its username), and drop a
 * disabled tenant at once; the pipeline listener takes only the pipeline user.
 * (Mosquitto: one connection per tenant username, a second one replaces the first,
 * so the markers below are published by the pipeline user.)
 */
let s: SecureServices;
let a: TestTenant;
let b: TestTenant;
const clients: MqttClient[] = [];
const track = (c: MqttClient) => (clients.push(c), c);

beforeAll(async () => {
  s = await startSecureServices();
  a = await s.createTenant('a');
  b = await s.createTenant('b');
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await s?.stop();
});

/** Publishes a marker on B's own topic (as the pipeline) and waits until every listed client got it. */
async function markerReaches(receivers: Array<Array<{ topic: string; payload: string }>>): Promise<void> {
  const pub = track(await connect(STACK.mqttUrl, STACK.mqttAuth));
  const marker = `marker-${Date.now()}-${Math.random()}`;
  await pub.publishAsync(`klimatpuls/${b.id}/marker/up`, marker, { qos: 1 });
  await waitFor('the marker', async () => receivers.every((r) => r.some((m) => m.payload === marker)), Boolean, 10_000);
}

describe('tenant listeners of the real Mosquitto', () => {
  it('refuse anonymous clients and wrong passwords, plain and TLS', async () => {
    await expect(connect(a.mqtt.url)).rejects.toThrow(/Not authorized/);
    await expect(connect(a.mqtt.tlsUrl, { ca: s.ca })).rejects.toThrow(/Not authorized/);
    await expect(connect(a.mqtt.url, { username: a.mqtt.username, password: b.mqtt.password })).rejects.toThrow(/Not authorized|Bad user/);
    await expect(connect(a.mqtt.url, { username: b.mqtt.username, password: a.mqtt.password })).rejects.toThrow(/Not authorized|Bad user/);
  });

  it("tenant A cannot publish into B's topics: nothing is delivered (MQTT 5: PUBACK 0x87)", async () => {
    const watcher = track(await connect(STACK.mqttUrl, STACK.mqttAuth)); // the pipeline user sees every topic
    const seen = collect(watcher);
    await watcher.subscribeAsync([`klimatpuls/${b.id}/#`, `tenants/${b.id}/#`], { qos: 1 });
    const a4 = track(await connect(a.mqtt.url, { username: a.mqtt.username, password: a.mqtt.password }));
    await a4.publishAsync(`klimatpuls/${b.id}/dev-1/up`, 'from-a-v4', { qos: 1 }); // 3.1.1: acknowledged, silently dropped
    await a4.publishAsync(`tenants/${b.id}/wmbusmeters/12345678`, 'from-a-v4-prefixed', { qos: 1 });
    const a5 = track(await connect(a.mqtt.url, { username: a.mqtt.username, password: a.mqtt.password, protocolVersion: 5 }));
    await expect(a5.publishAsync(`klimatpuls/${b.id}/dev-1/up`, 'from-a-v5', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });
    const aTls = track(await connect(a.mqtt.tlsUrl, { ca: s.ca, username: a.mqtt.username, password: a.mqtt.password }));
    await aTls.publishAsync(`klimatpuls/${b.id}/dev-1/up`, 'from-a-tls', { qos: 1 });

    await markerReaches([seen]);
    expect(seen.filter((m) => m.payload.startsWith('from-a'))).toEqual([]);
  });

  it("tenant A cannot subscribe to B's topics (or everything): nothing of B's reaches it", async () => {
    const aSub = track(await connect(a.mqtt.url, { username: a.mqtt.username, password: a.mqtt.password }));
    const aGot = collect(aSub);
    // Mosquitto's ACL file grants the SUBACK but never delivers what the ACL does not allow to read.
    for (const f of [`klimatpuls/${b.id}/#`, `tenants/${b.id}/#`, '#', 'klimatpuls/+/+/up']) await aSub.subscribeAsync(f, { qos: 1 }).catch(() => undefined);
    const watcher = track(await connect(STACK.mqttUrl, STACK.mqttAuth)); // tenants publish only (ACL write): the internal listener watches
    const bGot = collect(watcher);
    await watcher.subscribeAsync(`klimatpuls/${b.id}/#`, { qos: 1 });
    await markerReaches([bGot]);
    await sleep(300);
    expect(aGot).toEqual([]);
  });

  it('tenant A publishes under its own roots over TLS (8883) and its reading is stored in its bucket', async () => {
    const device = `el-${a.id}`;
    expect((await s.api('POST', `/api/tenants/${a.id}/devices`, a.apiToken, { id: device, kind: 'electricity_meter', site: 'hus-1' })).status).toBe(201);
    const aTls = track(await connect(a.mqtt.tlsUrl, { ca: s.ca, username: a.mqtt.username, password: a.mqtt.password }));
    await aTls.publishAsync(`klimatpuls/${a.id}/${device}/up`, JSON.stringify({ time: '2025-03-01T10:00:00Z', readings: [{ metric: 'energy_total', value: 6678394, unit: 'Wh' }] }), { qos: 1 });
    const flux = `from(bucket: "${a.influx.bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "readings")`;
    const r = await waitFor('the reading in A\'s bucket', () => influxQuery(a.influx.readToken, flux), (x) => x.status === 200 && x.text.includes(device), 30_000);
    expect(r.text).toContain('6678.394');
  });

  it('a disabled tenant is refused at once: connected clients dropped, new connections refused; enabling restores access', async () => {
    const connected = track(await connect(a.mqtt.url, { username: a.mqtt.username, password: a.mqtt.password }));
    const closed = new Promise<void>((r) => connected.once('close', () => r()));
    const res = await s.api('POST', `/api/admin/tenants/${a.id}/disable`, s.adminToken);
    expect(res.status).toBe(200);
    expect(res.body.tenant.status).toBe('disabled');
    await expect(Promise.race([closed.then(() => 'closed'), sleep(2000).then(() => 'still connected')])).resolves.toBe('closed');
    await expect(connect(a.mqtt.url, { username: a.mqtt.username, password: a.mqtt.password })).rejects.toThrow(/Not authorized|Bad user/);
    await expect(connect(a.mqtt.tlsUrl, { ca: s.ca, username: a.mqtt.username, password: a.mqtt.password })).rejects.toThrow(/Not authorized|Bad user/);
    expect((await s.api('GET', `/api/tenants/${a.id}/devices`, a.apiToken)).status).toBe(401);

    expect((await s.api('POST', `/api/admin/tenants/${a.id}/enable`, s.adminToken)).status).toBe(200);
    track(await connect(a.mqtt.url, { username: a.mqtt.username, password: a.mqtt.password }));
  });

  it('the pipeline listener takes only the pipeline user: anonymous clients and tenants are refused', async () => {
    // Before: an anonymous client on 1883 subscribed to `#` saw B's messages, and a forged reading was stored as B's.
    await expect(connect(STACK.mqttUrl)).rejects.toThrow(/Not authorized/);
    await expect(connect(STACK.mqttUrl, { username: b.mqtt.username, password: b.mqtt.password })).rejects.toThrow(/Not authorized|Bad user/);
    await expect(connect(STACK.mqttUrl, { username: STACK.mqttAuth.username, password: 'wrong' })).rejects.toThrow(/Not authorized|Bad user/);
    // The tenant listeners do not take the pipeline user.
    await expect(connect(b.mqtt.url, STACK.mqttAuth)).rejects.toThrow(/Not authorized|Bad user/);
  });

  it("a tenant cannot take over the gateway's session nor kick another tenant's client (client id = username)", async () => {
    const gatewayId = `klimatpuls-victim-${s.id}`;
    const gw = track(await connect(STACK.mqttUrl, { ...STACK.mqttAuth, clientId: gatewayId, clean: false }));
    const gwGot = collect(gw);
    await gw.subscribeAsync(`klimatpuls/${b.id}/#`, { qos: 1 });
    const bSub = track(await connect(b.mqtt.url, { username: b.mqtt.username, password: b.mqtt.password, clientId: b.mqtt.clientId }));
    const closes: string[] = [];
    gw.on('close', () => closes.push('gateway'));
    bSub.on('close', () => closes.push('b'));
    // Before: accepted with these ids, and the gateway (or B's meter) was disconnected and its session taken.
    for (const clientId of [gatewayId, s.config.MQTT_CLIENT_ID, b.mqtt.clientId]) {
      const aPlain = await connect(a.mqtt.url, { username: a.mqtt.username, password: a.mqtt.password, clientId }).catch((e: Error) => e);
      const aTls = await connect(a.mqtt.tlsUrl, { ca: s.ca, username: a.mqtt.username, password: a.mqtt.password, clientId }).catch((e: Error) => e);
      for (const c of [aPlain, aTls]) if (!(c instanceof Error)) track(c); // Mosquitto: accepted as client id `a`
    }
    await markerReaches([gwGot]); // tenants publish only: B's meter is watched through its connection state
    expect(closes).toEqual([]);
    expect(gw.connected && bSub.connected).toBe(true);
    expect(a.mqtt.clientId).toBe(a.mqtt.username);
  });

  it('no issued secret appears in a log line, the audit log, the registry file or the broker log', () => {
    assertNoSecrets(
      {
        'a Klimatpuls log line': s.lines,
        'the audit log': fileLines(`${s.dir}/tenants/audit.ndjson`),
        'the tenant registry': fileLines(`${s.dir}/tenants/tenants.json`),
        'the Mosquitto log': fileLines(s.stack.env.MOSQUITTO_PID_FILE!.replace(/pid$/, 'mosquitto.log')),
      },
      [...s.secrets, STACK.mqttAuth.password!],
    );
    expect(s.lines.length).toBeGreaterThan(10);
  });
});
