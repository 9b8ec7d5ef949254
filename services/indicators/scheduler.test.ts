import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../core/logger.js';
import type { CanonicalReading } from '../core/reading.js';
import type { Device } from '../registry/deviceRegistry.js';
import type { DuckDbStore } from '../sinks/duckdb/duckdbStore.js';
import { duckDbSinkAt } from '../sinks/duckdb/index.js';
import type { Sink } from '../sinks/types.js';
import { IndicatorEngine } from './engine.js';
import { energyUse } from './energy/energyUse.js';
import { local, register } from './energy/testSupport.js';
import { parsePeriod } from './periods.js';
import { IndicatorScheduler } from './scheduler.js';

/**
 * IndicatorScheduler on a real in-memory DuckDB sink (readings, rollups and the
 * indicators table), with energy_use as the indicator. Time is vitest's fake
 * clock (Date and setInterval only; DuckDB's I/O runs for real), so "quiet for
 * settleMs" is exact and nothing waits on the wall clock. `tick()` lets the
 * interval fire once and then drains the recomputation through stop().
 */
const INTERVAL = 1_000;
const SETTLE = 60_000;
const indicators = { energy_use: energyUse };
const meter = (tenant: string): Device => ({ id: `el-${tenant}`, tenant, kind: 'electricity_meter', site: `hus-${tenant}`, params: {} });
const kalmar = meter('kalmar');
const vaxjo = meter('vaxjo');

let sink: Sink;
let store: DuckDbStore;
let scheduler: IndicatorScheduler;
let logs: Array<Record<string, unknown>>;
let computed = 0;
const engines: string[] = [];

function newScheduler(): IndicatorScheduler {
  const source = sink.source([kalmar, vaxjo]);
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  return new IndicatorScheduler({
    engine: (tenant) => {
      engines.push(tenant);
      return new IndicatorEngine({ source, devices: [kalmar, vaxjo], indicators });
    },
    store: sink.indicators,
    kinds: ['week', 'month', 'quarter', 'year'],
    intervalMs: INTERVAL,
    settleMs: SETTLE,
    rollups: sink.rollups,
    tenants: () => ['kalmar', 'vaxjo'],
    logger,
    onComputed: () => computed++,
  });
}

/**
 * Moves the clock on by `ms` and lets the interval fire once at the end (firing it
 * every second of a long jump would find the first tick still settling: a tick
 * while one runs joins it).
 */
function fire(ms = INTERVAL): void {
  vi.setSystemTime(Date.now() + ms - INTERVAL);
  vi.advanceTimersByTime(INTERVAL);
}

/** fire(), then waits for the recomputation it started (stop() drains it; started again). */
async function tick(ms = INTERVAL): Promise<void> {
  fire(ms);
  await scheduler.stop();
  scheduler.start();
}

/**
 * Stores readings as the writer does and marks them as its onWritten does. The
 * clock then moves on by a millisecond: a rebuild clears only the day marks made
 * before it started (a frozen clock would rebuild those days on every read).
 */
async function write(readings: CanonicalReading[]): Promise<void> {
  await store.writeReadings(readings);
  scheduler.markAll(readings);
  await sink.rollups.tenants(); // the marks are persisted
  vi.setSystemTime(Date.now() + 1);
}

const stored = async (tenant = 'kalmar') => (await sink.indicators.query({ indicator: 'energy_use', tenant, entity: '*' })).map((v) => v.period).sort();
const storedValue = async (period: string, tenant = 'kalmar') => (await sink.indicators.query({ indicator: 'energy_use', tenant, entity: '*', period }))[0];
const fresh = async (period: string, tenant = 'kalmar') =>
  (await new IndicatorEngine({ source: sink.source([kalmar, vaxjo]), devices: [kalmar, vaxjo], indicators }).compute('energy_use', tenant, parsePeriod(period))).find((v) => v.entity === '*')!;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
  vi.setSystemTime(Date.parse('2025-06-01T08:00:00Z'));
  sink = await duckDbSinkAt(':memory:');
  store = sink.store as DuckDbStore;
  await store.init();
  logs = [];
  computed = 0;
  engines.length = 0;
  scheduler = newScheduler();
  scheduler.start();
});

afterEach(async () => {
  await scheduler.stop();
  await store.close();
  vi.useRealTimers();
});

// March 2025: weeks 9 (24 Feb–2 Mar) to 14 (31 Mar–6 Apr), Q1, the year.
const MARCH = ['2025', '2025-03', '2025-W09', '2025-W10', '2025-W11', '2025-W12', '2025-W13', '2025-W14', '2025Q1'];
const APRIL = ['2025-04', '2025-W14', '2025-W15', '2025-W16', '2025-W17', '2025-W18', '2025Q2'];

describe('IndicatorScheduler', () => {
  it('recomputes a marked month with its weeks, quarter and year once it has been quiet for settleMs, and nothing else', async () => {
    await write(register(kalmar, 'energy_total', local('2025-03-15T00:00'), local('2025-03-16T00:00'), 2));
    expect(scheduler.pending).toBe(1);
    await tick(SETTLE - INTERVAL);
    expect(await stored()).toEqual([]);
    expect(engines).toEqual([]);

    await tick();
    expect(await stored()).toEqual(MARCH);
    expect(await stored('vaxjo')).toEqual([]);
    expect(engines).toEqual(['kalmar']);
    expect(scheduler.pending).toBe(0);
    expect(await storedValue('2025-03')).toMatchObject({ value: 48, coverage: expect.closeTo(24 / 743, 9) });
    expect(logs.find((l) => l.msg === 'indicators recomputed')).toMatchObject({ tenant: 'kalmar', periods: MARCH.length, values: 2 * MARCH.length });

    await tick(10 * SETTLE);
    expect(engines).toEqual(['kalmar']); // nothing dirty: no further work
  });

  it('a month marked after an import or the demo history is not settled until it is recomputed, at the next tick', async () => {
    await write(register(kalmar, 'energy_total', local('2025-03-15T00:00'), local('2025-03-16T00:00'), 2));
    await scheduler.flush();
    scheduler.markMonth('kalmar', Date.UTC(2025, 2, 15));
    // A live mark made now would count as settled (still arriving); this one has nothing more coming.
    expect(scheduler.settled).toBe(false);
    const before = computed;
    await tick();
    expect(computed).toBeGreaterThan(before);
    expect(scheduler.pending).toBe(0);
    expect(scheduler.settled).toBe(true);
  });

  it('marks the neighbouring month too for a reading within two days of the boundary', async () => {
    await write(register(vaxjo, 'energy_total', local('2025-03-31T10:00'), local('2025-03-31T12:00'), 1));
    await tick(SETTLE);
    expect(await stored('vaxjo')).toEqual([...new Set([...MARCH, ...APRIL])].sort());
    expect(await stored('kalmar')).toEqual([]);
  });

  it('waits while readings keep arriving: every mark restarts the month’s quiet time', async () => {
    await write(register(kalmar, 'energy_total', local('2025-03-10T00:00'), local('2025-03-10T01:00'), 1));
    await tick(SETTLE - INTERVAL);
    await write(register(kalmar, 'energy_total', local('2025-03-10T01:00'), local('2025-03-10T02:00'), 1));
    await tick(SETTLE - INTERVAL);
    expect(await stored()).toEqual([]);
    await tick();
    expect(await stored()).toEqual(MARCH);
  });

  it('replaces stored values when late readings arrive for a period computed before', async () => {
    // March up to the 20th, computed and stored.
    await write(register(kalmar, 'energy_total', local('2025-02-27T00:00'), local('2025-03-20T00:00'), 1));
    await scheduler.flush();
    const before = await storedValue('2025-03');
    expect(before).toMatchObject({ value: 19 * 24, sufficient: false });

    // The rest of March arrives late (a gateway's backlog), observed weeks ago.
    await write(register(kalmar, 'energy_total', local('2025-03-20T00:00'), local('2025-04-03T00:00'), 1, 19 * 24 + 2 * 24));
    await tick(SETTLE);
    const after = await storedValue('2025-03');
    expect(after).toMatchObject({ value: 743, coverage: 1, sufficient: true }); // 743 hours: DST
    expect(after).toEqual({ ...(await fresh('2025-03')), details: after!.details });
    // Q1 from 27 February: 48 + 743 hours.
    expect(await storedValue('2025Q1')).toMatchObject({ value: 791 });
    expect((await storedValue('2025Q1'))!.value).toBe((await fresh('2025Q1')).value);
    // Replaced, not added: one row per indicator, tenant, entity and period.
    expect(await sink.indicators.query({ indicator: 'energy_use', tenant: 'kalmar', period: '2025-03' })).toHaveLength(2);
  });

  it('stop() lets the recomputation in flight finish and store its values; a mark made meanwhile stays pending', async () => {
    await write(register(kalmar, 'energy_total', local('2025-03-10T00:00'), local('2025-03-14T00:00'), 1));
    fire(SETTLE);
    // The tick has started the recomputation (March is no longer dirty) and it has not finished;
    // a late reading of May arrives while it runs.
    expect(scheduler.pending).toBe(0);
    expect(computed).toBe(0);
    const may = register(kalmar, 'energy_total', local('2025-05-14T00:00'), local('2025-05-14T06:00'), 1);
    scheduler.markAll(may);
    await store.writeReadings(may);
    await scheduler.stop();
    expect(computed).toBe(1);
    expect(await stored()).toEqual(MARCH);
    expect(scheduler.pending).toBe(1);

    // Stopped: the interval no longer fires.
    fire(10 * SETTLE);
    await scheduler.stop();
    expect(await stored()).not.toContain('2025-05');

    await scheduler.flush(); // what a shutdown or `report` does
    expect(await stored()).toContain('2025-05');
    expect(scheduler.pending).toBe(0);
    scheduler.start();
  });

  it('logs a failed recomputation and retries it on the next tick, without waiting for another reading', async () => {
    await write(register(kalmar, 'energy_total', local('2025-03-10T00:00'), local('2025-03-12T00:00'), 1));
    await write(register(vaxjo, 'energy_total', local('2025-03-10T00:00'), local('2025-03-12T00:00'), 3));
    // The store loses its readings table while the months are due.
    await store.queryRows('ALTER TABLE readings RENAME TO readings_away');
    await tick(SETTLE);
    const failed = logs.filter((l) => l.msg === 'indicator recomputation failed; will retry');
    expect(failed.map((l) => l.tenant).sort()).toEqual(['kalmar', 'vaxjo']);
    expect(String(failed[0]!.err)).toMatch(/readings/);
    expect(failed[0]!.level).toBe(40); // warn
    expect(await stored()).toEqual([]);
    expect(scheduler.pending).toBe(2); // put back, not lost

    // Still failing: retried every tick, not only after another settle time.
    await tick();
    expect(logs.filter((l) => l.msg === 'indicator recomputation failed; will retry')).toHaveLength(4);

    await store.queryRows('ALTER TABLE readings_away RENAME TO readings');
    await tick();
    expect(scheduler.pending).toBe(0);
    expect(await stored()).toEqual(MARCH);
    expect(await stored('vaxjo')).toEqual(MARCH);
    expect((await storedValue('2025-03', 'vaxjo'))!.value).toBe(3 * 48);
  });
});
