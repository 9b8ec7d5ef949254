import { describe, expect, it } from 'vitest';
import type { CanonicalReading } from '../../core/reading.js';
import type { MetricName } from '../../core/metrics.js';
import { seededRandom } from '../../../simulators/random.js';
import { compareEngines } from '../../../test/helpers/compareEngines.js';
import { device, H, local, TENANT } from '../energy/testSupport.js';
import { parsePeriod, periodsBetween } from '../periods.js';
import { reading, sourceWith } from '../testing.js';
import type { Device } from '../../registry/deviceRegistry.js';
import type { StoreRollups } from './storeRollups.js';

/**
 * The rollup engine equals the raw-sample engine (test/reference) on awkward data:
 * silences from 2 to 80 hours (across midnight, month ends and the margins),
 * register drops, readings at midnight and off the hour, duplicates, tariff
 * channels, power beside registers, a DST change, late readings after a first
 * computation (rollups rebuilt for the marked days only).
 */
const from = local('2025-02-24T00:00');
const to = local('2025-04-06T00:00');

const devices: Device[] = [
  device('el-1', 'electricity_meter', 'hus-a'),
  device('el-2', 'electricity_meter', 'hus-a'),
  device('el-3', 'electricity_meter', 'hus-b'),
  device('vm-1', 'heat_meter', 'hus-a'),
  device('vm-2', 'heat_meter', 'hus-b'),
  device('sol-1', 'solar', 'hus-b'),
  device('kärl-1', 'waste_fill', 'rum-1', { volume_l: 660, households: 12 }),
  device('temp-1', 'temperature'),
];

function readingsOf(seed: number): CanonicalReading[] {
  const rnd = seededRandom(seed);
  const out: CanonicalReading[] = [];
  const series = (d: Device, metric: MetricName, channel: string | undefined, value: (t: number, v: number) => number) => {
    let v = 1000 * rnd();
    for (let t = from + Math.floor(rnd() * 4) * 15 * 60_000; t < to; ) {
      v = value(t, v);
      out.push(reading(d, metric, t, v, channel));
      if (rnd() < 0.01) out.push(reading(d, metric, t, v, channel)); // duplicate
      const r = rnd();
      t += r < 0.015 ? Math.floor(2 + rnd() * 78) * H : r < 0.05 ? Math.floor(rnd() * 4) * 15 * 60_000 + H : H;
    }
  };
  const register = (perHour: number) => (_t: number, v: number) => (rnd() < 0.004 ? 5 * rnd() : v + perHour * rnd());
  series(devices[0]!, 'energy_total', undefined, register(4));
  series(devices[0]!, 'power', undefined, () => 2 + 8 * rnd());
  series(devices[1]!, 'energy_total', 't1', register(2));
  series(devices[1]!, 'energy_total', 't2', register(1));
  series(devices[1]!, 'energy_export_total', undefined, register(0.5));
  series(devices[2]!, 'energy_total', undefined, register(6));
  series(devices[3]!, 'heat_energy_total', undefined, register(20));
  series(devices[4]!, 'energy_total', undefined, register(15));
  series(devices[5]!, 'energy_total', undefined, register(3));
  series(devices[6]!, 'fill_level', undefined, (_t, v) => (v > 80 && rnd() < 0.3 ? 3 : Math.min(100, (v % 100) + 4 * rnd())));
  series(devices[7]!, 'temperature', undefined, () => -5 + 15 * rnd());
  return out;
}

const periods = [
  ...periodsBetween('day', local('2025-02-28T00:00'), local('2025-03-04T00:00')),
  ...periodsBetween('day', local('2025-03-29T00:00'), local('2025-04-01T00:00')),
  ...periodsBetween('week', local('2025-03-03T00:00'), local('2025-04-01T00:00')),
  parsePeriod('2025-03'),
  parsePeriod('2025-04'),
  parsePeriod('2025Q1'),
];

describe('rollups', () => {
  for (const seed of [1, 2, 3]) {
    it(`give the raw engine's values (seed ${seed})`, async () => {
      const readings = readingsOf(seed);
      const { source, store } = await sourceWith(devices, readings);
      const r = await compareEngines({ rollupSource: source, rawSource: source, devices, tenant: TENANT, periods });
      expect(r.differences).toEqual([]);
      expect(r.compared).toBeGreaterThan(200);
      await store.close();
    });
  }

  it('follow late readings: the marked days are rebuilt before a read, and the values are the raw engine’s again', async () => {
    const all = readingsOf(7);
    const late = all.filter((_, i) => i % 9 === 0);
    const { source, store } = await sourceWith(devices, all.filter((_, i) => i % 9 !== 0));
    const rollups = source.rollups as StoreRollups;
    expect((await rollups.settle({ tenant: TENANT })).days).toBeGreaterThan(40); // every day with readings (and its neighbours)
    expect((await rollups.settle({ tenant: TENANT })).days).toBe(0);
    const before = await compareEngines({ rollupSource: source, rawSource: source, devices, tenant: TENANT, periods: [parsePeriod('2025-03')] });
    expect(before.differences).toEqual([]);
    await store.writeReadings(late);
    // Not marked yet: the rollups do not know them, so the two engines differ.
    const stale = await compareEngines({ rollupSource: source, rawSource: source, devices, tenant: TENANT, periods: [parsePeriod('2025-03')], ids: ['energy_use'] });
    expect(stale.differences.length).toBeGreaterThan(0);
    await rollups.markReadings(late);
    const after = await compareEngines({ rollupSource: source, rawSource: source, devices, tenant: TENANT, periods });
    expect(after.differences).toEqual([]);
    expect((await rollups.settle({ tenant: TENANT })).days).toBe(0);
    await store.close();
  });
});
