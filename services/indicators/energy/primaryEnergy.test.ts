import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBuildingsBelowCode } from './newBuildingsBelowCode.js';
import { primaryEnergy, rollingYear } from './primaryEnergy.js';
import { byEntity, device, H, local, register, run, TENANT } from './testSupport.js';
import { parsePeriod } from '../periods.js';
import { contextFor, sourceWith } from '../testing.js';
import type { ReadingSource } from '../types.js';

const registry = { primary_energy_number: primaryEnergy, new_buildings_below_code: newBuildingsBelowCode };

describe('primary_energy_number and new_buildings_below_code', () => {
  // A new school: 1000 m², limit 80 kWh/m² year, F_geo 0.9; a new house by building_year; an old one.
  const school = { new_building: true, atemp_m2: 1000, ep_limit: 80, fgeo: 0.9 };
  const el = device('el-skola', 'electricity_meter', 'skola-ny', school);
  const heat = device('fv-skola', 'heat_meter', 'skola-ny');
  const cool = device('fk-skola', 'cooling_meter', 'skola-ny');
  const house = device('el-hus', 'electricity_meter', 'hus-b', { building_year: 2021, atemp_m2: 500, ep_limit: 70 });
  const old = device('el-gammal', 'electricity_meter', 'hus-gammal', { building_year: 1970, atemp_m2: 2000, ep_limit: 110 });
  const devices = [el, heat, cool, house, old];
  const from = local('2024-03-28T00:00');
  const to = local('2025-04-03T00:00');
  const readings = [
    ...register(el, 'energy_total', from, to, 2, 0, 3 * H),
    ...register(heat, 'heat_energy_total', from, to, 3, 0, 3 * H),
    ...register(cool, 'cooling_energy_total', from, to, 0.5, 0, 3 * H),
    ...register(house, 'energy_total', from, to, 3, 0, 3 * H),
    ...register(old, 'energy_total', from, to, 1, 0, 3 * H),
  ];
  const hours = 8760; // 2024-04-01 .. 2025-04-01 in Stockholm
  // One store for the full data set (writing a year of readings is the slow part).
  let source: ReadingSource;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const s = await sourceWith(devices, readings);
    source = s.source;
    close = () => s.store.close();
  });
  afterAll(() => close());
  const compute = (id: keyof typeof registry, label: string) => registry[id].compute(contextFor({ tenant: TENANT, period: parsePeriod(label), source, devices }, registry));

  it('a quarter is followed over the 12 months ending with it', () => {
    expect(rollingYear(parsePeriod('2025Q1')).map((p) => p.label)).toEqual(['2024Q2', '2024Q3', '2024Q4', '2025Q1']);
    expect(rollingYear(parsePeriod('2025')).map((p) => p.label)).toEqual(['2025']);
    
  });

  it('weights each carrier with BBR 9:2’s factors, divides heating by F_geo, per m² Atemp', async () => {
    const v = byEntity(await compute('primary_energy_number', '2025Q1'));
    const schoolWeighted = 2 * hours * 1.8 + ((3 * hours) / 0.9) * 0.7 + 0.5 * hours * 0.6;
    expect(v['skola-ny']!.value).toBeCloseTo(schoolWeighted / 1000, 6);
    expect(v['skola-ny']).toMatchObject({ unit: 'kWh/m²/year', coverage: 1, sufficient: true });
    expect(v['skola-ny']!.details).toMatchObject({ ep_limit: 80, new_building: 1, from: '2024Q2', to: '2025Q1', kwh_district_cooling: expect.closeTo(0.5 * hours, 6) });
    expect(v['skola-ny']!.details!.margin_pct).toBeCloseTo((1 - schoolWeighted / 1000 / 80) * 100, 6);
    expect(v['hus-b']!.value).toBeCloseTo((3 * hours * 1.8) / 500, 6);
    expect(v['*']!.value).toBeCloseTo((schoolWeighted + 3 * hours * 1.8 + hours * 1.8) / 3500, 6);
  });

  it('counts the new buildings at least 25 % below their limit', async () => {
    const v = byEntity(await compute('new_buildings_below_code', '2025Q1'));
    expect(v['skola-ny']!.value).toBe(100); // 54.6 ≤ 0.75 × 80
    expect(v['hus-b']!.value).toBe(0); // 94.6 > 0.75 × 70
    expect(v['hus-gammal']).toBeUndefined();
    expect(v['*']).toMatchObject({ value: 50, coverage: 1, sufficient: true, details: expect.objectContaining({ new_buildings: 2, below: 1 }) });
  });

  it('a year without data is not enough data; without new buildings there is a note', async () => {
    const v = byEntity(await run(registry, 'new_buildings_below_code', devices, readings.filter((r) => Date.parse(r.observedAt) >= local('2024-12-28T00:00')), '2025Q1'));
    expect(v['*']!.sufficient).toBe(false); // a quarter of the rolling year measured
    const none = await run(registry, 'new_buildings_below_code', [old], [], '2025Q1');
    expect(none).toEqual([expect.objectContaining({ entity: '*', sufficient: false, details: expect.objectContaining({ new_buildings: 0 }) })]);
  });
});
