import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RollupRow } from '../../indicators/rollups/types.js';
import { duckDbRollups } from './duckdbRollups.js';
import { ROLLUP_LAYOUT_VERSION } from './duckdbRollupLayout.js';
import { DuckDbStore } from './duckdbStore.js';

const DAY = Date.parse('2025-02-28T23:00:00Z'); // 1 March, Stockholm
/** A waste container's day row as rows were before they carried their readings. */
const oldWasteRow: RollupRow = { device: 'bin-1', kind: 'waste_fill', span: 'day', start: DAY, d: { readings: 1, times: 1, firstT: DAY, lastT: DAY, silences: [] }, s: [] };

async function open(path: string) {
  const store = new DuckDbStore(path);
  await store.init();
  return { store, rollups: duckDbRollups(store) };
}
const version = (store: DuckDbStore) =>
  store.onRollupConnection(async (c) => Number((await c.runAndReadAll('SELECT max(version) FROM rollup_layout')).getRows()[0]?.[0]));

describe('DuckDB rollup layout migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-layout-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'klimatpuls.duckdb');

  it('stamps a new data directory with the current layout, and a restart does not mark old-looking rows again', async () => {
    const a = await open(path);
    expect(await a.rollups.dirtyDays('t', 0, Infinity)).toEqual([]);
    expect(await version(a.store)).toBe(ROLLUP_LAYOUT_VERSION);
    await a.rollups.replaceRows('t', 'day', DAY, [oldWasteRow]);
    await a.store.close();

    const b = await open(path);
    expect(await b.rollups.dirtyDays('t', 0, Infinity)).toEqual([]); // no scan on this start
    await b.store.close();
  });

  it('migrates a data directory from before the layout was recorded once: its old waste day is marked, then stamped', async () => {
    const a = await open(path);
    await a.store.onRollupConnection((c) => c.run('DROP TABLE rollup_layout'));
    await a.store.close();

    const b = await open(path);
    expect(await b.rollups.dirtyDays('t', 0, Infinity)).toEqual([DAY]);
    expect(await version(b.store)).toBe(ROLLUP_LAYOUT_VERSION);
    await b.rollups.clearDirty('t', [DAY], Date.now() + 1);
    await b.store.close();

    const c = await open(path);
    expect(await c.rollups.dirtyDays('t', 0, Infinity)).toEqual([]);
    await c.store.close();
  });
});
