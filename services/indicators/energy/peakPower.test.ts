import { describe, expect, it } from 'vitest';
import { peakPower } from './peakPower.js';
import { byEntity, device, every, H, local, run, shuffle } from './testSupport.js';

const registry = { peak_power: peakPower };

describe('peak_power', () => {
  const a1 = device('el-a1', 'electricity_meter', 'hus-a'); // reports power every 15 minutes
  const a2 = device('el-a2', 'electricity_meter', 'hus-a'); // reports only its energy register, hourly
  const b1 = device('el-b1', 'electricity_meter', 'hus-b'); // power, hourly
  const from = local('2024-12-29T00:00');
  const to = local('2025-04-03T00:00');
  const inHour = (t: number, iso: string) => t >= local(iso) && t < local(iso) + H;

  const a1Power = every(a1, 'power', from, to, H / 4, (t) => (inHour(t, '2025-02-10T08:00') ? 30 : inHour(t, '2025-02-12T18:00') ? 25 : 10));
  // 5 kWh every hour, except 20 kWh in the hour 18-19 on 12 February.
  const extra = local('2025-02-12T19:00');
  const a2Register = every(a2, 'energy_total', from, to, H, (t) => 5 * ((t - from) / H) + (t >= extra ? 15 : 0));
  const b1Power = every(b1, 'power', from, to, H, (t) => (inHour(t, '2025-02-20T12:00') ? 40 : inHour(t, '2025-03-30T03:00') ? 50 : 1));
  const readings = [...a1Power, ...a2Register, ...b1Power];
  const devices = [a1, a2, b1];

  it('adds the building’s meters per hour and picks the hour where their sum peaks', async () => {
    const v = byEntity(await run(registry, 'peak_power', devices, readings, '2025-02'));
    // a1 alone peaks on 10 Feb (30 kW), a2 on 12 Feb (20 kW); together 12 Feb 18:00 (25 + 20 = 45 > 30 + 5).
    expect(v['hus-a']).toMatchObject({ value: 45, unit: 'kW', coverage: 1, sufficient: true });
    expect(v['hus-a']!.details).toMatchObject({ peak_hour: '2025-02-12T18:00:00+01:00', meters: 2, hours_with_data: 28 * 24 });
    expect(v['hus-b']!.value).toBe(40);
    expect(v['*']).toMatchObject({ value: 45, details: expect.objectContaining({ peak_entity: 'hus-a', peak_hour: '2025-02-12T18:00:00+01:00' }) });
  });

  it('quarter and year = the highest month (here a DST-night hour in March)', async () => {
    const months = await Promise.all(['2025-01', '2025-02', '2025-03'].map(async (m) => byEntity(await run(registry, 'peak_power', devices, readings, m))));
    const q = byEntity(await run(registry, 'peak_power', devices, readings, '2025Q1'));
    for (const e of ['hus-a', 'hus-b', '*']) expect(q[e]!.value).toBe(Math.max(...months.map((m) => m[e]!.value)));
    expect(q['*']!.details).toMatchObject({ peak_entity: 'hus-b', peak_hour: '2025-03-30T03:00:00+02:00' });
    expect(q['*']!.value).toBe(50);
  });

  it('gives identical results for shuffled and duplicated readings', async () => {
    const a = await run(registry, 'peak_power', devices, readings, '2025-02');
    const b = await run(registry, 'peak_power', devices, [...shuffle(readings, 3), ...shuffle(readings, 5).slice(0, 2000)], '2025-02');
    expect(b).toEqual(a);
  });

  it('lowers coverage for hours a meter did not report', async () => {
    const hole = (t: number) => t >= local('2025-02-03T00:00') && t < local('2025-02-10T00:00');
    const rs = [...a1Power.filter((r) => !hole(Date.parse(r.observedAt))), ...a2Register];
    const v = byEntity(await run(registry, 'peak_power', [a1, a2], rs, '2025-02'));
    // a1 misses 7 × 24 hours of 672; a2 complete.
    expect(v['hus-a']!.coverage).toBeCloseTo((1 + (672 - 168) / 672) / 2, 9);
    expect(v['hus-a']!.value).toBe(45);
  });
});
