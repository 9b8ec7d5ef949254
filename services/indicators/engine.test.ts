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
