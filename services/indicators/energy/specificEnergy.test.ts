import { describe, expect, it } from 'vitest';
import { energyUse } from './energyUse.js';
import { specificEnergy } from './specificEnergy.js';
import { byEntity, device, local, register, run } from './testSupport.js';

const registry = { energy_use: energyUse, specific_energy: specificEnergy };

describe('specific_energy', () => {
  it('divides each building’s kWh by its Atemp, counted once (the largest of its devices)', async () => {
    const e1 = device('el-a', 'electricity_meter', 'hus-a', { atemp_m2: 1000 });
    const h1 = device('fv-a', 'heat_meter', 'hus-a', { atemp_m2: 900 });
    const e2 = device('el-b', 'electricity_meter', 'hus-b', { atemp_m2: '500' });
    const e3 = device('el-c', 'electricity_meter', 'hus-c');
    const from = local('2024-12-29T00:00');
    const to = local('2025-02-03T00:00');
    const rs = [
      ...register(e1, 'energy_total', from, to, 2),
      ...register(h1, 'heat_energy_total', from, to, 3),
      ...register(e2, 'energy_total', from, to, 1),
      ...register(e3, 'energy_total', from, to, 4),
    ];
    const v = byEntity(await run(registry, 'specific_energy', [e1, h1, e2, e3], rs, '2025-01'));
    expect(v['hus-a']).toMatchObject({ value: (744 * 5) / 1000, unit: 'kWh/m²', coverage: 1, sufficient: true, details: { energy_kwh: 3720, atemp_m2: 1000 } });
    expect(v['hus-b']!.value).toBeCloseTo(744 / 500, 12);
    expect(v['hus-c']).toBeUndefined();
    expect(v['*']!.value).toBeCloseTo((3720 + 744) / 1500, 12);
    expect(v['*']!.details).toMatchObject({ buildings: 2, buildings_without_atemp: 1, without_atemp: 'hus-c', atemp_m2: 1500 });
  });

  it('carries the energy coverage (a building missing a week is insufficient)', async () => {
    const e1 = device('el-a', 'electricity_meter', 'hus-a', { atemp_m2: 100 });
    const rs = register(e1, 'energy_total', local('2024-12-29T00:00'), local('2025-02-03T00:00'), 1).filter((r) => {
      const t = Date.parse(r.observedAt);
      return t <= local('2025-01-10T00:00') || t >= local('2025-01-17T00:00');
    });
    const v = byEntity(await run(registry, 'specific_energy', [e1], rs, '2025-01'));
    expect(v['hus-a']!.coverage).toBeCloseTo((744 - 168) / 744, 9);
    expect(v['hus-a']!.sufficient).toBe(false);
    expect(v['*']!.sufficient).toBe(false);
  });
});
