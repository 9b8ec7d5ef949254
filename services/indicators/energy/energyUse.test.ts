import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../periods.js';
import { energyUse } from './energyUse.js';
import { byEntity, device, H, local, register, run, shuffle } from './testSupport.js';

const registry = { energy_use: energyUse };

describe('energy_use', () => {
  const e1 = device('el-a', 'electricity_meter', 'hus-a');
  const h1 = device('fv-a', 'heat_meter', 'hus-a');
  const e2 = device('el-b', 'electricity_meter', 'hus-b');
  const from = local('2025-01-10T00:00');
  const to = local('2025-01-22T00:00');
  const readings = [...register(e1, 'energy_total', from, to, 2, 1000), ...register(h1, 'heat_energy_total', from, to, 5, 50_000), ...register(e2, 'energy_total', from, to, 1)];

  it('gives exact kWh per building, per carrier, and the tenant total (day and week)', async () => {
    const day = byEntity(await run(registry, 'energy_use', [e1, h1, e2], readings, '2025-01-15'));
    expect(day['hus-a']).toMatchObject({ value: 168, unit: 'kWh', coverage: 1, sufficient: true, period: '2025-01-15', periodKind: 'day' });
    expect(day['hus-a']!.details).toMatchObject({ electricity_kwh: 48, heat_kwh: 120, resets: 0, meters: 2, meters_reporting: 2, kwh_electricity: 48, kwh_district_heating: 120 });
    expect(day['hus-b']!.value).toBe(24);
    expect(day['*']).toMatchObject({ value: 192, coverage: 1, sufficient: true });
    expect(day['*']!.details).toMatchObject({ electricity_kwh: 72, heat_kwh: 120 });

    const week = byEntity(await run(registry, 'energy_use', [e1, h1, e2], readings, '2025-W03'));
    expect(week['hus-a']!.value).toBe(7 * 168);
    expect(week['*']!.value).toBe(7 * 192);
  });

  it('falls back to the device id when a device has no site; a silent meter has coverage 0', async () => {
    const lone = device('el-lone', 'electricity_meter');
    const silent = device('el-silent', 'electricity_meter', 'hus-b');
    const v = byEntity(await run(registry, 'energy_use', [e2, lone, silent], [...register(e2, 'energy_total', from, to, 1), ...register(lone, 'energy_total', from, to, 3)], '2025-01-15'));
    expect(v['el-lone']!.value).toBe(72);
    expect(v['hus-b']).toMatchObject({ value: 24, coverage: 0.5, sufficient: false });
    expect(v['hus-b']!.details).toMatchObject({ meters: 2, meters_reporting: 1 });
  });

  it('leaves out the meters of a building built after the period (a baseline year before it stays sufficient)', async () => {
    const newer = device('el-ny', 'electricity_meter', 'hus-ny', { building_year: 2026 });
    const v = byEntity(await run(registry, 'energy_use', [e2, newer], register(e2, 'energy_total', from, to, 1), '2025-01-15'));
    expect(v['hus-ny']).toBeUndefined();
    expect(v['*']).toMatchObject({ value: 24, coverage: 1, sufficient: true });
    const built = byEntity(await run(registry, 'energy_use', [e2, { ...newer, params: { building_year: 2025 } }], register(e2, 'energy_total', from, to, 1), '2025-01-15'));
    expect(built['*']).toMatchObject({ value: 24, coverage: 0.5, sufficient: false });
  });

  it('handles a meter replacement (register drops to 0 and rises): right consumption, never negative', async () => {
    const m = device('el-r', 'electricity_meter', 'hus-r');
    const swap = local('2025-03-05T12:00');
    // Old meter at 5000 kWh + 1 kWh/h; the new one was installed at 11:30 and reads 0.5 kWh at 12:00.
    const rs = register(m, 'energy_total', local('2025-02-28T00:00'), local('2025-03-12T00:00'), 1).map((r) => {
      const t = Date.parse(r.observedAt);
      return { ...r, value: t < swap ? 5000 + r.value : (t - swap) / H + 0.5 };
    });
    const day = byEntity(await run(registry, 'energy_use', [m], rs, '2025-03-05'));
    expect(day['hus-r']!.value).toBeCloseTo(23.5, 9);
    expect(day['hus-r']!.details!.resets).toBe(1);
    const week = byEntity(await run(registry, 'energy_use', [m], rs, '2025-W10'));
    expect(week['hus-r']!.value).toBeCloseTo(167.5, 9);
    const before = byEntity(await run(registry, 'energy_use', [m], rs, '2025-03-04'));
    expect(before['hus-r']).toMatchObject({ value: 24, details: expect.objectContaining({ resets: 0 }) });
    for (let d = 1; d <= 10; d++) {
      const v = await run(registry, 'energy_use', [m], rs, `2025-03-${String(d).padStart(2, '0')}`);
      for (const x of v) expect(x.value).toBeGreaterThanOrEqual(0);
    }
  });

  it('DST months: March 2025 has 743 hours, October 745; boundaries at Stockholm midnight', async () => {
    const m = device('el-dst', 'electricity_meter', 'hus-d');
    const aprilStart = local('2025-04-01T00:00');
    expect(parsePeriod('2025-03').end).toBe(aprilStart);
    // 1 kWh/h, plus 99 kWh extra in the last hour of March (23:00-24:00 local): all of it belongs to March.
    const rs = [
      ...register(m, 'energy_total', local('2025-02-26T00:00'), local('2025-04-03T00:00'), 1).map((r) => ({ ...r, value: r.value + (Date.parse(r.observedAt) >= aprilStart ? 99 : 0) })),
    ];
    const march = byEntity(await run(registry, 'energy_use', [m], rs, '2025-03'));
    expect(march['hus-d']).toMatchObject({ value: 743 + 99, coverage: 1, sufficient: true });
    expect(byEntity(await run(registry, 'energy_use', [m], rs, '2025-03-30'))['hus-d']!.value).toBe(23);
    expect(byEntity(await run(registry, 'energy_use', [m], rs, '2025-03-31'))['hus-d']!.value).toBe(24 + 99);
    expect(byEntity(await run(registry, 'energy_use', [m], rs, '2025-04-01'))['hus-d']!.value).toBe(24);

    const oct = register(m, 'energy_total', local('2025-09-28T00:00'), local('2025-11-03T00:00'), 1);
    expect(byEntity(await run(registry, 'energy_use', [m], oct, '2025-10'))['hus-d']).toMatchObject({ value: 745, coverage: 1 });
    expect(byEntity(await run(registry, 'energy_use', [m], oct, '2025-10-26'))['hus-d']!.value).toBe(25);
    // The quarter only has readings until 3 November: the kWh that are there, flagged as insufficient.
    const q4 = byEntity(await run(registry, 'energy_use', [m], oct, '2025Q4'))['hus-d']!;
    expect(q4.value).toBe(745 + 48);
    expect(q4.sufficient).toBe(false);
  });

  it('is deterministic: readings out of order and duplicated give identical results', async () => {
    const m = device('el-r', 'electricity_meter', 'hus-r');
    const swap = local('2025-03-15T06:00');
    const base = [
      ...register(m, 'energy_total', local('2025-02-26T00:00'), local('2025-04-03T00:00'), 1.7, 0, H / 4).map((r) => ({ ...r, value: Date.parse(r.observedAt) < swap ? 12_345 + r.value : r.value - 1.7 * ((swap - local('2025-02-26T00:00')) / H) })),
      ...readings,
    ];
    const devices = [m, e1, h1, e2];
    const a = await run(registry, 'energy_use', devices, base, '2025-03');
    const messy = [...shuffle(base, 7), ...shuffle(base, 11).slice(0, 1000)];
    const b = await run(registry, 'energy_use', devices, messy, '2025-03');
    expect(b).toEqual(a);
    expect(byEntity(a)['hus-r']!.details!.resets).toBe(1);
    // The new meter reads 0 at the swap: the 15 minutes before it (0.425 kWh) went unmeasured.
    expect(byEntity(a)['hus-r']!.value).toBeCloseTo(743 * 1.7 - 1.7 / 4, 6);
  });

  it('marks a month with a week of data missing as insufficient', async () => {
    const m = device('el-gap', 'electricity_meter', 'hus-g');
    const holeFrom = local('2025-03-10T00:00');
    const holeTo = local('2025-03-17T00:00');
    const rs = register(m, 'energy_total', local('2025-02-26T00:00'), local('2025-04-03T00:00'), 1).filter((r) => {
      const t = Date.parse(r.observedAt);
      return t <= holeFrom || t >= holeTo;
    });
    const v = byEntity(await run(registry, 'energy_use', [m], rs, '2025-03'));
    expect(v['hus-g']!.coverage).toBeCloseTo((743 - 7 * 24) / 743, 9);
    expect(v['hus-g']!.sufficient).toBe(false);
    expect(v['*']!.sufficient).toBe(false);
    // The register still brackets the hole, so the kWh themselves are right.
    expect(v['hus-g']!.value).toBeCloseTo(743, 9);
  });

  it('gives the tenant a zero, insufficient value when it has no meters', async () => {
    const v = await run(registry, 'energy_use', [], [], '2025-03');
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ entity: '*', value: 0, coverage: 0, sufficient: false });
  });
});
