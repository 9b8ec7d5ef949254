import { connect as tcp, type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK } from '../helpers/stack.js';
import { startSecureServices, type SecureServices, type TestTenant } from './secureServices.js';
import { collect, connect, sleep } from './support.js';

/**
 * Issue 13, items 8 and 9 against the real Mosquitto (deploy/stack/stack.sh): a packet
 * over max_packet_size is refused at its header, before authentication; a tenant can
 * leave nothing in the broker: no retained message (retain_available false), no
 * subscription (the ACL lets tenants write only), so nothing is queued for its
 * offline session. Login throttling is not Mosquitto's (docs/threat-model: residual).
 */
let s: SecureServices;
let b: TestTenant;
const clients: MqttClient[] = [];
const sockets: Socket[] = [];
const track = (c: MqttClient) => (clients.push(c), c);

beforeAll(async () => {
  s = await startSecureServices();
  b = await s.createTenant('lim');
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  for (const x of sockets) x.destroy();
  await s?.stop();
});

describe('limits of the real Mosquitto', () => {
  it('closes an unauthenticated CONNECT announcing 256 MB at its header (max_packet_size)', async () => {
    const len = [0xff, 0xff, 0xff, 0x7f]; // 268,435,455: the MQTT maximum
    const closed = await Promise.all([1, 2, 3, 4].map(() => new Promise<boolean>((resolve) => {
      const sock = tcp(Number(new URL(b.mqtt.url).port), '127.0.0.1');
      sockets.push(sock);
      let wrote = 0;
      let done = false;
      const block = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!done && wrote < 16 * 1024 * 1024) {
          wrote += block.length;
          if (!sock.write(block)) return void sock.once('drain', pump);
        }
      };
      sock.on('connect', () => (sock.write(Buffer.from([0x10, ...len])), pump()));
      sock.on('error', () => undefined);
      sock.on('close', () => ((done = true), resolve(true)));
      setTimeout(() => resolve(false), 8000).unref();
    })));
    expect(closed).toEqual([true, true, true, true]); // before: all four open, 64 MB held
  });

  it("a tenant's retained publish closes its connection and nothing is retained", async () => {
    const t = track(await connect(b.mqtt.url, { username: b.mqtt.username, password: b.mqtt.password }));
    const closed = new Promise<void>((r) => t.once('close', () => r()));
    t.publish(`klimatpuls/${b.id}/r/up`, 'retained-by-tenant', { qos: 1, retain: true });
    await expect(Promise.race([closed.then(() => 'closed'), sleep(5000).then(() => 'open')])).resolves.toBe('closed');
    const watcher = track(await connect(STACK.mqttUrl, STACK.mqttAuth));
    const got = collect(watcher);
    await watcher.subscribeAsync(`klimatpuls/${b.id}/#`, { qos: 1 });
    await sleep(500);
    expect(got.filter((m) => m.payload === 'retained-by-tenant')).toEqual([]);
  });

  it('a tenant receives nothing on its own topics, and nothing is queued for its offline persistent session', async () => {
    const opts = { username: b.mqtt.username, password: b.mqtt.password, clientId: `${b.id}-offline`, clean: false };
    const t = track(await connect(b.mqtt.url, opts));
    const live = collect(t);
    await t.subscribeAsync(`klimatpuls/${b.id}/#`, { qos: 1 }).catch(() => undefined); // 3.1.1: SUBACK 0x80 or granted, never delivered
    const pub = track(await connect(STACK.mqttUrl, STACK.mqttAuth));
    await pub.publishAsync(`klimatpuls/${b.id}/q/up`, 'live', { qos: 1 });
    await sleep(300);
    await t.endAsync();
    for (let i = 0; i < 20; i++) await pub.publishAsync(`klimatpuls/${b.id}/q/up`, Buffer.alloc(100 * 1024, 0x62), { qos: 1 });
    const again = track(await connect(b.mqtt.url, opts));
    const queued = collect(again);
    await sleep(1000);
    expect(live).toEqual([]);
    expect(queued).toEqual([]); // before: the 20 × 100 kB were held and delivered
  });
});
