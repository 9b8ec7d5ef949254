import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { makeDeadLetter } from '../../core/deadLetter.js';
import type { CanonicalReading } from '../../core/reading.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { parsePeriod, ZONE, type Period } from '../periods.js';
import { contextFor, reading, sourceWith } from '../testing.js';
import type { Indicator, IndicatorValue, ReadingSource } from '../types.js';
import { dataGaps, gapsOf } from './dataGaps.js';
import { deadLetterShare } from './deadLetterShare.js';
import { deviceCoverage } from './deviceCoverage.js';

const HOUR = 3_600_000;
const TENANT = 'kalmar';
const registry: Record<string, Indicator> = Object.fromEntries([deviceCoverage, dataGaps, deadLetterShare].map((i) => [i.id, i]));
const dev = (id: string, kind: Device['kind'], tenant = TENANT): Device => ({ id, tenant, kind, params: {} });
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

function hourly(d: Device, from: number, to: number, metric: CanonicalReading['metric'] = 'temperature'): CanonicalReading[] {
  const out: CanonicalReading[] = [];
  for (let t = from; t < to; t += HOUR) out.push(reading(d, metric, t, 1));
  return out;
}

async function run(ind: Indicator, devices: Device[], readings: CanonicalReading[], period: Period, wrap?: (s: ReadingSource) => ReadingSource): Promise<IndicatorValue[]> {
  const { source, store } = await sourceWith(devices, readings);
  try {
    return await ind.compute(contextFor({ tenant: TENANT, period, source: wrap ? wrap(source) : source, devices }, registry));
  } finally {
    await store.close();
  }
}

const byEntity = (vs: IndicatorValue[]) => Object.fromEntries(vs.map((v) => [v.entity, v]));
const shuffled = (rs: CanonicalReading[]) => [...rs].reverse().flatMap((r) => [r, r]);

describe('device_coverage', () => {
  const day = parsePeriod('2025-03-30');
  const devices = [dev('bc-1', 'bike_counter'), dev('bc-2', 'bike_counter'), dev('w-1', 'waste_fill'), dev('el-1', 'electricity_meter'), dev('other-1', 'temperature', 'malmo')];
  const readings = [
    reading(devices[0]!, 'count', day.start + HOUR, 3, 'in'),
    reading(devices[2]!, 'fill_level', day.end - 1, 40),
    reading(devices[3]!, 'energy_total', day.end, 100), // the next day
    reading(devices[4]!, 'temperature', day.start, 5), // another tenant
  ];

  it('is the share of the tenant\'s registered devices that reported, per kind in details', async () => {
    const v = byEntity(await run(deviceCoverage, devices, readings, day));
    expect(Object.keys(v)).toEqual(['*']);
    expect(v['*']).toMatchObject({
      value: 50,
      unit: '%',
      coverage: 1,
      sufficient: true,
      details: { devices: 4, reporting: 2, bike_counter_registered: 2, bike_counter_reporting: 1, bike_counter_pct: 50, waste_fill_pct: 100, electricity_meter_pct: 0, silent: 'bc-2,el-1' },
    });
    expect(await run(deviceCoverage, devices, shuffled(readings), day)).toEqual(await run(deviceCoverage, devices, readings, day));
  });

  it('is insufficient for a tenant without devices', async () => {
    const v = byEntity(await run(deviceCoverage, [dev('x', 'solar', 'malmo')], [], day));
    expect(v['*']).toMatchObject({ coverage: 0, sufficient: false });
  });
});

describe('data_gaps', () => {
  it('counts silences over 3 h, also from the period start and to its end', () => {
    expect(gapsOf([], 0, 10 * HOUR, 3 * HOUR)).toEqual({ count: 1, longest: 10 * HOUR, total: 10 * HOUR });
    expect(gapsOf([3 * HOUR, 6 * HOUR], 0, 9 * HOUR, 3 * HOUR).count).toBe(0); // exactly 3 h is not a gap
    expect(gapsOf([4 * HOUR, 5 * HOUR], 0, 9 * HOUR, 3 * HOUR)).toEqual({ count: 2, longest: 4 * HOUR, total: 8 * HOUR });
  });

  for (const [label, hours] of [['2025-03-30', 23], ['2025-10-26', 25]] as const) {
    it(`uses the ${hours}-hour local day ${label}`, async () => {
      const day = parsePeriod(label);
      const a = dev('a', 'temperature');
      const b = dev('b', 'bike_counter');
      const c = dev('c', 'waste_fill');
      const readings = [
        ...hourly(a, day.start, day.end),
        // b: silent from 05:00 to 10:00 local (5 h), and its last reading 2 h before midnight
        ...hourly(b, day.start, local(`${label}T05:00`) + 1, 'count'),
        ...hourly(b, local(`${label}T10:00`), day.end - 2 * HOUR + 1, 'count'),
        reading(c, 'fill_level', day.end, 50), // c: only the next day
      ];
      const v = byEntity(await run(dataGaps, [a, b, c], readings, day));
      expect(v.a).toMatchObject({ value: 0, details: { longest_gap_hours: 0 } });
      expect(v.b).toMatchObject({ value: 1, details: { longest_gap_hours: 5, gap_hours: 5 } });
      expect(v.c).toMatchObject({ value: 1, details: { longest_gap_hours: hours } });
      expect(v['*']).toMatchObject({ value: 2, coverage: 1, sufficient: true, unit: 'count', details: { longest_gap_hours: hours, longest_gap_device: 'c', devices: 3, devices_with_gaps: 2, gap_hours: hours + 5 } });
      expect(await run(dataGaps, [a, b, c], shuffled(readings), day)).toEqual(await run(dataGaps, [a, b, c], readings, day));
    });
  }

  it('expects a fleet vehicle\'s records every few weeks, not hourly: a gap is 35 days without one', async () => {
    const q = parsePeriod('2025Q1');
    const busy = dev('ABC123', 'vehicle');
    const quiet = dev('XYZ789', 'vehicle');
    const days = (d: number) => q.start + d * 24 * HOUR;
    const readings = [
      ...[0, 10, 20, 30, 40, 50, 60, 70, 80, 89].map((d) => reading(busy, 'fuel_volume_total', days(d), 40 * d, 'diesel')),
      reading(quiet, 'fuel_volume_total', days(4), 50, 'diesel'), // then silent for 86 days
    ];
    const v = byEntity(await run(dataGaps, [busy, quiet], readings, q));
    expect(v.ABC123).toMatchObject({ value: 0 });
    expect(v.XYZ789).toMatchObject({ value: 1 });
  });
});

describe('dead_letter_share', () => {
  const day = parsePeriod('2025-03-04');
  const d = dev('a', 'temperature');
  const readings = [...hourly(d, day.start, day.end), reading(d, 'temperature', day.end, 1)]; // 24 in the day, 1 the next

  it('uses received messages when the source counts them', async () => {
    const wrap = (s: ReadingSource): ReadingSource => ({ series: (q) => s.series(q), messageCounts: async () => ({ received: 200, deadLettered: 10 }) });
    const v = byEntity(await run(deadLetterShare, [d], readings, day, wrap));
    expect(v['*']).toMatchObject({ value: 5, coverage: 1, sufficient: true, unit: '%', details: { method: 'received', received: 200, dead_lettered: 10 } });
  });

  it('approximates with stored readings when received is 0 (the DuckDB store)', async () => {
    const { source, store } = await sourceWith([d], readings);
    try {
      const letter = (i: number) => ({
        id: `dl-${i}`,
        deadLetter: makeDeadLetter({
          rejected: [{ reason: 'unknown_device', field: 'deviceId', message: 'unknown' }],
          stage: 'gateway',
          topic: 'klimatpuls/kalmar/x/up',
          payload: Buffer.from('{}'),
          decoder: null,
          receivedAt: new Date(day.start + i * HOUR),
        }),
      });
      await store.writeDeadLetters([letter(1), letter(2), letter(3), letter(30)]); // the last one the next day
      const v = byEntity(await deadLetterShare.compute(contextFor({ tenant: TENANT, period: day, source, devices: [d] }, registry)));
      expect(v['*']!.value).toBeCloseTo((100 * 3) / (3 + 24), 12);
      expect(v['*']).toMatchObject({ coverage: 1, sufficient: true, details: { method: 'arrivals', readings: 24, dead_lettered: 3 } });
    } finally {
      await store.close();
    }
  });

  it('counts readings by arrival, the dead letters’ clock: a replay of last month and its dead letters share today’s period', async () => {
    // Observed a month before `day`, received during it (a replay), with 6 dead letters received during it too.
    const replayed = readings.map((r) => ({ ...r, id: `${r.id}r`, observedAt: new Date(Date.parse(r.observedAt) - 30 * 24 * HOUR).toISOString() }));
    const { source, store } = await sourceWith([d], replayed);
    try {
      const letters = [1, 2, 3, 4, 5, 6].map((i) => ({
        id: `dl-r${i}`,
        deadLetter: makeDeadLetter({ rejected: [{ reason: 'schema', field: 'value', message: 'bad' }], stage: 'gateway', topic: 'klimatpuls/kalmar/x/up', payload: Buffer.from(`{${i}}`), decoder: null, receivedAt: new Date(day.start + i * HOUR) }),
      }));
      await store.writeDeadLetters(letters);
      const v = byEntity(await deadLetterShare.compute(contextFor({ tenant: TENANT, period: day, source, devices: [d] }, registry)));
      // By observed time the day would have 0 readings and 6 dead letters (100 %).
      expect(v['*']!.value).toBeCloseTo((100 * 6) / (6 + 24), 12);
      expect(v['*']!.details).toMatchObject({ method: 'arrivals', readings: 24, dead_lettered: 6 });
    } finally {
      await store.close();
    }
  });

  it('is insufficient when the source cannot count messages', async () => {
    const wrap = (s: ReadingSource): ReadingSource => ({ series: (q) => s.series(q) });
    const v = byEntity(await run(deadLetterShare, [d], readings, day, wrap));
    expect(v['*']).toMatchObject({ coverage: 0, sufficient: false });
    expect(Number.isNaN(v['*']!.value)).toBe(true);
    expect(v['*']!.details!.note).toMatch(/does not count/);
  });
});
