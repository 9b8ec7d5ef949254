import { describe, expect, it } from 'vitest';
import { degreeDays } from './degreeDays.js';
import { byEntity, device, every, H, local, run } from './testSupport.js';

const registry = { degree_days: degreeDays };
const DAY = 24 * H;

describe('degree_days', () => {
  // Week 3 of 2025: Monday 13 January to Sunday 19 January (no DST).
  const monday = local('2025-01-13T00:00');
  const temps = [-5, 0, 5, 10, 17, 20, 12];
  const tempAt = (t: number) => temps[Math.floor((t - monday) / DAY)] ?? 0;
  const t1 = device('temp-1', 'temperature', 'centrum');
  const t2 = device('temp-2', 'temperature', 'hamnen');

  it('sums max(0, 17 − daily mean) over the days of a known temperature series', async () => {
    const rs = every(t1, 'temperature', local('2025-01-12T00:00'), local('2025-01-21T00:00'), H, tempAt);
    const v = byEntity(await run(registry, 'degree_days', [t1], rs, '2025-W03'));
    // 22 + 17 + 12 + 7 + 0 + 0 + 5
    expect(v['*']).toMatchObject({ value: 63, unit: '°C·d', coverage: 1, sufficient: true });
    expect(v['*']!.details).toMatchObject({ base_c: 17, days: 7, days_with_data: 7, sensors: 1, sensors_reporting: 1 });
    expect(Object.keys(v)).toEqual(['*']);
  });

  it('averages sensors per hour, so a sensor reporting every 10 minutes does not outweigh an hourly one', async () => {
    const rs = [
      ...every(t1, 'temperature', local('2025-01-12T00:00'), local('2025-01-21T00:00'), H, tempAt),
      // Same as temp-1 except Monday, when it reads −9 (the hourly mean of both is −7).
      ...every(t2, 'temperature', local('2025-01-12T00:00'), local('2025-01-21T00:00'), H / 6, (t) => (t >= monday && t < monday + DAY ? -9 : tempAt(t))),
    ];
    const v = byEntity(await run(registry, 'degree_days', [t1, t2], rs, '2025-W03'));
    expect(v['*']!.value).toBeCloseTo(24 + 17 + 12 + 7 + 5, 9);
    const day = byEntity(await run(registry, 'degree_days', [t1, t2], rs, '2025-01-13'));
    expect(day['*']!.value).toBeCloseTo(24, 9);
    expect(day['*']!.details!.mean_temperature_c).toBeCloseTo(-7, 9);
  });

  it('uses a custom base and counts a 23-hour DST day as one day', async () => {
    const rs = every(t1, 'temperature', local('2025-03-29T00:00'), local('2025-04-01T00:00'), H, () => 7);
    const v = byEntity(await run(registry, 'degree_days', [t1], rs, '2025-03-30'));
    expect(v['*']).toMatchObject({ value: 10, coverage: 1 });
    const v15 = byEntity(await run(registry, 'degree_days', [t1], rs, '2025-03-30', { degreeDayBase: 15 }));
    expect(v15['*']!.value).toBe(8);
  });

  it('leaves out days without readings and says so in coverage', async () => {
    const rs = every(t1, 'temperature', local('2025-01-12T00:00'), local('2025-01-21T00:00'), H, tempAt).filter((r) => {
      const t = Date.parse(r.observedAt);
      return t < local('2025-01-14T00:00') || t >= local('2025-01-16T00:00');
    });
    const v = byEntity(await run(registry, 'degree_days', [t1], rs, '2025-W03'));
    // Tuesday (17) and Wednesday (12) are missing, not estimated.
    expect(v['*']!.value).toBe(22 + 7 + 0 + 0 + 5);
    expect(v['*']!.details).toMatchObject({ days_with_data: 5 });
    // Readings stop at Monday 23:00 and resume Thursday 00:00: 49 hours uncovered.
    expect(v['*']!.coverage).toBeCloseTo((168 - 49) / 168, 9);
    expect(v['*']!.sufficient).toBe(false);
  });

  it('has coverage 0 without temperature sensors', async () => {
    const v = await run(registry, 'degree_days', [], [], '2025-01');
    expect(v).toEqual([expect.objectContaining({ entity: '*', value: 0, coverage: 0, sufficient: false })]);
  });
});
