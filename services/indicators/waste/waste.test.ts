import { describe, expect, it } from 'vitest';
import type { CanonicalReading } from '../../core/reading.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { hoursIn, parsePeriod, type Period } from '../periods.js';
import { contextFor, reading, sourceWith } from '../testing.js';
import type { Indicator, IndicatorSettings, IndicatorValue } from '../types.js';
import { emptyingsAtLowFill } from './emptyingsAtLowFill.js';
import { overflows } from './overflows.js';
import { timeToFull } from './timeToFull.js';
import { wastePerHousehold } from './wastePerHousehold.js';

const HOUR = 3_600_000;
const TENANT = 'kalmarhem';
const registry: Record<string, Indicator> = Object.fromEntries([wastePerHousehold, emptyingsAtLowFill, overflows, timeToFull].map((i) => [i.id, i]));

const bin = (id: string, site: string | undefined, params: Device['params']): Device => ({ id, tenant: TENANT, kind: 'waste_fill', params: { mount_height_mm: 1200, ...params }, ...(site ? { site } : {}) });

/**
 * Hourly fill readings at t0 + h hours for h in [from, to] with level f(h):
 * fill_level, plus fill_volume (as the gateway derives it) when the device has volume_l and `volume` is set.
 */
function fill(d: Device, t0: number, from: number, to: number, f: (h: number) => number, volume = true): CanonicalReading[] {
  const out: CanonicalReading[] = [];
  const vol = Number(d.params.volume_l);
  for (let h = from; h <= to; h++) {
    const level = f(h);
    out.push(reading(d, 'fill_level', t0 + h * HOUR, level));
    if (volume && vol > 0) out.push(reading(d, 'fill_volume', t0 + h * HOUR, (level / 100) * vol));
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
const shuffled = (rs: CanonicalReading[]) => [...rs].reverse().flatMap((r, i) => (i % 5 === 0 ? [r, r, r] : [r, r]));

describe('waste_per_household', () => {
  const week = parsePeriod('2025-W10'); // Mon 2025-03-03 .. Mon 2025-03-10, 168 h
  const c1 = bin('c1', 'room-1', { volume_l: 600, households: 10 });
  const c2 = bin('c2', 'room-1', { volume_l: 300, households: 5 });
  const c3 = bin('c3', 'room-2', { volume_l: 600, households: 8 });
  const c4 = bin('c4', 'room-3', { volume_l: 600 });
  // c1: 0.5 %/h, emptied at h=100 (69.5 % -> 2 %); c2: 0.25 %/h, level only (volume from volume_l)
  const f1 = (h: number) => (h < 100 ? 20 + 0.5 * h : 2 + 0.5 * (h - 100));
  const f2 = (h: number) => 10 + 0.25 * h;
  const readings = [...fill(c1, week.start, -24, 191, f1), ...fill(c2, week.start, -24, 191, f2, false), ...fill(c4, week.start, 0, 167, f2)];

  it('adds the rises between readings, an emptying is not negative waste; per bin room and tenant', async () => {
    const v = byEntity(await run(wastePerHousehold, [c1, c2, c3, c4], readings, week));
    expect(Object.keys(v).sort()).toEqual(['*', 'room-1', 'room-2', 'room-3']);
    // c1: (99 + 68) rises of 0.5 % of 600 L = 501 L; c2: 168 × 0.25 % of 300 L = 126 L
    expect(v['room-1']!.value).toBeCloseTo((501 + 126) / 15, 9);
    expect(v['room-1']!.details!.litres as number).toBeCloseTo(627, 9);
    expect(v['room-1']).toMatchObject({ coverage: 1, sufficient: true, unit: 'L/household/week', details: { households: 15, weeks: 1, containers: 2 } });
    // a registered container that sent nothing: 0 L but coverage 0
    expect(v['room-2']).toMatchObject({ value: 0, coverage: 0, sufficient: false });
    // no households registered: no value
    expect(Number.isNaN(v['room-3']!.value)).toBe(true);
    expect(v['room-3']).toMatchObject({ coverage: 0, sufficient: false, details: { containers_without_households: 'c4' } });
    expect(v['*']!.value).toBeCloseTo(627 / 23, 9);
    expect(v['*']!.coverage).toBeCloseTo(2 / 3, 12);
    expect(v['*']!.sufficient).toBe(false);
  });

  it('gives identical results for out-of-order and duplicated input', async () => {
    const a = await run(wastePerHousehold, [c1, c2, c3, c4], readings, week);
    expect(await run(wastePerHousehold, [c1, c2, c3, c4], shuffled(readings), week)).toEqual(a);
  });

  it('lets small drops (noise, settling) cancel instead of adding up', async () => {
    const levels = [10, 20, 15, 25];
    const rs = fill(c1, week.start, 0, 3, (h) => levels[h]!);
    const v = byEntity(await run(wastePerHousehold, [c1], rs, week));
    expect(v['room-1']!.details!.litres as number).toBeCloseTo(0.15 * 600, 9);
    expect(v['room-1']!.sufficient).toBe(false);
  });

  it('divides a DST month by its calendar weeks', async () => {
    const month = parsePeriod('2025-03');
    expect(hoursIn(month)).toBe(743);
    const rs = fill(c2, month.start, -24, 743 + 24, (h) => 1 + 0.1 * h, false);
    const v = byEntity(await run(wastePerHousehold, [c2], rs, month));
    expect(v['room-1']!.details!.weeks).toBeCloseTo(31 / 7, 12);
    expect(v['room-1']!.value).toBeCloseTo((0.1 * 743 * 3) / 5 / (31 / 7), 9);
    expect(v['room-1']!.coverage).toBe(1);
  });
});

describe('emptyings_low_fill', () => {
  const day = parsePeriod('2025-03-04');
  const e = bin('e1', 'room-1', { volume_l: 660 });
  const f = bin('f1', 'room-2', { volume_l: 660 });
  // e1: emptied at 30 % (h 3 -> 4), at 90 % (h 15 -> 16), and a 6-point dip at h 20 (to 12 %, not near empty) that is not an emptying
  const fe = (h: number) => (h <= 3 ? 6 + 4 * (h + 3) : h <= 15 ? 2 + 8 * (h - 4) : h === 20 ? 12 : 3 + 5 * (h - 16));
  // f1: emptied at 40 % right at the period start (h -1 -> 0), and at the end (h 23 -> 24: the next day's)
  const ff = (h: number) => (h < 0 ? 40 : h <= 23 ? 2 + (38 * h) / 23 : 1);
  const readings = [...fill(e, day.start, -3, 25, fe), ...fill(f, day.start, -1, 24, ff)];

  it('counts an emptying at 30 % as low fill and one at 90 % not', async () => {
    const v = byEntity(await run(emptyingsAtLowFill, [e, f], readings, day));
    expect(v.e1).toMatchObject({ value: 1, coverage: 1, sufficient: true, details: { emptyings: 2, low_fill_share_pct: 50, site: 'room-1' } });
    expect(v.f1).toMatchObject({ value: 1, details: { emptyings: 1, low_fill_share_pct: 100 } });
    expect(v['*']).toMatchObject({ value: 2, coverage: 1, sufficient: true, unit: 'count', details: { emptyings: 3, containers: 2 } });
    expect(v['*']!.details!.low_fill_share_pct).toBeCloseTo(200 / 3, 12);
  });

  it('follows settings.lowFillThreshold and is order-independent', async () => {
    const v = byEntity(await run(emptyingsAtLowFill, [e, f], shuffled(readings), day, { lowFillThreshold: 95 }));
    expect(v['*']!.value).toBe(3);
    expect(await run(emptyingsAtLowFill, [e, f], shuffled(readings), day)).toEqual(await run(emptyingsAtLowFill, [e, f], readings, day));
  });

  it('uses local day boundaries on the 25-hour DST day', async () => {
    const d = parsePeriod('2025-10-26');
    expect(d.end - d.start).toBe(25 * HOUR);
    // emptied at 28 % in the 25th hour of the day (h 23 -> 24: 23:00 local), which a 24-hour day would miss
    const rs = fill(e, d.start, -2, 30, (h) => (h <= 23 ? 5 + h : 2));
    expect(byEntity(await run(emptyingsAtLowFill, [e], rs, d)).e1).toMatchObject({ value: 1, details: { emptyings: 1 } });
    expect(byEntity(await run(emptyingsAtLowFill, [e], rs, parsePeriod('2025-10-27'))).e1).toMatchObject({ value: 0, details: { emptyings: 0 } });
  });

  it('is insufficient when the sensor was silent for much of the period', async () => {
    const rs = fill(e, day.start, 0, 8, fe);
    const v = byEntity(await run(emptyingsAtLowFill, [e], rs, day));
    expect(v.e1!.coverage).toBeCloseTo(8 / 24, 12);
    expect(v.e1!.sufficient).toBe(false);
  });
});

describe('overflows', () => {
  const day = parsePeriod('2025-03-04');
  const o = bin('o1', 'room-1', { volume_l: 660 });
  const q = bin('q1', 'room-1', { volume_l: 660 });
  const levels: Record<number, number> = { [-2]: 97, [-1]: 98, 0: 99, 1: 60, 2: 70, 3: 80, 4: 90, 5: 96, 6: 97, 7: 98, 8: 94, 9: 96, 10: 5, 23: 96, 24: 97, 25: 10 };
  const fo = (h: number) => levels[h] ?? 5 + h;

  it('counts consecutive readings above the threshold as one episode, in the period it starts', async () => {
    const rs = [...fill(o, day.start, -2, 25, fo), ...fill(q, day.start, -2, 25, (h) => 10 + h)];
    const v = byEntity(await run(overflows, [o, q], rs, day));
    // episodes start at h 5, 9 and 23; the one running since h -2 was counted the day before
    expect(v.o1).toMatchObject({ value: 3, coverage: 1, sufficient: true, details: { site: 'room-1', hours_above: 6 } });
    expect(v.q1).toMatchObject({ value: 0, details: { hours_above: 0 } });
    expect(v['*']).toMatchObject({ value: 3, sufficient: true, details: { containers: 2, containers_overflowing: 1, hours_above: 6 } });
    expect(await run(overflows, [o, q], shuffled(rs), day)).toEqual(await run(overflows, [o, q], rs, day));
  });

  it('follows settings.overflowThreshold', async () => {
    const v = byEntity(await run(overflows, [o], fill(o, day.start, -2, 25, fo), day, { overflowThreshold: 85 }));
    // above 85: h -2..0, 4..9 (one run), 23..24
    expect(v.o1!.value).toBe(2);
  });
});

describe('time_to_full', () => {
  const day = parsePeriod('2025-03-04');
  const t1 = bin('t1', 'room-1', { volume_l: 660 });
  const t2 = bin('t2', 'room-1', { volume_l: 660 });
  const t3 = bin('t3', 'room-2', { volume_l: 660 });
  const t4 = bin('t4', 'room-2', { volume_l: 660 });
  // t1: emptied at h 12 (77.5 % -> 5 %), then 1 %/h: 17 % at midnight -> 83 h to full
  const r1 = fill(t1, day.start, -30, 23, (h) => (h < 12 ? 50 + 2.5 * h : 5 + (h - 12)));
  // t2: emptied at h 20, then 2 %/h from 10 %: 18 % at midnight -> 41 h
  const r2 = fill(t2, day.start, -30, 23, (h) => (h < 20 ? 60 + h : 10 + 2 * (h - 20)));
  // t3: emptied at h 22: only 2 readings since
  const r3 = fill(t3, day.start, -30, 23, (h) => (h < 22 ? 60 + h : 3 + h - 22));
  // t4: never emptied in the last 7 days, 0.25 %/h: 40 % at midnight -> 240 h
  const r4 = fill(t4, day.end, -168, -1, (h) => 40 + 0.25 * h);

  it('extrapolates a linear fill since the last emptying to 100 %; the tenant gets the first container to fill up', async () => {
    const v = byEntity(await run(timeToFull, [t1, t2, t4], [...r1, ...r2, ...r4], day));
    expect(v.t1!.value).toBeCloseTo(83, 9);
    expect(v.t1!.details!.rate_pct_per_hour as number).toBeCloseTo(1, 12);
    expect(v.t1).toMatchObject({ coverage: 1, sufficient: true, unit: 'h', details: { readings: 12 } });
    expect(v.t2!.value).toBeCloseTo(41, 9);
    expect(v.t4!.value).toBeCloseTo(240, 9);
    expect(v.t4!.sufficient).toBe(true);
    expect(v['*']!.value).toBeCloseTo(41, 9);
    expect(v['*']).toMatchObject({ coverage: 1, sufficient: true, details: { container: 't2', containers: 3, containers_sufficient: 3 } });
    expect(await run(timeToFull, [t1, t2, t4], shuffled([...r1, ...r2, ...r4]), day)).toEqual(await run(timeToFull, [t1, t2, t4], [...r1, ...r2, ...r4], day));
  });

  it('is insufficient with fewer than 3 readings since the emptying', async () => {
    const v = byEntity(await run(timeToFull, [t1, t2, t3, t4], [...r1, ...r2, ...r3, ...r4], day));
    expect(v.t3).toMatchObject({ coverage: 0, sufficient: false, details: { readings: 2 } });
    expect(Number.isNaN(v.t3!.value)).toBe(true);
    expect(v['*']!.coverage).toBe(0.75);
    expect(v['*']!.sufficient).toBe(false);
  });

  it('does not trust a sensor that went quiet before the period end', async () => {
    const v = byEntity(await run(timeToFull, [t1], r1.filter((r) => Date.parse(r.observedAt) < day.start + 16 * HOUR), day));
    expect(v.t1!.coverage).toBeCloseTo(4 / 12, 12);
    expect(v.t1!.sufficient).toBe(false);
  });

  it('predicts from the real end of the 23-hour DST day', async () => {
    const d = parsePeriod('2025-03-30');
    // emptied at real hour 1, then 1 %/h from 5 %: the day ends 23 real hours after it starts,
    // 22 h after the emptying, at 27 % -> 73 h (a 24-hour day would give 72)
    const rs = fill(t1, d.start, -5, 22, (h) => (h < 1 ? 70 : 5 + (h - 1)));
    const v = byEntity(await run(timeToFull, [t1], rs.filter((r) => Date.parse(r.observedAt) < d.end), d));
    expect(v.t1!.value).toBeCloseTo(73, 9);
    expect(v.t1!.sufficient).toBe(true);
  });
});
