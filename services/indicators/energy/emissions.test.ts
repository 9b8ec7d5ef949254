import { describe, expect, it } from 'vitest';
import { emissions } from './emissions.js';
import { energyUse } from './energyUse.js';
import { byEntity, device, local, register, run } from './testSupport.js';

const registry = { energy_use: energyUse, emissions };

describe('emissions', () => {
  const from = local('2024-12-29T00:00');
  const to = local('2025-02-03T00:00');
  const el = device('el-a', 'electricity_meter', 'hus-a');
  const fv = device('fv-a', 'heat_meter', 'hus-a');
  const rs = [...register(el, 'energy_total', from, to, 1), ...register(fv, 'heat_energy_total', from, to, 10)];

  it('multiplies kWh per carrier by the default factors (kg/kWh) and converts to tonnes', async () => {
    const v = byEntity(await run(registry, 'emissions', [el, fv], rs, '2025-01'));
    // 744 kWh × 0.036 + 7440 kWh × 0.05 = 26.784 + 372 kg
    expect(v['hus-a']!.value).toBeCloseTo(0.398784, 12);
    expect(v['hus-a']).toMatchObject({ unit: 't CO2e', coverage: 1, sufficient: true });
    expect(v['hus-a']!.details).toMatchObject({ kwh_electricity: 744, kwh_district_heating: 7440, factor_electricity: 0.036, factor_district_heating: 0.05 });
    expect(v['hus-a']!.details!.t_electricity).toBeCloseTo(0.026784, 12);
    expect(v['hus-a']!.details!.t_district_heating).toBeCloseTo(0.372, 12);
    expect(v['*']!.value).toBeCloseTo(0.398784, 12);
  });

  it('uses the city’s own factors and carriers; a carrier without a factor lowers coverage', async () => {
    const bio = device('fv-b', 'heat_meter', 'hus-b', { carrier: 'biofuel_boiler' });
    const all = [...rs, ...register(bio, 'heat_energy_total', from, to, 2)];
    const v = byEntity(await run(registry, 'emissions', [el, fv, bio], all, '2025-01', { emissionFactors: { electricity: 0.1, district_heating: 0.2 } }));
    expect(v['hus-a']!.value).toBeCloseTo(0.0744 + 1.488, 12);
    expect(v['hus-b']).toMatchObject({ value: 0, coverage: 0, sufficient: false, details: expect.objectContaining({ missing_factor: 'biofuel_boiler' }) });
    // Tenant: 1488 of 744 + 7440 + 1488 kWh could not be converted.
    expect(v['*']!.value).toBeCloseTo(1.5624, 12);
    expect(v['*']!.coverage).toBeCloseTo(8184 / 9672, 12);
    expect(v['*']!.sufficient).toBe(true);
  });
});
