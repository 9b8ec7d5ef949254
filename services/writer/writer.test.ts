import { describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/memoryBus.js';
import type { BusRecord } from '../bus/types.js';
import { StoreError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { CanonicalReading } from '../core/reading.js';
import { Telemetry } from '../core/telemetry.js';
import { DuckDbStore } from '../sinks/duckdb/duckdbStore.js';
import type { StoredDeadLetter } from '../core/storePorts.js';
import { compactReading, encodeReadingBatch } from '../core/readingRecords.js';
import { Writer } from './writer.js';
import { meterReading } from './testing.js';

/*
 * The writer end to end in-process: the memory bus (the embedded `npm start` bus) and a
 * real DuckDB store. The store subclass only adds a notification when dead letters are
 * archived, and (where said) refuses one value the way InfluxDB answers 400.
 */

const log = createLogger('silent');

const reading = meterReading;

class ObservedStore extends DuckDbStore {
  archived: StoredDeadLetter[] = [];
  private waiters: Array<() => void> = [];
  constructor(private readonly rejectValue?: number) {
    super(':memory:');
  }
  override async writeReadings(rs: CanonicalReading[]): Promise<void> {
    if (rs.some((r) => r.value === this.rejectValue)) throw new StoreError('STORE_REJECTED', `field type conflict at ${this.rejectValue}`, 400);
    await super.writeReadings(rs);
  }
  override async writeDeadLetters(items: StoredDeadLetter[]): Promise<void> {
    await super.writeDeadLetters(items);
    this.archived.push(...items);
    this.waiters.splice(0).forEach((w) => w());
  }
  async untilArchived(n: number): Promise<void> {
    while (this.archived.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }
}

const record = (value: Buffer | string): BusRecord => ({ topic: 'readings', key: 'k', value: Buffer.isBuffer(value) ? value : Buffer.from(value) });

/** Everything was committed: a new consumer of the writer's group has nothing left. */
async function expectAllCommitted(bus: ReturnType<typeof createMemoryBus>): Promise<void> {
  const again = bus.consumer('writer');
  await again.run('readings', async () => {
    throw new Error('nothing should be redelivered');
  });
  expect(await again.lag()).toBe(0);
  await again.disconnect();
}

function setup(store: ObservedStore) {
  const bus = createMemoryBus();
  const telemetry = new Telemetry({ defaultMetrics: false });
  const writer = new Writer({
    bus, store, telemetry, logger: log,
    readingsTopic: 'readings', deadLetterTopic: 'deadletters', groupId: 'writer',
    batchSize: 2, archiveDeadLetters: true, drainTimeoutMs: 30_000,
  });
  return { bus, telemetry, writer };
}

const counter = async (t: Telemetry, name: string) =>
  (await t.registry.getSingleMetric(name)!.get()).values.reduce((s, v) => s + v.value, 0);

describe('Writer (memory bus → DuckDB)', () => {
  it('writes readings once, dead-letters records that are not readings, and commits everything', async () => {
    const store = new ObservedStore();
    const { bus, telemetry, writer } = setup(store);
    const [r1, r2, r3] = [reading(1), reading(2), reading(3)];
    const notJson = Buffer.from([0x7b, 0xff, 0x00]);
    const notReading = JSON.stringify({ ...r2, unit: 'Wh' });
    await bus.producer().send([record(JSON.stringify(r1)), record(JSON.stringify(r2)), record(notJson), record(JSON.stringify(r1)), record(notReading), record(JSON.stringify(r3))]);

    await writer.start();
    await store.untilArchived(2);
    await writer.stop();

    const rows = await store.queryRows('SELECT id, value FROM readings ORDER BY value');
    expect(rows).toEqual([{ id: r1.id, value: 1 }, { id: r2.id, value: 2 }, { id: r3.id, value: 3 }]);

    const dls = store.archived.map((a) => a.deadLetter);
    expect(dls.map((d) => [d.reason, d.stage, d.field])).toEqual([
      ['bad_record', 'writer', '(record)'],
      ['bad_record', 'writer', 'unit'],
    ]);
    expect(Buffer.from(dls[0]!.payloadBase64, 'base64').equals(notJson)).toBe(true);
    expect(Buffer.from(dls[1]!.payloadBase64, 'base64').toString()).toBe(notReading);
    expect(dls[0]!.topic).toBe('readings/0@2'); // where the bad record was on the bus
    expect(await store.queryRows("SELECT reason, stage FROM dead_letters ORDER BY id")).toEqual([
      { reason: 'bad_record', stage: 'writer' },
      { reason: 'bad_record', stage: 'writer' },
    ]);

    expect(await counter(telemetry, 'klimatpuls_readings_written_total')).toBe(4); // r1 twice: stored once
    expect(await counter(telemetry, 'klimatpuls_dead_letters_total')).toBe(2);

    await expectAllCommitted(bus);
    await store.close();
  });

  it('dead-letters a reading the store refuses as invalid, with its JSON as payload, and writes the rest', async () => {
    const store = new ObservedStore(666);
    const { bus, writer } = setup(store);
    const good = [reading(1), reading(2), reading(4), reading(5)];
    const bad = reading(3, 666);
    await bus.producer().send([...good.slice(0, 2), bad, ...good.slice(2)].map((r) => record(JSON.stringify(r))));

    await writer.start();
    await store.untilArchived(1);
    await writer.stop();

    expect((await store.queryRows('SELECT value FROM readings ORDER BY value')).map((r) => r.value)).toEqual([1, 2, 4, 5]);
    expect(store.archived).toHaveLength(1);
    const d = store.archived[0]!.deadLetter;
    expect(d).toMatchObject({ reason: 'store_rejected', stage: 'writer', topic: bad.source.topic, decoder: { name: 'native', version: '1.0.0' } });
    expect(d.message).toContain('666');
    expect(JSON.parse(Buffer.from(d.payloadBase64, 'base64').toString())).toEqual(bad);
    await store.close();
  });

  it('writes the readings of v2 records (many readings per record) across jobs, dead-letters a bad line alone, commits each record once all its readings are done', async () => {
    const store = new ObservedStore(666);
    const { bus, writer } = setup(store); // batchSize 2: a 5-reading record spans three jobs
    const rs = [reading(1), reading(2), reading(3, 666), reading(4), reading(5)];
    const lines = [JSON.stringify(rs[0]), JSON.stringify(rs[1]), 'not a reading', JSON.stringify(rs[2]), JSON.stringify(rs[3])];
    await bus.producer().send([
      record(JSON.stringify(reading(0))), // v1 beside v2
      record(encodeReadingBatch(lines)),
      record(encodeReadingBatch([JSON.stringify(rs[4]), JSON.stringify(rs[0])])),
    ]);
    await writer.start();
    await store.untilArchived(2);
    await writer.stop();

    expect((await store.queryRows('SELECT value FROM readings ORDER BY value')).map((r) => r.value)).toEqual([0, 1, 2, 4, 5]);
    const dls = store.archived.map((a) => a.deadLetter).sort((a, b) => a.reason.localeCompare(b.reason));
    expect(dls.map((d) => [d.reason, d.field])).toEqual([['bad_record', '(record)'], ['store_rejected', 'value']]);
    expect(dls[0]!.topic).toBe('readings/0@1#2'); // record 1, line 2
    expect(Buffer.from(dls[0]!.payloadBase64, 'base64').toString()).toBe('not a reading');
    expect(JSON.parse(Buffer.from(dls[1]!.payloadBase64, 'base64').toString())).toEqual(rs[2]);
    await expectAllCommitted(bus);
    await store.close();
  });

  it('writes the readings of v3 records (compact lines) beside v1 and v2, dead-letters a bad line alone with the field and rule it broke, a refused reading with its JSON', async () => {
    const store = new ObservedStore(666);
    const { bus, writer } = setup(store);
    const rs = [reading(1), reading(2), reading(3, 666), reading(4), reading(5)];
    const wrongTenant = compactReading({ ...reading(6), tenant: 'Not A Slug' });
    const lines = [compactReading(rs[0]!), compactReading(rs[1]!), JSON.stringify(rs[3]), compactReading(rs[2]!), wrongTenant];
    await bus.producer().send([
      record(JSON.stringify(reading(0))),
      record(encodeReadingBatch(lines, 3)),
      record(encodeReadingBatch([JSON.stringify(rs[3])])),
      record(encodeReadingBatch([compactReading(rs[4]!)], 3)),
    ]);
    await writer.start();
    await store.untilArchived(3);
    await writer.stop();

    expect((await store.queryRows('SELECT value FROM readings ORDER BY value')).map((r) => r.value)).toEqual([0, 1, 2, 4, 5]);
    const dls = store.archived.map((a) => a.deadLetter).sort((a, b) => (a.reason + a.topic).localeCompare(b.reason + b.topic));
    expect(dls.map((d) => [d.reason, d.field, d.topic])).toEqual([
      ['bad_record', '(record)', 'readings/0@1#2'], // a v1 object is no v3 line
      ['bad_record', 'tenant', 'readings/0@1#4'],
      ['store_rejected', 'value', rs[2]!.source.topic],
    ]);
    expect(dls[0]!.message).toBe('not a compact reading (a JSON array of 14 values)');
    expect(Buffer.from(dls[1]!.payloadBase64, 'base64').toString()).toBe(wrongTenant);
    expect(Buffer.from(dls[2]!.payloadBase64, 'base64').toString()).toBe(JSON.stringify(rs[2])); // as from a v1 record
    await expectAllCommitted(bus);
    await store.close();
  });

  it('commits a v2 record only once every reading of it is stored (until then it would be read again whole)', async () => {
    class FailingStore extends ObservedStore {
      down = true;
      override async writeReadings(rs: CanonicalReading[]): Promise<void> {
        if (this.down && rs.some((r) => r.value === 4)) throw new StoreError('STORE_UNAVAILABLE', 'InfluxDB down', 503);
        await super.writeReadings(rs);
      }
    }
    const store = new FailingStore();
    const { bus, writer } = setup(store); // batchSize 2: jobs [r0, r1] (commits record 0), [r2, r3], [r4, r5] (commits record 1)
    const rs = [1, 2, 3, 4, 5].map((i) => reading(i));
    await bus.producer().send([record(JSON.stringify(reading(0))), record(encodeReadingBatch(rs.map((r) => JSON.stringify(r))))]);
    // the in-process bus has one position per topic: a consumer that commits nothing reads it
    const observer = bus.consumer('observer');
    await observer.run('readings', async () => {});
    const lag = () => observer.lag();
    const count = async () => Number((await store.queryRows('SELECT count(*) AS n FROM readings'))[0]!.n);
    await writer.start();
    while ((await count()) < 4 || (await lag()) !== 1) await new Promise((r) => setTimeout(r, 20));
    // four of the record's five readings are stored, and it is still the one uncommitted record
    expect(await count()).toBe(4);
    expect(await lag()).toBe(1);
    store.down = false;
    await writer.stop(); // the in-process bus is written out first: the retried job stores and commits
    expect(await count()).toBe(6);
    expect(await lag()).toBe(0);
    await observer.disconnect();
    await store.close();
  });

  it('writes everything the in-process bus holds before it stops, however short DRAIN_TIMEOUT_MS (the bus dies with the process)', async () => {
    const store = new ObservedStore();
    const bus = createMemoryBus();
    const writer = new Writer({
      bus, store, telemetry: new Telemetry({ defaultMetrics: false }), logger: log,
      readingsTopic: 'readings', deadLetterTopic: 'deadletters', groupId: 'writer',
      batchSize: 500, archiveDeadLetters: true, drainTimeoutMs: 1,
    });
    const n = 30_000;
    await writer.start();
    const p = bus.producer();
    for (let i = 0; i < n; i += 1000) {
      await p.send(Array.from({ length: 1000 }, (_, k) => record(JSON.stringify(reading(i + k, i + k, `el-${(i + k) % 50}`)))));
    }
    await p.send([record('not json')]);
    await writer.stop(); // at once: most of it is still on the bus
    expect(Number((await store.queryRows('SELECT count(DISTINCT id) AS n FROM readings'))[0]!.n)).toBe(n);
    expect(Number((await store.queryRows('SELECT count(*) AS n FROM dead_letters'))[0]!.n)).toBe(1);
    expect(bus.usage().readings).toEqual({ records: 0, bytes: 0 });
    await store.close();
  }, 60_000);
});
