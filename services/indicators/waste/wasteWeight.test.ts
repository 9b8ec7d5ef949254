import { describe, expect, it } from 'vitest';
import type { Device } from '../../registry/deviceRegistry.js';
import { parsePeriod } from '../periods.js';
import { contextFor, reading, sourceWith } from '../testing.js';
import type { IndicatorValue } from '../types.js';
import { wasteWeightPerHousehold } from './wasteWeightPerHousehold.js';

const TENANT = 'kalmar';
const point = (id: string, site: string, params: Device['params']): Device => ({ id, tenant: TENANT, kind: 'waste_collection', site, params });
const monthStart = (m: string) => parsePeriod(m).start;

async function run(devices: Device[], readings: ReturnType<typeof reading>[], period: string): Promise<Record<string, IndicatorValue>> {
  const { source, store } = await sourceWith(devices, readings);
  try {
    const v = await wasteWeightPerHousehold.compute(contextFor({ tenant: TENANT, period: parsePeriod(period), source, devices }, { [wasteWeightPerHousehold.id]: wasteWeightPerHousehold }));
    return Object.fromEntries(v.map((x) => [x.entity, x]));
  } finally {
    await store.close();
  }
}

/** The contractor's monthly weights (as `klimatpuls import` stores them: one reading per month and fraction at the month's start). */
describe('waste_weight_per_household', () => {
  const a = point('KH-A', 'norrgard', { households: 10 });
  const b = point('KH-B', 'berga', { households: 30 });
  const nobody = point('KH-C', 'berga', {});
  const months = ['2025-01', '2025-02', '2025-03'];
  const readings = months.flatMap((m, i) => [
    reading(a, 'waste_weight', monthStart(m), 1000 + 100 * i, 'residual'), reading(a, 'waste_weight', monthStart(m), 400, 'food'),
    reading(b, 'waste_weight', monthStart(m), 3000, 'residual'), reading(nobody, 'waste_weight', monthStart(m), 999, 'residual'),
  ]);

  it('adds every fraction of the records starting in the period, per household and week', async () => {
    const q = await run([a, b, nobody], readings, '2025Q1');
    const weeks = 90 / 7; // January to March 2025
    expect(q['norrgard']!.value).toBeCloseTo((1000 + 1100 + 1200 + 3 * 400) / 10 / weeks, 9);
    expect(q['berga']!.value).toBeCloseTo((3 * 3000) / 30 / weeks, 9);
    expect(q['*']!.value).toBeCloseTo((4500 + 9000) / 40 / weeks, 9);
    expect(q['*']).toMatchObject({ unit: 'kg/household/week', coverage: 1, sufficient: true });
    expect(q['*']!.details).toMatchObject({ kg: 13_500, households: 40, points: 2, points_without_households: 'KH-C' });
    const feb = await run([a, b], readings, '2025-02');
    expect(feb['norrgard']!.value).toBeCloseTo(1500 / 10 / 4, 9);
  });

  it('a month without a record is missing, not zero: the quarter is insufficient', async () => {
    const q = await run([a], readings.filter((r) => !(r.deviceId === 'KH-A' && r.observedAt.startsWith('2025-02'))), '2025Q1');
    expect(q['norrgard']).toMatchObject({ sufficient: false });
    expect(q['norrgard']!.coverage).toBeCloseTo(2 / 3, 9);
  });
});
