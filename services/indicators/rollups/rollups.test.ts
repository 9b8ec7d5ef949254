import { describe, expect, it } from 'vitest';
import { compareEngines } from '../../../test/helpers/compareEngines.js';
import { devices, periods, readingsOf } from '../../../test/helpers/rollupScenario.js';
import { TENANT } from '../energy/testSupport.js';
import { parsePeriod } from '../periods.js';
import { sourceWith } from '../testing.js';
import type { StoreRollups } from './storeRollups.js';

/**
 * The rollup engine equals the raw-sample engine (test/reference) on awkward data
 * (test/helpers/rollupScenario.ts), also after late readings.
 */
describe('rollups', () => {
  for (const seed of [1, 2, 3]) {
    it(`give the raw engine's values (seed ${seed})`, async () => {
      const readings = readingsOf(seed);
      const { source, store } = await sourceWith(devices, readings);
      const r = await compareEngines({ rollupSource: source, rawSource: source, devices, tenant: TENANT, periods });
      expect(r.differences).toEqual([]);
      expect(r.compared).toBeGreaterThan(200);
      await store.close();
    });
  }

  it('follow late readings: the marked days are rebuilt before a read, and the values are the raw engine’s again', async () => {
    const all = readingsOf(7);
    const late = all.filter((_, i) => i % 9 === 0);
    const { source, store } = await sourceWith(devices, all.filter((_, i) => i % 9 !== 0));
    const rollups = source.rollups as StoreRollups;
    expect((await rollups.settle({ tenant: TENANT })).days).toBeGreaterThan(40); // every day with readings (and its neighbours)
    expect((await rollups.settle({ tenant: TENANT })).days).toBe(0);
    const before = await compareEngines({ rollupSource: source, rawSource: source, devices, tenant: TENANT, periods: [parsePeriod('2025-03')] });
    expect(before.differences).toEqual([]);
    await store.writeReadings(late);
    // Not marked yet: the rollups do not know them, so the two engines differ.
    const stale = await compareEngines({ rollupSource: source, rawSource: source, devices, tenant: TENANT, periods: [parsePeriod('2025-03')], ids: ['energy_use'] });
    expect(stale.differences.length).toBeGreaterThan(0);
    await rollups.markReadings(late);
    const after = await compareEngines({ rollupSource: source, rawSource: source, devices, tenant: TENANT, periods });
    expect(after.differences).toEqual([]);
    expect((await rollups.settle({ tenant: TENANT })).days).toBe(0);
    await store.close();
  });
});
