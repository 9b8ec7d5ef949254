import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDeadLetter } from '../../core/deadLetter.js';
import { StoreError } from '../../core/errors.js';
import { readingId, type CanonicalReading } from '../../core/reading.js';
import { DuckDbStore } from './duckdbStore.js';
import type { StoredDeadLetter } from '../../core/storePorts.js';

function reading(o: {
  tenant?: string; deviceId: string; metric?: CanonicalReading['metric']; channel?: string; site?: string; value: number; at: string;
}): CanonicalReading {
  const metric = o.metric ?? 'energy_total';
  const tenant = o.tenant ?? 'kalmar';
  const observedAt = new Date(o.at).toISOString();
  return {
    id: readingId({ tenant, deviceId: o.deviceId, metric, channel: o.channel, observedAt }),
    tenant,
    deviceId: o.deviceId,
    ...(o.site !== undefined ? { site: o.site } : {}),
    kind: 'electricity_meter',
    metric,
    ...(o.channel !== undefined ? { channel: o.channel } : {}),
    value: o.value,
    unit: metric === 'power' ? 'kW' : 'kWh',
    observedAt,
    receivedAt: '2025-03-01T12:00:00.000Z',
    source: { format: 'native', decoderVersion: '1.0.0', topic: `klimatpuls/${tenant}/${o.deviceId}/up` },
  };
}

function deadLetter(id: string, reason: 'not_json' | 'schema', payload: string): StoredDeadLetter {
  return {
    id,
    deadLetter: makeDeadLetter({
      rejected: [{ reason, field: '(payload)', message: `${reason} message` }],
      stage: 'gateway',
      topic: 'klimatpuls/kalmar/el-1/up',
      payload: Buffer.from(payload),
      decoder: { name: 'native', version: '1.0.0' },
      receivedAt: new Date('2025-03-01T10:00:00Z'),
      now: new Date('2025-03-01T10:00:01Z'),
    }),
  };
}

const count = async (s: DuckDbStore, table: string) => Number((await s.queryRows(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

describe('DuckDbStore (:memory:)', () => {
  let store: DuckDbStore;
  beforeEach(async () => {
    store = new DuckDbStore(':memory:');
    await store.init();
  });
  afterEach(async () => {
    await store.close();
  });

  it('stores the same readings once, however often they are written (redelivery)', async () => {
    const rs = [
      reading({ deviceId: 'el-1', value: 10, at: '2025-03-01T10:00:00Z' }),
      reading({ deviceId: 'el-1', value: 11, at: '2025-03-01T10:15:00Z' }),
      reading({ deviceId: 'el-2', value: 5, at: '2025-03-01T10:00:00Z', channel: 'in', site: 'berga' }),
    ];
    await store.writeReadings(rs);
    await store.writeReadings(rs);
    await store.writeReadings([rs[1]!, rs[1]!]); // duplicates within one batch too
    expect(await count(store, 'readings')).toBe(3);
    expect(await count(store, 'readings_staging')).toBe(0);

    const rows = await store.queryRows(`SELECT id, device_id, channel, site, value, unit, format, epoch_ms(observed_at) AS t FROM readings ORDER BY device_id, observed_at`);
    expect(rows.map((r) => [r.id, r.device_id, r.channel, r.site, r.value, r.unit, r.format, Number(r.t)])).toEqual([
      [rs[0]!.id, 'el-1', null, null, 10, 'kWh', 'native', Date.parse('2025-03-01T10:00:00Z')],
      [rs[1]!.id, 'el-1', null, null, 11, 'kWh', 'native', Date.parse('2025-03-01T10:15:00Z')],
      [rs[2]!.id, 'el-2', 'in', 'berga', 5, 'kWh', 'native', Date.parse('2025-03-01T10:00:00Z')],
    ]);
  });

  it('lets the last write of a reading win (same id, corrected value)', async () => {
    const r = reading({ deviceId: 'el-1', value: 10, at: '2025-03-01T10:00:00Z' });
    await store.writeReadings([r]);
    await store.writeReadings([{ ...r, value: 12.5 }]);
    expect(await store.queryRows('SELECT value FROM readings')).toEqual([{ value: 12.5 }]);
  });

  it('keeps millisecond precision of the observed time', async () => {
    await store.writeReadings([reading({ deviceId: 'el-1', value: 1, at: '2025-03-01T10:00:00.123Z' })]);
    const [l] = await store.latest({ limit: 10 });
    expect(l!.observedAt).toBe('2025-03-01T10:00:00.123Z');
  });

  it('latest gives the newest value per device, metric and channel, newest first', async () => {
    await store.writeReadings([
      reading({ deviceId: 'el-1', value: 10, at: '2025-03-01T10:00:00Z' }),
      reading({ deviceId: 'el-1', value: 12, at: '2025-03-01T10:30:00Z', site: 'norrgard' }),
      reading({ deviceId: 'el-1', value: 11, at: '2025-03-01T10:15:00Z' }),
      reading({ deviceId: 'el-1', metric: 'power', value: 3, at: '2025-03-01T10:05:00Z' }),
      reading({ deviceId: 'bike-1', metric: 'power', channel: 'in', value: 7, at: '2025-03-01T09:00:00Z' }),
      reading({ deviceId: 'bike-1', metric: 'power', channel: 'in', value: 8, at: '2025-03-01T09:15:00Z' }),
      reading({ deviceId: 'bike-1', metric: 'power', channel: 'out', value: 9, at: '2025-03-01T09:10:00Z' }),
      reading({ tenant: 'vaxjo', deviceId: 'el-1', value: 99, at: '2025-03-01T11:00:00Z' }),
    ]);
    const latest = await store.latest({ limit: 100 });
    expect(latest).toEqual([
      { tenant: 'vaxjo', deviceId: 'el-1', kind: 'electricity_meter', metric: 'energy_total', value: 99, unit: 'kWh', observedAt: '2025-03-01T11:00:00.000Z' },
      { tenant: 'kalmar', deviceId: 'el-1', kind: 'electricity_meter', site: 'norrgard', metric: 'energy_total', value: 12, unit: 'kWh', observedAt: '2025-03-01T10:30:00.000Z' },
      { tenant: 'kalmar', deviceId: 'el-1', kind: 'electricity_meter', metric: 'power', value: 3, unit: 'kW', observedAt: '2025-03-01T10:05:00.000Z' },
      { tenant: 'kalmar', deviceId: 'bike-1', kind: 'electricity_meter', metric: 'power', channel: 'in', value: 8, unit: 'kW', observedAt: '2025-03-01T09:15:00.000Z' },
      { tenant: 'kalmar', deviceId: 'bike-1', kind: 'electricity_meter', metric: 'power', channel: 'out', value: 9, unit: 'kW', observedAt: '2025-03-01T09:10:00.000Z' },
    ]);

    const kalmar = await store.latest({ limit: 100, tenant: 'kalmar' });
    expect(kalmar.map((r) => [r.deviceId, r.metric, r.channel ?? '', r.value])).toEqual([
      ['el-1', 'energy_total', '', 12],
      ['el-1', 'power', '', 3],
      ['bike-1', 'power', 'in', 8],
      ['bike-1', 'power', 'out', 9],
    ]);
    expect(await store.latest({ limit: 100, tenant: 'umea' })).toEqual([]);
    expect((await store.latest({ limit: 2 })).map((r) => r.value)).toEqual([99, 12]);
  });

  it('does not let a tenant value reach the SQL text', async () => {
    await store.writeReadings([reading({ deviceId: 'el-1', value: 1, at: '2025-03-01T10:00:00Z' })]);
    expect(await store.latest({ limit: 10, tenant: "x' OR '1'='1" })).toEqual([]);
  });

  it('stores dead letters idempotently by id', async () => {
    const a = deadLetter('0-000000000001', 'not_json', 'garbage\u0000');
    const b = deadLetter('0-000000000002', 'schema', '{"readings":[]}');
    await store.writeDeadLetters([a, b]);
    await store.writeDeadLetters([a]);
    await store.writeDeadLetters([b, a]);
    const rows = await store.queryRows(
      'SELECT id, reason, field, message, stage, topic, decoder, payload_base64, rejected_json, epoch_ms(received_at) AS r FROM dead_letters ORDER BY id',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      id: '0-000000000001',
      reason: 'not_json',
      field: '(payload)',
      message: 'not_json message',
      stage: 'gateway',
      topic: 'klimatpuls/kalmar/el-1/up',
      decoder: 'native@1.0.0',
      payload_base64: Buffer.from('garbage\u0000').toString('base64'),
    });
    expect(Number(rows[0]!.r)).toBe(Date.parse('2025-03-01T10:00:00Z'));
    expect(JSON.parse(String(rows[0]!.rejected_json))).toEqual(a.deadLetter.rejected);
    expect(rows[1]).toMatchObject({ id: '0-000000000002', reason: 'schema' });
  });

  it('writes dead letters in batches: 20,000 of 1 kB in one call, a part at a time, each stored once, readings and queries served between the parts', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => deadLetter(`d-${String(i).padStart(6, '0')}`, 'not_json', `garbage ${i} ${'x'.repeat(1000)}`));
    const t0 = performance.now();
    const written = store.writeDeadLetters(many);
    // A reading written and a query made meanwhile get a turn on the connection before the
    // last part is merged (the parts are queued one by one, not all at once).
    await store.writeReadings([reading({ deviceId: 'el-1', value: 1, at: '2025-03-01T10:00:00Z' })]);
    const during = await count(store, 'dead_letters');
    await written;
    const s = (performance.now() - t0) / 1000;
    process.stdout.write(`duckdb: 20,000 dead letters of 1 kB in ${s.toFixed(2)} s (${Math.round(20_000 / s)} rows/s)\n`);
    expect(during).toBeLessThan(20_000);
    expect(await count(store, 'dead_letters')).toBe(20_000);
    await store.writeDeadLetters(many.slice(0, 5000)); // again: replaced, not added
    expect(await count(store, 'dead_letters')).toBe(20_000);
    expect(await count(store, 'readings')).toBe(1);
  }, 60_000);

  it('stores a dead letter without decoder with a NULL decoder', async () => {
    const d = deadLetter('0-000000000003', 'not_json', 'x');
    await store.writeDeadLetters([{ ...d, deadLetter: { ...d.deadLetter, decoder: null } }]);
    expect(await store.queryRows('SELECT decoder FROM dead_letters')).toEqual([{ decoder: null }]);
  });

  it('accepts empty writes and answers ping', async () => {
    await store.writeReadings([]);
    await store.writeDeadLetters([]);
    expect(await count(store, 'readings')).toBe(0);
    expect(await store.ping()).toBe(true);
  });

  it('serializes concurrent writes', async () => {
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 50 }, (_, i) => reading({ deviceId: `el-${b}`, value: i, at: new Date(Date.parse('2025-03-01T00:00:00Z') + i * 60_000).toISOString() })),
    );
    await Promise.all(batches.map((rs) => store.writeReadings(rs)));
    expect(await count(store, 'readings')).toBe(1000);
  });

  it('throws a retriable StoreError after close', async () => {
    await store.close();
    const err = await store.writeReadings([reading({ deviceId: 'el-1', value: 1, at: '2025-03-01T10:00:00Z' })]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('STORE_UNAVAILABLE');
    expect((err as StoreError).retriable).toBe(true);
    expect(await store.ping()).toBe(false);
    store = new DuckDbStore(':memory:'); // for afterEach
    await store.init();
  });

  it('turns a failing query into a StoreError and keeps working', async () => {
    const err = await store.queryRows('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    await store.writeReadings([reading({ deviceId: 'el-1', value: 1, at: '2025-03-01T10:00:00Z' })]);
    expect(await count(store, 'readings')).toBe(1);
  });
});

describe('DuckDbStore (file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-duckdb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory and keeps the readings across a reopen', async () => {
    const path = join(dir, 'nested', 'klimatpuls.duckdb');
    const r = reading({ deviceId: 'el-1', value: 42, at: '2025-03-01T10:00:00Z' });
    const a = new DuckDbStore(path);
    await a.init();
    await a.writeReadings([r]);
    await a.close();

    const b = new DuckDbStore(path);
    await b.init();
    await b.writeReadings([r]); // again after the restart: still once
    expect(await count(b, 'readings')).toBe(1);
    expect((await b.latest({ limit: 1 }))[0]!.value).toBe(42);
    await b.close();
  });
});
