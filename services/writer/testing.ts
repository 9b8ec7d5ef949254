import { readingId, type CanonicalReading } from '../core/reading.js';

/**
 * For the writer's tests: the i-th electricity-meter reading of tenant kalmar,
 * observed at 2025-03-01 10:00 plus i seconds, with its real id.
 */
export function meterReading(i: number, value = i, deviceId = `el-${i}`): CanonicalReading {
  const base = { tenant: 'kalmar', deviceId, metric: 'energy_total' as const, observedAt: new Date(Date.UTC(2025, 2, 1, 10, 0, i)).toISOString() };
  return {
    id: readingId(base),
    ...base,
    kind: 'electricity_meter',
    value,
    unit: 'kWh',
    receivedAt: '2025-03-01T11:00:00.000Z',
    source: { format: 'native', decoderVersion: '1.0.0', topic: `klimatpuls/kalmar/el-${i}/up` },
  };
}
