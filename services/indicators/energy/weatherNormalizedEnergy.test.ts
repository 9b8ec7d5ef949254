import { describe, expect, it } from 'vitest';
import type { IndicatorSettings } from '../types.js';
import { degreeDays } from './degreeDays.js';
import { energyUse } from './energyUse.js';
import { weatherNormalizedEnergy } from './weatherNormalizedEnergy.js';
import { byEntity, device, every, H, local, register, run } from './testSupport.js';

const registry = { energy_use: energyUse, degree_days: degreeDays, energy_weather_normalized: weatherNormalizedEnergy };

describe('energy_weather_normalized', () => {
  const el = device('el-a', 'electricity_meter', 'hus-a');
  const fv = device('fv-a', 'heat_meter', 'hus-a');
  const temp = device('temp-1', 'temperature', 'centrum');
  const devices = [el, fv, temp];
  const meters = [
    ...register(el, 'energy_total', local('2024-12-28T00:00'), local('2025-02-03T00:00'), 1),
    ...register(fv, 'heat_energy_total', local('2024-12-28T00:00'), local('2025-02-03T00:00'), 10),
  ];
  // January 2024 a steady −3 °C (20 °C·d a day), January 2025 a steady 2 °C (15 °C·d a day).
  const weather2024 = every(temp, 'temperature', local('2023-12-29T00:00'), local('2024-02-02T00:00'), H, () => -3);
  const weather2025 = every(temp, 'temperature', local('2024-12-29T00:00'), local('2025-02-02T00:00'), H, () => 2);

  it('scales the heating by DD_baseline / DD_actual and leaves electricity alone', async () => {
    const v = byEntity(await run(registry, 'energy_weather_normalized', devices, [...meters, ...weather2024, ...weather2025], '2025-01'));
    // 744 + 7440 × 620 / 465 = 744 + 9920
    expect(v['hus-a']!.value).toBeCloseTo(10_664, 9);
    expect(v['hus-a']).toMatchObject({ unit: 'kWh', coverage: 1, sufficient: true });
    expect(v['hus-a']!.details).toMatchObject({ electricity_kwh: 744, heat_kwh: 7440, dd_actual: 465, dd_baseline: 620, baseline_period: '2024-01' });
    expect(v['hus-a']!.details!.factor).toBeCloseTo(4 / 3, 12);
    expect(v['*']!.value).toBeCloseTo(10_664, 9);
  });

  it('is insufficient when the baseline weather is missing', async () => {
    const v = byEntity(await run(registry, 'energy_weather_normalized', devices, [...meters, ...weather2025], '2025-01'));
    expect(v['hus-a']).toMatchObject({ coverage: 0, sufficient: false });
    expect(v['hus-a']!.details).toMatchObject({ dd_baseline: 0, dd_actual: 465, note: 'degree-days insufficient' });
  });

  it('normalizes to a configured baseline year (settings.weatherBaselineYear)', async () => {
    // Not a typed setting: the targets file's free-form settings are merged into the indicator settings.
    const settings: Partial<IndicatorSettings> = { weatherBaselineYear: 2025 };
    const v = byEntity(await run(registry, 'energy_weather_normalized', devices, [...meters, ...weather2025], '2025-01', settings));
    expect(v['hus-a']).toMatchObject({ value: 744 + 7440, sufficient: true });
    expect(v['hus-a']!.details).toMatchObject({ baseline_period: '2025-01', factor: 1 });
  });
});
