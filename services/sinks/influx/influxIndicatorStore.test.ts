import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePeriod } from '../../indicators/periods.js';
import { StoreRollups } from '../../indicators/rollups/storeRollups.js';
import type { IndicatorValue } from '../../indicators/types.js';
import { createBucket, deleteBucket, runId, STACK } from '../../../test/helpers/stack.js';
import { influxIndicatorStore } from './influxIndicatorStore.js';
import { influxRollups } from './influxRollups.js';

/** What the report needs of InfluxDB to reuse stored values (services/report/reportValues.ts), against the stack's InfluxDB. */
describe('InfluxDB: stored indicator values with their provenance, last marks of the rollups', () => {
  const bucket = runId('indprov');
  const o = { url: STACK.influxUrl, token: STACK.influxToken, org: STACK.influxOrg, bucket, measurement: 'readings' };
  const store = influxIndicatorStore({ ...o, measurement: 'indicators', periodStart: (period) => parsePeriod(period).start });
  const value = (entity: string, v: number): IndicatorValue => ({ indicator: 'energy_use', tenant: 'kalmar', entity, period: '2024Q2', periodKind: 'quarter', value: v, unit: 'kWh', coverage: 1, sufficient: true, details: { n: 1 } });
  beforeAll(async () => {
    await createBucket(bucket);
  });
  afterAll(async () => {
    await deleteBucket(bucket).catch(() => {});
  });

  it('keeps each value’s provenance; a value written again without one is never current', async () => {
    const prov = { computedAt: 1_750_000_000_000, windowFrom: 1_711_000_000_000, windowTo: 1_720_000_000_000, basis: 'b1' };
    await store.write([value('*', 10), value('hus-1', 4)], () => prov);
    const rows = await store.stored({ indicator: 'energy_use', tenant: 'kalmar', period: '2024Q2', entities: ['*'] });
    expect(rows).toEqual([{ value: value('*', 10), provenance: prov }]);
    expect(await store.stored({ indicator: 'energy_use', tenant: 'kalmar', period: '2024Q2', entities: ['hus-1', 'hus-2'] })).toEqual([{ value: value('hus-1', 4), provenance: prov }]);
    expect(await store.stored({ indicator: 'energy_use', tenant: 'kalmar', period: '2024Q2' })).toHaveLength(2);
    expect(await store.query({ indicator: 'energy_use', period: '2024Q2' })).toEqual([value('*', 10), value('hus-1', 4)]);
    await store.write([value('*', 11)]);
    expect(await store.stored({ indicator: 'energy_use', tenant: 'kalmar', period: '2024Q2', entities: ['*'] })).toEqual([{ value: value('*', 11) }]);
  }, 60_000);

  it('lastMarked: when a day of the window was last marked, rebuilt or not', async () => {
    const rollups = new StoreRollups(influxRollups(o));
    const q2 = parsePeriod('2024Q2');
    expect(await rollups.lastMarked('kalmar', q2.start, q2.end)).toBe(0);
    const before = Date.now();
    await rollups.markReadings([{ tenant: 'kalmar', observedAt: '2024-05-10T12:00:00Z' }]);
    const marked = await rollups.lastMarked('kalmar', q2.start, q2.end);
    expect(marked).toBeGreaterThanOrEqual(before);
    await rollups.settle({ tenant: 'kalmar' });
    expect(await rollups.lastMarked('kalmar', q2.start, q2.end)).toBe(marked);
    expect(await rollups.lastMarked('kalmar', parsePeriod('2024Q3').start, parsePeriod('2024Q3').end)).toBe(0);
    expect(await rollups.lastMarked('vaxjo', q2.start, q2.end)).toBe(0);
  }, 60_000);
});
