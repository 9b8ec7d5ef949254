import { afterAll, describe, expect, it } from 'vitest';
import { InfluxStore } from '../../services/sinks/influx/influxStore.js';
import { meterReading } from '../../services/writer/testing.js';
import { STACK, countPoints, createBucket, deleteBucket, runId } from '../helpers/stack.js';

/** INFLUX_CONTENT_ENCODING: write bodies gzip-compressed (default) or as they are; InfluxDB takes both. */
const buckets: string[] = [];
afterAll(async () => {
  for (const b of buckets) await deleteBucket(b).catch(() => {});
});

describe.each(['gzip', 'identity'] as const)('InfluxStore with contentEncoding %s', (contentEncoding) => {
  it('writes a body well over the 1 kB gzip threshold, every point once', async () => {
    const bucket = `test-${runId('enc')}`;
    buckets.push(bucket);
    await createBucket(bucket);
    const store = new InfluxStore({ url: STACK.influxUrl, token: STACK.influxToken, org: STACK.influxOrg, bucket, measurement: 'readings', contentEncoding });
    const readings = Array.from({ length: 500 }, (_, i) => meterReading(i % 60, i, `el-${Math.floor(i / 60)}`));
    await store.wire.write(readings.map((r) => store.wire.encode(r)).join('\n'));
    expect(await countPoints(bucket)).toBe(500);
  });
});
