import { describe, expect, it } from 'vitest';
import { IndicatorEngine, usersSoon } from './engine.js';
import { degreeDays } from './energy/degreeDays.js';
import { energyUse } from './energy/energyUse.js';
import { specificEnergy } from './energy/specificEnergy.js';
import { device, local, register, TENANT } from './energy/testSupport.js';
import { parsePeriod } from './periods.js';
import { sourceWith } from './testing.js';
import type { Indicator, IndicatorValue } from './types.js';

/** An indicator that counts its computations. */
function counted(i: Indicator, runs: Record<string, number>): Indicator {
  return { ...i, compute: (ctx) => ((runs[i.id] = (runs[i.id] ?? 0) + 1), i.compute(ctx)) };
}

describe('IndicatorEngine.computeEach', () => {
  it('hands over one indicator at a time, a user right after what it uses, keeps in its memo only what an indicator still to come uses, and gives what computeAll gives', async () => {
    const el = device('el-a', 'electricity_meter', 'hus-a', { atemp_m2: 1000 });
    const { source, store } = await sourceWith([el], register(el, 'energy_total', local('2024-12-29T00:00'), local('2025-02-03T00:00'), 2));
    try {
      const runs: Record<string, number> = {};
      const indicators = { energy_use: counted(energyUse, runs), degree_days: counted(degreeDays, runs), specific_energy: counted(specificEnergy, runs) };
      const periods = [parsePeriod('2025-01')];
      const engine = new IndicatorEngine({ source, devices: [el], indicators });
      const batches: IndicatorValue[][] = [];
      const n = await engine.computeEach(TENANT, periods, async (v) => void batches.push(v));
      expect(batches.map((b) => [...new Set(b.map((v) => v.indicator))])).toEqual([['energy_use'], ['specific_energy'], ['degree_days']]);
      expect(n).toBe(batches.flat().length);
      // specific_energy read energy_use from the memo: computed once.
      expect(runs).toEqual({ energy_use: 1, degree_days: 1, specific_energy: 1 });
      expect(engine.provenance('specific_energy', TENANT, periods[0]!)).toBeDefined();
      // Nothing is held after the last indicator: computing again reads the store again.
      await engine.compute('energy_use', TENANT, periods[0]!);
      expect(runs.energy_use).toBe(2);
      const all = await new IndicatorEngine({ source, devices: [el], indicators: { energy_use: energyUse, degree_days: degreeDays, specific_energy: specificEnergy } }).computeAll(TENANT, periods, ['energy_use', 'specific_energy', 'degree_days']);
      expect(batches.flat()).toEqual(all);
    } finally {
      await store.close();
    }
  });

  it('orders users right after the last indicator they use, chains included, the rest as given', () => {
    const uses: Record<string, string[]> = { emissions: ['energy_use'], normalized: ['energy_use', 'degree_days'], index: ['flow'], share: ['index'], early: ['late'] };
    const order = usersSoon(['energy_use', 'degree_days', 'normalized', 'peak', 'emissions', 'flow', 'x', 'index', 'share', 'early', 'late'], (id) => uses[id] ?? []);
    expect(order).toEqual(['energy_use', 'emissions', 'degree_days', 'normalized', 'peak', 'flow', 'index', 'share', 'x', 'late', 'early']);
  });
});

describe('IndicatorEngine: windows without marked days', () => {
  it('answers reads of a window with no marked day without asking the store, with the values a full read gives', async () => {
    const el = device('el-a', 'electricity_meter', 'hus-a', { atemp_m2: 1000 });
    const { source, store } = await sourceWith([el], register(el, 'energy_total', local('2024-12-29T00:00'), local('2025-02-03T00:00'), 2));
    try {
      const asked: string[] = [];
      const rollups = source.rollups!;
      const counting = {
        ...source,
        series: (q: Parameters<typeof source.series>[0]) => (asked.push('series'), source.series(q)),
        rollups: { eachDevice: (q: Parameters<typeof rollups.eachDevice>[0], fn: Parameters<typeof rollups.eachDevice>[1]) => (asked.push(`rollups ${q.span}`), rollups.eachDevice(q, fn)), markedDays: (t: string) => rollups.markedDays!(t) },
      };
      const indicators = { energy_use: energyUse, degree_days: degreeDays, specific_energy: specificEnergy };
      const unprobed = { ...counting, rollups: { eachDevice: counting.rollups.eachDevice } };
      for (const label of ['2024Q3', '2025-01']) {
        const period = parsePeriod(label);
        asked.length = 0;
        const values = await new IndicatorEngine({ source: counting, devices: [el], indicators }).computeAll(TENANT, [period]);
        const readsWithProbe = asked.length;
        asked.length = 0;
        expect(values).toEqual(await new IndicatorEngine({ source: unprobed, devices: [el], indicators }).computeAll(TENANT, [period]));
        // 2024Q3 has no reading: nothing asked; 2025-01 reads as without the probe.
        expect(readsWithProbe).toBe(label === '2024Q3' ? 0 : asked.length);
        expect(asked.length).toBeGreaterThan(0);
      }
    } finally {
      await store.close();
    }
  });
});
