import type { CanonicalReading } from '../../services/core/reading.js';
import type { MetricName } from '../../services/core/metrics.js';
import { device, H, local } from '../../services/indicators/energy/testSupport.js';
import { parsePeriod, periodsBetween } from '../../services/indicators/periods.js';
import { reading } from '../../services/indicators/testing.js';
import type { Device } from '../../services/registry/deviceRegistry.js';
import { seededRandom } from '../../services/core/random.js';

/**
 * Awkward data for the rollup engine against the raw-sample engine: silences
 * from 2 to 80 hours (across midnight, month ends and the margins), register
 * drops, readings at midnight and off the hour, duplicates, tariff channels,
 * power beside registers, a DST change.
 */
const from = local('2025-02-24T00:00');
const to = local('2025-04-06T00:00');

export const devices: Device[] = [
  device('el-1', 'electricity_meter', 'hus-a'),
  device('el-2', 'electricity_meter', 'hus-a'),
  device('el-3', 'electricity_meter', 'hus-b'),
  device('vm-1', 'heat_meter', 'hus-a'),
  device('vm-2', 'heat_meter', 'hus-b'),
  device('sol-1', 'solar', 'hus-b'),
  device('kärl-1', 'waste_fill', 'rum-1', { volume_l: 660, households: 12 }),
  device('temp-1', 'temperature'),
];

export function readingsOf(seed: number): CanonicalReading[] {
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

export const periods = [
  ...periodsBetween('day', local('2025-02-28T00:00'), local('2025-03-04T00:00')),
  ...periodsBetween('day', local('2025-03-29T00:00'), local('2025-04-01T00:00')),
  ...periodsBetween('week', local('2025-03-03T00:00'), local('2025-04-01T00:00')),
  parsePeriod('2025-03'),
  parsePeriod('2025-04'),
  parsePeriod('2025Q1'),
];

