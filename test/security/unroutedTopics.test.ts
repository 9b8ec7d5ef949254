import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../helpers/embeddedApp.js';
import { readTopic, waitFor } from '../helpers/stack.js';
import { startSecureServices, type SecureServices } from './secureServices.js';
import { connect } from './support.js';

/**
 * Issue 13 item 2: a tenant may publish anywhere under its own roots, and the broker
 * acknowledges it (PUBACK). A topic no decoder route takes must then end as a
 * `no_route` dead letter, not be acknowledged and vanish: the gateway subscribes to
 * both roots whole. Against the real Mosquitto (tenant listener, ACL file) and the
 * embedded aedes of `klimatpuls start`.
 */
const unrouted = (tenant: string) => [`klimatpuls/${tenant}/dev/data`, `tenants/${tenant}/unknown/x`, `tenants/${tenant}/klimatpuls/${tenant}/d/up`];

describe('a tenant publishing on its own unrouted topics (Mosquitto)', () => {
  let s: SecureServices | undefined;
  afterAll(async () => {
    await s?.stop();
  });

  it('is acknowledged and dead-lettered no_route, once per message', async () => {
    s = await startSecureServices();
    const a = await s.createTenant('a');
    const client = await connect(a.mqtt.url, { username: a.mqtt.username, password: a.mqtt.password });
    const topics = unrouted(a.id);
    try {
      for (const t of topics) await client.publishAsync(t, `{"from":"${t}"}`, { qos: 1 });
    } finally {
      await client.endAsync();
    }
    // readTopic reads to the topic's end as of the call: read again until all arrived
    const dead = await waitFor('the no_route dead letters', () => readTopic(s!.config.DEADLETTER_TOPIC, Infinity, 10_000), (r) => r.length >= topics.length, 30_000);
    const got = dead.map((r) => JSON.parse(r.value) as { topic: string; reason: string; id: string });
    expect(got.map((d) => [d.topic, d.reason]).sort()).toEqual(topics.map((t) => [t, 'no_route']).sort());
    expect(new Set(got.map((d) => d.id)).size).toBe(topics.length);
  });
});

describe('a tenant publishing on its own unrouted topics (embedded aedes, klimatpuls start)', () => {
  let app: EmbeddedApp | undefined;
  afterAll(async () => {
    await app?.stop();
  });

  it('is acknowledged and dead-lettered no_route, once per message, into DuckDB', async () => {
    app = await startEmbeddedApp();
    const a = await app.createTenant('acme');
    const client = await connect(app.tenantUrl, { username: a.username, password: a.password, clientId: a.username });
    const topics = unrouted(a.id);
    try {
      for (const t of topics) await client.publishAsync(t, `{"from":"${t}"}`, { qos: 1 });
    } finally {
      await client.endAsync();
    }
    await waitFor('the no_route dead letters', () => app!.metrics(),
      (m) => new RegExp(`klimatpuls_dead_letters_total\\{service="gateway",reason="no_route"\\} ${topics.length}\\b`).test(m), 30_000);
    expect(await app.stop(), app.child.output()).toBe(0);
    const rows = await app.query('SELECT topic, reason, stage FROM dead_letters ORDER BY topic');
    expect(rows).toEqual([...topics].sort().map((topic) => ({ topic, reason: 'no_route', stage: 'gateway' })));
  });
});
