import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { EmbeddedBroker } from './embeddedBroker.js';

/**
 * The embedded broker's session backlog bound (sessionBacklog.ts) against the real aedes:
 * the gateway's persistent session is offline, a tenant floods QoS 1 messages far beyond
 * the bound; the broker holds at most the bound (plus one socket read per publisher), the
 * flooding publisher's PUBACKs wait, another tenant still gets its messages in, and when
 * the gateway comes back every message of both arrives, once.
 */
const clients: MqttClient[] = [];
let broker: EmbeddedBroker | undefined;
afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await broker?.stop();
  broker = undefined;
});

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

it('a publisher waits while the sessions backlog is over its bound, then resumes; nothing is lost', async () => {
  const maxBytes = 4 * MB;
  broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger: createLogger('error'), backlog: { maxBytes, maxBytesPerTenant: maxBytes / 2 } });
  const url = await broker.start();
  const connect = async (clientId: string, clean = true) => {
    const c = await mqtt.connectAsync(url, { clientId, clean, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(c);
    return c;
  };
  // the gateway's persistent session, then offline: everything is queued for it
  const gw = await connect('gw', false);
  await gw.subscribeAsync('klimatpuls/#', { qos: 1 });
  await gw.endAsync();

  const payload = (i: number) => Buffer.concat([Buffer.from(`${i} `), Buffer.alloc(64 * 1024, 0x61)]);
  const FLOOD = 800; // 51 MB: 13 times the bound
  const hostile = await connect('hostile');
  let acked = 0;
  const inFlight = new Set<Promise<unknown>>();
  const flood = (async () => {
    for (let i = 0; i < FLOOD; i++) {
      while (inFlight.size >= 100) await Promise.race(inFlight);
      const p = hostile.publishAsync(`klimatpuls/a/dev/up`, payload(i), { qos: 1 }).then(() => acked++).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  })();

  // paused: the broker stops taking the flood near its bound (per tenant: half of it)
  await waitUntil('the flood to be paused', () => broker!.backlog.waitingPublishes > 0);
  await sleep(1500);
  const ackedWhilePaused = acked;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, broker!.backlog.bytes)), 20);
  await sleep(1500);
  expect(acked).toBe(ackedWhilePaused); // no PUBACK while over the bound
  expect(acked).toBeLessThan(FLOOD / 4);
  // another tenant is under its share: its messages still go in
  const victim = await connect('victim');
  for (let i = 0; i < 5; i++) await victim.publishAsync('klimatpuls/b/dev/up', `victim ${i}`, { qos: 1 });
  expect(broker.backlog.tenantBytes('a')).toBeLessThan(maxBytes / 2 + 2 * MB); // its share plus what one read admitted

  // the gateway comes back and reads: the flood resumes, and every message arrives once
  const seen = new Map<string, number>();
  const back = await mqtt.connectAsync(url, { clientId: 'gw', clean: false, protocolVersion: 4, reconnectPeriod: 1000 });
  clients.push(back);
  back.on('message', (_t, p) => {
    const key = p.subarray(0, 12).toString().split(' ').slice(0, 2).join(' ');
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
  await flood;
  await waitUntil('every message at the gateway', () => seen.size === FLOOD + 5);
  clearInterval(sampler);
  expect(acked).toBe(FLOOD);
  expect([...seen.values()].every((n) => n === 1)).toBe(true);
  expect(broker.backlog.paused).toBeGreaterThan(0);
  // what the broker held: the bound plus what was admitted at once (one socket read per publisher)
  expect(peak).toBeLessThan(maxBytes + 4 * MB);
  await waitUntil('the backlog to be empty', () => broker!.backlog.bytes === 0, 10_000);
}, 120_000);

it('holds nothing of a publisher that disconnected while it waited', async () => {
  const maxBytes = 8 * MB;
  broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger: createLogger('error'), backlog: { maxBytes, maxBytesPerTenant: MB } });
  const url = await broker.start();
  const gw = await mqtt.connectAsync(url, { clientId: 'gw', clean: false, protocolVersion: 4, reconnectPeriod: 0 });
  await gw.subscribeAsync('klimatpuls/#', { qos: 1 });
  await gw.endAsync();
  // keepalive 1 s: a paused connection is not read, so aedes sees it gone only when its
  // keepalive (1.5 x) runs out
  const hostile = await mqtt.connectAsync(url, { clientId: 'hostile', protocolVersion: 4, reconnectPeriod: 0, keepalive: 1 });
  clients.push(hostile);
  for (let i = 0; i < 100; i++) hostile.publish('klimatpuls/a/dev/up', Buffer.alloc(64 * 1024, i), { qos: 1 }, () => {});
  await waitUntil('the hostile publisher to wait', () => broker!.backlog.waitingPublishes > 0);
  hostile.end(true);
  await sleep(3000);
  const victim = await mqtt.connectAsync(url, { clientId: 'victim', protocolVersion: 4, reconnectPeriod: 0 });
  clients.push(victim);
  await victim.publishAsync('klimatpuls/b/dev/up', 'still in', { qos: 1 });
  expect(broker.backlog.waitingPublishes).toBe(0);
  expect(broker.backlog.tenantBytes('a')).toBeLessThan(MB + 2 * MB); // its share plus what one read admitted
}, 60_000);
