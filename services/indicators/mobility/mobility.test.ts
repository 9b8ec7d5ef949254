import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { CanonicalReading } from '../../core/reading.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { hoursIn, parsePeriod, ZONE, type Period } from '../periods.js';
import { contextFor, reading, sourceWith } from '../testing.js';
import type { Indicator, IndicatorSettings, IndicatorValue } from '../types.js';
import { bicycleShare } from './bicycleShare.js';
import { cycleFlow } from './cycleFlow.js';
import { cyclingIndex } from './cyclingIndex.js';
import { pedestrianFlow } from './pedestrianFlow.js';

const HOUR = 3_600_000;
const TENANT = 'kalmar';
const registry: Record<string, Indicator> = Object.fromEntries([cycleFlow, pedestrianFlow, cyclingIndex, bicycleShare].map((i) => [i.id, i]));

const dev = (id: string, kind: Device['kind'], params: Device['params'] = {}, site?: string, tenant = TENANT): Device => ({ id, tenant, kind, params, ...(site ? { site } : {}) });
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

/** Hourly in/out counts for every hour of `p` for which `keep(hourIndex)` holds. */
function hourly(d: Device, p: Period, inPerHour: number, outPerHour: number, keep: (h: number) => boolean = () => true): CanonicalReading[] {
  const out: CanonicalReading[] = [];
  for (let t = p.start, h = 0; t < p.end; t += HOUR, h++) {
    if (!keep(h)) continue;
    out.push(reading(d, 'count', t, inPerHour, 'in'), reading(d, 'count', t, outPerHour, 'out'));
  }
  return out;
}

async function run(ind: Indicator, devices: Device[], readings: CanonicalReading[], period: Period, settings?: Partial<IndicatorSettings>): Promise<IndicatorValue[]> {
  const { source, store } = await sourceWith(devices, readings);
  try {
    return await ind.compute(contextFor({ tenant: TENANT, period, source, devices, ...(settings ? { settings } : {}) }, registry));
  } finally {
    await store.close();
  }
}

const byEntity = (vs: IndicatorValue[]) => Object.fromEntries(vs.map((v) => [v.entity, v]));

/** Reversed, with every reading twice and a few thrice. */
const shuffled = (rs: CanonicalReading[]) => [...rs].reverse().flatMap((r, i) => (i % 7 === 0 ? [r, r, r] : [r, r]));

describe('cycle_flow', () => {
  const bike = dev('bc-1', 'bike_counter', { counting_point: 'stortorget', mode: 'bike' });
  const ped = dev('pc-1', 'pedestrian_counter', { counting_point: 'stortorget', mode: 'pedestrian' });

  it('sums both directions over the 23 hours of the spring DST day, nothing outside it', async () => {
    const day = parsePeriod('2025-03-30');
    expect(hoursIn(day)).toBe(23);
    const rs = [
      ...hourly(bike, day, 2, 3),
      ...hourly(ped, day, 100, 100),
      reading(bike, 'count', day.start - HOUR, 1000, 'in'), // the previous day's last hour
      reading(bike, 'count', day.end, 1000, 'in'), // the next day's first hour
    ];
    const v = byEntity(await run(cycleFlow, [bike, ped], rs, day));
    expect(Object.keys(v).sort()).toEqual(['*', 'stortorget']);
    expect(v.stortorget!.value).toBe(23 * 5);
    expect(v.stortorget!.details).toMatchObject({ in: 46, out: 69, hours_with_data: 23, hours_expected: 23 });
    expect(v.stortorget!.coverage).toBe(1);
    expect(v.stortorget!.sufficient).toBe(true);
    expect(v['*']).toMatchObject({ value: 115, coverage: 1, sufficient: true, unit: 'bikes', period: '2025-03-30', periodKind: 'day', tenant: TENANT });
  });

  it('counts 25 hours on the autumn DST day', async () => {
    const day = parsePeriod('2025-10-26');
    expect(hoursIn(day)).toBe(25);
    const v = byEntity(await run(cycleFlow, [bike], hourly(bike, day, 1, 1), day));
    expect(v.stortorget).toMatchObject({ value: 50, coverage: 1, sufficient: true });
    // local midnight boundaries: 00:00+02:00 to 24:00+01:00
    expect(day.start).toBe(local('2025-10-26T00:00'));
    expect(day.end - day.start).toBe(25 * HOUR);
  });

  it('gives identical results for out-of-order and duplicated input', async () => {
    const day = parsePeriod('2025-03-30');
    const rs = hourly(bike, day, 2, 3, (h) => h % 5 !== 0);
    expect(await run(cycleFlow, [bike], shuffled(rs), day)).toEqual(await run(cycleFlow, [bike], rs, day));
  });

  it('marks missing hours and silent counters as insufficient', async () => {
    const day = parsePeriod('2025-03-30');
    const silent = dev('bc-2', 'bike_counter', {}, 'kvarnholmen');
    const v = byEntity(await run(cycleFlow, [bike, silent], hourly(bike, day, 1, 1, (h) => h < 12), day));
    expect(v.stortorget).toMatchObject({ value: 24, sufficient: false });
    expect(v.stortorget!.coverage).toBeCloseTo(12 / 23, 12);
    expect(v.kvarnholmen).toMatchObject({ value: 0, coverage: 0, sufficient: false });
    expect(v['*']!.value).toBe(24);
    expect(v['*']!.coverage).toBeCloseTo(6 / 23, 12);
    expect(v['*']!.sufficient).toBe(false);
  });

  it('adds the counters of one counting point and gives a month its 743 hours', async () => {
    const month = parsePeriod('2025-03');
    expect(hoursIn(month)).toBe(743);
    const a = dev('bc-a', 'bike_counter', { counting_point: 'p1' });
    const b = dev('bc-b', 'bike_counter', { counting_point: 'p1' });
    // one counter per direction, each reporting every other hour, alternating
    const rs = [...hourly(a, month, 1, 0, (h) => h % 2 === 0).filter((r) => r.channel === 'in'), ...hourly(b, month, 0, 2, (h) => h % 2 === 1).filter((r) => r.channel === 'out')];
    const v = byEntity(await run(cycleFlow, [a, b], rs, month));
    expect(v.p1).toMatchObject({ value: 372 + 2 * 371, coverage: 1, details: { in: 372, out: 742 } });
  });

  it('returns nothing for a tenant without counters', async () => {
    expect(await run(cycleFlow, [dev('w-1', 'waste_fill')], [], parsePeriod('2025-03-30'))).toEqual([]);
  });
});

describe('pedestrian_flow', () => {
  it('counts pedestrian counters only', async () => {
    const day = parsePeriod('2025-10-26');
    const ped = dev('pc-1', 'pedestrian_counter', {}, 'hamnen');
    const bike = dev('bc-1', 'bike_counter', {}, 'hamnen');
    const v = byEntity(await run(pedestrianFlow, [ped, bike], [...hourly(ped, day, 4, 6), ...hourly(bike, day, 1, 1)], day));
    expect(v.hamnen).toMatchObject({ value: 250, coverage: 1, sufficient: true, unit: 'pedestrians', details: { in: 100, out: 150 } });
  });
});

describe('cycling_index', () => {
  const now = parsePeriod('2025-05-14');
  const then = parsePeriod('2024-05-14');
  const A = dev('bc-a', 'bike_counter', { counting_point: 'A' });
  const B = dev('bc-b', 'bike_counter', { counting_point: 'B' });
  const C = dev('bc-c', 'bike_counter', { counting_point: 'C' });

  it('compares the same points only: new counters and points with too little data are left out', async () => {
    const rs = [
      ...hourly(A, now, 5, 5), // 240
      ...hourly(A, then, 4, 4), // 192
      ...hourly(B, now, 50, 50), // new this year
      ...hourly(C, now, 7, 7),
      ...hourly(C, then, 1, 1, (h) => h < 12), // half a day last year
    ];
    const v = byEntity(await run(cyclingIndex, [A, B, C], rs, now));
    expect(v['*']).toMatchObject({ value: 125, coverage: 1, sufficient: true, unit: 'index' });
    expect(v['*']!.details).toMatchObject({ bikes: 240, baseline_bikes: 192, points: 1, points_excluded: 'B,C', baseline_period: '2024-05-14' });
    expect(v.A).toMatchObject({ value: 125, sufficient: true });
    expect(v.B!.sufficient).toBe(false);
    expect(Number.isNaN(v.B!.value)).toBe(true);
    expect(v.C!.sufficient).toBe(false);
    expect(v.C!.value).toBeCloseTo((100 * 336) / 24, 9);
  });

  it('is insufficient when no point has data in both periods', async () => {
    const v = byEntity(await run(cyclingIndex, [A, B], [...hourly(A, now, 1, 1), ...hourly(B, then, 1, 1)], now));
    expect(v['*']!.sufficient).toBe(false);
    expect(v['*']!.coverage).toBe(0);
    expect(Number.isNaN(v['*']!.value)).toBe(true);
    expect(v['*']!.details!.note).toMatch(/no counting point/);
  });

  it('indexes ISO weeks against the same week a year earlier', async () => {
    const w = parsePeriod('2025-W20');
    const w0 = parsePeriod('2024-W20');
    const v = byEntity(await run(cyclingIndex, [A], [...hourly(A, w, 3, 3), ...hourly(A, w0, 2, 2)], w));
    expect(v['*']).toMatchObject({ value: 150, sufficient: true, details: { baseline_period: '2024-W20' } });
  });
});

describe('bicycle_share', () => {
  const day = parsePeriod('2025-03-30');
  const bikeX = dev('bc-x', 'bike_counter', { counting_point: 'X', mode: 'bike' });
  const carX = dev('vc-x', 'vehicle_counter', { counting_point: 'X', mode: 'vehicle' });
  const bikeY = dev('bc-y', 'bike_counter', { counting_point: 'Y' });
  const bikeZ = dev('bc-z', 'bike_counter', {}, 'Z');
  const carZ = dev('vc-z', 'vehicle_counter', {}, 'Z');

  it('uses only points with both a bike and a vehicle counter', async () => {
    const rs = [...hourly(bikeX, day, 1, 2), ...hourly(carX, day, 4, 5), ...hourly(bikeY, day, 100, 100)];
    const v = byEntity(await run(bicycleShare, [bikeX, carX, bikeY], rs, day));
    expect(Object.keys(v).sort()).toEqual(['*', 'X']);
    expect(v.X).toMatchObject({ value: 25, coverage: 1, sufficient: true, details: { bikes: 69, vehicles: 207 } });
    expect(v['*']).toMatchObject({ value: 25, sufficient: true, unit: '%', details: { bikes: 69, vehicles: 207, points: 1 } });
  });

  it('pools the points for the total and needs hours in which both counters reported', async () => {
    const rs = [
      ...hourly(bikeX, day, 1, 2),
      ...hourly(carX, day, 4, 5),
      ...hourly(bikeZ, day, 3, 3),
      ...hourly(carZ, day, 1, 1, (h) => h % 2 === 0), // 12 of 23 hours
    ];
    const v = byEntity(await run(bicycleShare, [bikeX, carX, bikeZ, carZ], rs, day));
    expect(v.Z!.value).toBeCloseTo((100 * 138) / (138 + 24), 9);
    expect(v.Z!.coverage).toBeCloseTo(12 / 23, 12);
    expect(v.Z!.sufficient).toBe(false);
    expect(v['*']!.value).toBeCloseTo((100 * (69 + 138)) / (69 + 207 + 138 + 24), 9);
    expect(v['*']!.coverage).toBeCloseTo((1 + 12 / 23) / 2, 12);
    expect(await run(bicycleShare, [bikeX, carX, bikeZ, carZ], shuffled(rs), day)).toEqual(await run(bicycleShare, [bikeX, carX, bikeZ, carZ], rs, day));
  });

  it('returns nothing without a point that has both counters', async () => {
    expect(await run(bicycleShare, [bikeX, bikeY], hourly(bikeX, day, 1, 1), day)).toEqual([]);
  });
});
