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
    expect(v['*']!.details).toMatchObject({ days_measured: 5, days_with_data: 5 });
    // Coverage: the share of the week in measured days.
    expect(v['*']!.coverage).toBeCloseTo(5 / 7, 9);
    expect(v['*']!.sufficient).toBe(false);
  });

  describe('a day needs all but 4 of its hours', () => {
    // July 2025: nights (18:00–11:59) at 10 °C, afternoons (12:00–17:59) at 16 °C;
    // a full day's mean is (18·10 + 6·16)/24 = 11.5 °C, 5.5 °C·d.
    const july = local('2025-07-01T00:00');
    const hourOf = (t: number) => new Date(t).toLocaleString('en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', hourCycle: 'h23' });
    const afternoon = (t: number) => Number(hourOf(t)) >= 12 && Number(hourOf(t)) < 18;
    const julyTemps = every(t1, 'temperature', local('2025-06-30T00:00'), local('2025-08-02T00:00'), H, (t) => (afternoon(t) ? 16 : 10));
    // Seven days (2–8 July) have only their six warm afternoon hours.
    const partial = (t: number) => t >= july + DAY && t < july + 8 * DAY;
    const rs = julyTemps.filter((r) => {
      const t = Date.parse(r.observedAt);
      return !partial(t) || afternoon(t);
    });

    it('leaves out days with only their warm afternoon hours instead of averaging those hours', async () => {
      const v = byEntity(await run(registry, 'degree_days', [t1], rs, '2025-07'))['*']!;
      // Averaging the afternoon (16 °C) would add 1 °C·d for each partial day, and the
      // readings' time coverage (744 − 7·18 hours of 744 = 83 %) would call it sufficient.
      expect(v.value).toBeCloseTo(24 * 5.5, 9);
      expect(v.details).toMatchObject({ days: 31, days_measured: 24, days_with_data: 31 });
      expect(v.details!.mean_temperature_c).toBeCloseTo(11.5, 9);
      expect(v.coverage).toBeCloseTo(24 / 31, 9);
      expect(v.sufficient).toBe(false);
      const day = byEntity(await run(registry, 'degree_days', [t1], rs, '2025-07-03'))['*']!;
      expect(day).toMatchObject({ value: 0, coverage: 0, sufficient: false });
      expect(day.details).toMatchObject({ days_measured: 0, days_with_data: 1 });
    });

    it('counts a day with 20 of 24 hours, not one with 19; 19 of a 23-hour DST day', async () => {
      // 2025-07-10 misses 4 hours (00–03), 2025-07-11 misses 5 (00–04), all at 10 °C.
      const missing = (t: number) => (t >= local('2025-07-10T00:00') && t < local('2025-07-10T04:00')) || (t >= local('2025-07-11T00:00') && t < local('2025-07-11T05:00'));
      const gaps = julyTemps.filter((r) => !missing(Date.parse(r.observedAt)));
      const ten = byEntity(await run(registry, 'degree_days', [t1], gaps, '2025-07-10'))['*']!;
      // 20 hours: 14 at 10 °C, 6 at 16 °C, mean 11.8 °C.
      expect(ten).toMatchObject({ coverage: 1, sufficient: true });
      expect(ten.value).toBeCloseTo(17 - (14 * 10 + 6 * 16) / 20, 9);
      expect(byEntity(await run(registry, 'degree_days', [t1], gaps, '2025-07-11'))['*']).toMatchObject({ value: 0, coverage: 0, sufficient: false });
      const month = byEntity(await run(registry, 'degree_days', [t1], gaps, '2025-07'))['*']!;
      expect(month.details).toMatchObject({ days_measured: 30 });
      expect(month.coverage).toBeCloseTo(30 / 31, 9);
      expect(month.sufficient).toBe(true);

      // 30 March 2025 has 23 hours: 19 of them are enough, 18 are not.
      const march = (missingHours: number) =>
        every(t1, 'temperature', local('2025-03-30T00:00'), local('2025-03-31T00:00') - 1, H, () => 7).slice(missingHours);
      expect(march(0)).toHaveLength(23);
      expect(byEntity(await run(registry, 'degree_days', [t1], march(4), '2025-03-30'))['*']).toMatchObject({ value: 10, coverage: 1 });
      expect(byEntity(await run(registry, 'degree_days', [t1], march(5), '2025-03-30'))['*']).toMatchObject({ value: 0, coverage: 0 });
    });
  });

  it('has coverage 0 without temperature sensors', async () => {
    const v = await run(registry, 'degree_days', [], [], '2025-01');
    expect(v).toEqual([expect.objectContaining({ entity: '*', value: 0, coverage: 0, sufficient: false })]);
  });
});
