import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../helpers/embeddedApp.js';
import { runId, waitFor } from '../helpers/stack.js';
import { metricValue, note, rssKb, sampler, sleep } from './harness.js';

/**
 * Issue 13 item 3: a hostile burst against the embedded stack (`klimatpuls start`:
 * aedes, in-process bus, DuckDB), published by three tenants on the tenant listener:
 * 50,000 messages, 90 % bad (not JSON, 32 kB garbage, wrong types, no route, unknown
 * devices, implausible values, over MAX_PAYLOAD_BYTES), 10 % good readings. Meanwhile a
 * fourth tenant sends one good reading a second, and each must be on
 * /api/readings/latest within READING_DEADLINE_MS (before the fix no tenant's reading
 * was written for 20 minutes: dead letters went into DuckDB one row at a time on the
 * connection readings share). Then Ctrl-C: the writer drains the bus, and DuckDB holds
 * every good reading once and every bad message as exactly one dead letter (by id).
 * The process's RSS stays under RSS_BOUND_MB (2.17 GB before: a bus bounded by count).
 * Does not touch the shared stack (the app runs its own embedded broker).
 *
 * What it took (h6; figures from this test's log lines on the shared 2-core machine):
 * the diagnosis above was not the bottleneck. The broker held ~0 bytes (the gateway stayed
 * connected, and aedes paces publishers to what it writes to the gateway), the bus was
 * never full; the writer wrote readings one or two per DuckDB write (1,025 readings in 790
 * writes, ~30/s), because the in-process bus handed out whatever had arrived. Fixed by a
 * 100 ms fetch wait in the memory bus (about 100 readings per write), group commit of
 * reading writes that wait for the DuckDB connection, dead letters on a
 * second DuckDB connection with a TEMP staging table, and DuckDB's memory_limit. Before:
 * victim readings 0.6–59.5 s, 440–594 dead letters/s, peak RSS 969–1,137 MB; after:
 * 0.3–1.1 s, ~2,600 dead letters/s, 773 MB. BURST_DEADLINE_MS raises the deadline for
 * diagnosis; BURST_APP_NODE_OPTIONS (e.g. `--import` of a profiler) is passed to the app.
 */
const id = runId('eb').replace(/[^a-z0-9]/g, '').slice(0, 20);
const TOTAL = 50_000;
const READING_DEADLINE_MS = Number(process.env.BURST_DEADLINE_MS ?? 15_000);
/**
 * VmRSS of the app (run from source with tsx), the sum of its bounds plus headroom: idle
 * ~250 MB (tsx, V8, DuckDB loaded; logged), DuckDB's memory_limit 256 MB
 * (DUCKDB_MEMORY_LIMIT_BYTES), the bus at most 2 × 64 MB (BUS_MAX_BYTES per topic), the
 * gateway at most MQTT_MAX_IN_FLIGHT (2,000) messages, the broker's session backlog (~0
 * here: the gateway stays connected; bounded by MQTT_EMBEDDED_MAX_QUEUED_BYTES otherwise),
 * V8 heap and allocator slack. Measured peak 773 MB (log line).
 */
const RSS_BOUND_MB = 900;
let app: EmbeddedApp | undefined;
const clients: MqttClient[] = [];

afterAll(async () => {
  for (const c of clients) c.end(true);
  await app?.stop();
});

const MB = (n: number | undefined) => `${((n ?? 0) / 1024 / 1024).toFixed(0)} MB`;
/** Where the burst is: broker backlog, gateway, bus, store (from /metrics). */
function pipelineState(m: string): string {
  return `heap ${MB(metricValue(m, 'klimatpuls_nodejs_heap_size_used_bytes'))}, external ${MB(metricValue(m, 'klimatpuls_nodejs_external_memory_bytes'))}; broker holds ${MB(metricValue(m, 'klimatpuls_mqtt_queued_bytes'))} (${metricValue(m, 'klimatpuls_mqtt_paused_publishes_total')} publishes paused); ` +
    `gateway received ${metricValue(m, 'klimatpuls_messages_received_total', 'service="gateway"')}; bus readings ${MB(metricValue(m, 'klimatpuls_bus_bytes', 'readings'))}, dead letters ${MB(metricValue(m, 'klimatpuls_bus_bytes', 'deadletter'))}; ` +
    `writer wrote ${metricValue(m, 'klimatpuls_readings_written_total', 'service="writer"')} readings in ${metricValue(m, 'klimatpuls_latency_seconds_count', 'stage="store_write"')} writes (${metricValue(m, 'klimatpuls_latency_seconds_sum', 'stage="store_write"')?.toFixed(1)} s); produce ${metricValue(m, 'klimatpuls_latency_seconds_count', 'stage="produce"')} (${metricValue(m, 'klimatpuls_latency_seconds_sum', 'stage="produce"')?.toFixed(1)} s)`;
}

interface Msg { topic: string; payload: Buffer; expect: 'reading' | string }

function burst(tenants: string[], devicesPer: number): Msg[] {
  const out: Msg[] = [];
  const t0 = Date.parse('2025-03-01T00:00:00Z');
  const perDevice = new Map<string, number>();
  for (let i = 0; i < TOTAL; i++) {
    const t = tenants[i % tenants.length]!;
    const dev = `${t}-el-${Math.floor(i / tenants.length) % devicesPer}`;
    const json = (v: unknown) => Buffer.from(JSON.stringify(v));
    if (i % 10 === 0) {
      const n = (perDevice.get(dev) ?? 0) + 1;
      perDevice.set(dev, n);
      out.push({ topic: `klimatpuls/${t}/${dev}/up`, payload: json({ time: new Date(t0 + n * 60_000).toISOString(), readings: [{ metric: 'energy_total', value: n }] }), expect: 'reading' });
      continue;
    }
    const k = i % 7;
    if (i % 2500 === 1) out.push({ topic: `klimatpuls/${t}/${dev}/up`, payload: Buffer.alloc(300 * 1024, 0x61 + (i % 26)), expect: 'payload_too_large' });
    else if (k === 0) out.push({ topic: `klimatpuls/${t}/${dev}/up`, payload: Buffer.from(`not json ${i} ${'x'.repeat(2000)}`), expect: 'not_json' });
    else if (k === 1) out.push({ topic: `klimatpuls/${t}/${dev}/up`, payload: json({ _n: i, time: new Date(t0).toISOString(), readings: [{ metric: 'power', value: 'abc' }] }), expect: 'schema' });
    else if (k === 2) out.push({ topic: `klimatpuls/${t}/dev-${i}/data`, payload: json({ _n: i }), expect: 'no_route' });
    else if (k === 3) out.push({ topic: `klimatpuls/${t}/ghost-${i}/up`, payload: json({ time: new Date(t0).toISOString(), readings: [{ metric: 'energy_total', value: 1 }] }), expect: 'unknown_device' });
    else if (k === 4) out.push({ topic: `klimatpuls/${t}/${dev}/up`, payload: json({ _n: i, time: new Date(t0).toISOString(), readings: [{ metric: 'energy_total', value: -5 }] }), expect: 'implausible_value' });
    else if (k === 5) out.push({ topic: `tenants/${t}/unknown/${i}`, payload: json({ _n: i }), expect: 'no_route' });
    else out.push({ topic: `klimatpuls/${t}/${dev}/up`, payload: Buffer.concat([Buffer.from(`${i} `), Buffer.alloc(32 * 1024, 0xff)]), expect: 'not_json' });
  }
  return out;
}

async function publishAll(client: MqttClient, msgs: Msg[], window = 300): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  for (const m of msgs) {
    while (inFlight.size >= window) await Promise.race(inFlight);
    const p = client.publishAsync(m.topic, m.payload, { qos: 1 }).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

it('a 50,000-message hostile burst (90 % bad): other tenants stored within seconds, memory bounded, every message stored or dead-lettered once', async () => {
  // BURST_APP_NODE_OPTIONS (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof) profiles the app for diagnosis
  app = await startEmbeddedApp({ LOG_LEVEL: 'error', ...(process.env.BURST_APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BURST_APP_NODE_OPTIONS } : {}) });
  const hostile = [`h1${id}`, `h2${id}`, `h3${id}`];
  const victim = `v${id}`;
  const creds = new Map<string, { username: string; password: string }>();
  const DEVICES = 20;
  for (const t of [...hostile, victim]) {
    creds.set(t, await app.createTenant(t));
    for (let d = 0; d < (t === victim ? 1 : DEVICES); d++) await app.addDevice(t, { id: `${t}-el-${d}`, kind: 'electricity_meter' });
  }
  const connectAs = async (t: string) => {
    const c = await mqtt.connectAsync(app!.tenantUrl, { ...creds.get(t)!, clientId: creds.get(t)!.username, reconnectPeriod: 1000, connectTimeout: 30_000 });
    c.on('error', () => {});
    clients.push(c);
    return c;
  };
  const msgs = burst(hostile, DEVICES);
  const idleRssMb = (rssKb(app.child.pid!) ?? 0) / 1024;
  const rss = sampler(() => rssKb(app!.child.pid!), 250);

  // the victim: one reading a second, each must show up on /api/readings/latest
  const latencies: number[] = [];
  let bursting = true;
  const victimClient = await connectAs(victim);
  const victimLoop = (async () => {
    for (let n = 1; bursting || n <= 3; n++) {
      const observedAt = new Date(Date.parse('2025-06-01T00:00:00Z') + n * 60_000).toISOString();
      const t0 = Date.now();
      await victimClient.publishAsync(`klimatpuls/${victim}/${victim}-el-0/up`, JSON.stringify({ time: observedAt, readings: [{ metric: 'energy_total', value: n }] }), { qos: 1 });
      await waitFor(`victim reading ${n}`, async () => {
        const r = await app!.operatorGet(`/api/readings/latest?tenant=${victim}&limit=5`, READING_DEADLINE_MS);
        return ((await r.json()) as { readings?: Array<{ observedAt: string }> }).readings ?? [];
      }, (rs) => rs.some((r) => Date.parse(r.observedAt) === Date.parse(observedAt)), READING_DEADLINE_MS);
      latencies.push(Date.now() - t0);
      const m = await app!.metrics().catch(() => '');
      note(`victim reading ${n}: ${Date.now() - t0} ms; ${pipelineState(m)}`);
      await sleep(Math.max(0, 1000 - (Date.now() - t0)));
    }
  })().then(() => undefined, (err: unknown) => err);

  const started = Date.now();
  const pubs = await Promise.all(hostile.map(connectAs));
  await Promise.all(hostile.map((t, i) => publishAll(pubs[i]!, msgs.filter((m) => m.topic.includes(`/${t}/`)))));
  const publishS = (Date.now() - started) / 1000;
  note(`embedded burst: ${TOTAL} messages published by ${hostile.length} tenants in ${publishS.toFixed(1)} s`);
  bursting = false;
  const victimFailed = await victimLoop;
  if (victimFailed) throw victimFailed; // a reading of another tenant not stored within the deadline
  const victimCount = latencies.length;

  // everything reached the gateway (aedes holds what it has not delivered yet), then Ctrl-C:
  // the writer drains the in-process bus into DuckDB before the process exits
  await waitFor('the gateway to receive every message', async () => metricValue(await app!.metrics(), 'klimatpuls_messages_received_total', 'service="gateway"') ?? 0,
    (n) => n >= TOTAL + victimCount, 300_000);
  const stopT0 = Date.now();
  expect(await app.stop(), app.child.output().slice(-3000)).toBe(0);
  const totalS = (Date.now() - started) / 1000;
  await rss.stop();
  note(`embedded burst: stop (drain) took ${((Date.now() - stopT0) / 1000).toFixed(1)} s; all stored ${totalS.toFixed(1)} s after the burst began (${Math.round((TOTAL * 0.9) / totalS)} dead letters/s overall)`);
  note(`embedded burst: victim readings visible after ${Math.min(...latencies)}–${Math.max(...latencies)} ms (${victimCount} readings, deadline ${READING_DEADLINE_MS} ms); peak RSS ${(rss.max / 1024).toFixed(0)} MB (idle ${idleRssMb.toFixed(0)} MB, bound ${RSS_BOUND_MB} MB)`);

  const good = msgs.filter((m) => m.expect === 'reading');
  const readings = await app.query(`SELECT tenant, count(*) AS n, count(DISTINCT id) AS ids FROM readings GROUP BY tenant ORDER BY tenant`);
  expect(readings.map((r) => [r.tenant, Number(r.n), Number(r.ids)])).toEqual(
    [...hostile.map((t) => [t, good.filter((m) => m.topic.includes(`/${t}/`)).length, good.filter((m) => m.topic.includes(`/${t}/`)).length]), [victim, victimCount, victimCount]]
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
  const wantReasons: Record<string, number> = {};
  for (const m of msgs) if (m.expect !== 'reading') wantReasons[m.expect] = (wantReasons[m.expect] ?? 0) + 1;
  const dead = await app.query(`SELECT reason, count(*) AS n, count(DISTINCT id) AS ids, count(DISTINCT topic || payload_base64) AS distinct_messages FROM dead_letters GROUP BY reason`);
  const gotReasons = Object.fromEntries(dead.map((r) => [String(r.reason), Number(r.n)]));
  note(`embedded burst: dead letters by reason ${JSON.stringify(gotReasons)}`);
  expect(gotReasons).toEqual(wantReasons);
  for (const r of dead) if (r.reason !== 'payload_too_large') expect(Number(r.distinct_messages), String(r.reason)).toBe(Number(r.n));

  expect(Math.max(...latencies)).toBeLessThan(READING_DEADLINE_MS);
  expect(victimCount).toBeGreaterThanOrEqual(3);
  expect(rss.max / 1024).toBeLessThan(RSS_BOUND_MB);
}, 900_000);
