import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT } from '../../indicators/energy/testSupport.js';
import { compareEngines } from '../../../test/helpers/compareEngines.js';
import { devices, periods, readingsOf } from '../../../test/helpers/rollupScenario.js';
import { influxSourceOn } from '../../../test/helpers/sinks.js';
import { createBucket, deleteBucket, runId, STACK } from '../../../test/helpers/stack.js';
import { InfluxStore } from './influxStore.js';

/** Rollups kept in the stack's InfluxDB give the raw engine's values (the same awkward data as rollups.test.ts). */
describe('InfluxDB rollups', () => {
  const bucket = runId('rollups');
  beforeAll(async () => {
    await createBucket(bucket);
  });
  afterAll(async () => {
    await deleteBucket(bucket).catch(() => {});
  });

  it('give the raw engine’s values, and follow late readings', async () => {
    const all = readingsOf(11);
    const store = new InfluxStore({ url: STACK.influxUrl, token: STACK.influxToken, org: STACK.influxOrg, bucket, measurement: 'readings' });
    await store.init();
    const late = all.filter((_, i) => i % 7 === 0);
    await store.writeReadings(all.filter((_, i) => i % 7 !== 0));
    const { source, raw, rollups } = await influxSourceOn(bucket, devices);
    await rollups.markReadings(all.filter((_, i) => i % 7 !== 0));
    const first = await compareEngines({ rollupSource: source, rawSource: raw, devices, tenant: TENANT, periods });
    expect(first.differences).toEqual([]);
    expect(first.compared).toBeGreaterThan(200);
    await store.writeReadings(late);
    await rollups.markReadings(late);
    const after = await compareEngines({ rollupSource: source, rawSource: raw, devices, tenant: TENANT, periods });
    expect(after.differences).toEqual([]);
    expect((await rollups.settle({ tenant: TENANT })).days).toBe(0);
    await store.close();
  }, 120_000);
});
