import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { METRIC_NAMES } from '../core/metrics.js';
import { IndicatorEngine } from '../indicators/engine.js';
import { indicators } from '../indicators/index.js';
import { parsePeriod } from '../indicators/periods.js';
import { DeviceRegistry, type Device } from '../registry/deviceRegistry.js';
import { buildSink } from '../sinks/index.js';
import type { Sink } from '../sinks/types.js';
import { createBucket, deleteBucket, runId, STACK } from '../../test/helpers/stack.js';
import { importFile } from './importFile.js';
import { loadMapping } from './mapping.js';

const here = (f: string) => join(import.meta.dirname, 'testdata', f);
const devices: Device[] = [
  { id: '735999100000000011', tenant: 'kalmar', kind: 'electricity_meter', site: 'stadshuset', params: {} },
  { id: '735999100000000012', tenant: 'kalmar', kind: 'electricity_meter', site: 'bibliotek', params: {} },
  { id: 'FV-10045', tenant: 'kalmar', kind: 'heat_meter', site: 'kulturhuset', params: {} },
];

/** The same import into the stack's InfluxDB (a bucket of its own): stored, idempotent, figures kept. */
describe('klimatpuls import (InfluxDB)', () => {
  const bucket = runId('import');
  let sink: Sink;
  const run = (f: string) => importFile({ file: here(f), mapping: loadMapping(here(f.replace('.csv', '.mapping.json'))), sink, devices: new DeviceRegistry(devices), now: new Date('2025-06-01T00:00:00Z') });
  const stored = async () => (await sink.source(devices).series({ tenant: 'kalmar', metrics: [...METRIC_NAMES], from: Date.UTC(2023, 0, 1), to: Date.UTC(2026, 0, 1) })).reduce((n, s) => n + s.samples.length, 0);
  const energy = async (period: string, entity: string) =>
    (await new IndicatorEngine({ source: sink.source(devices), devices, indicators }).compute('energy_use', 'kalmar', parsePeriod(period))).find((v) => v.entity === entity)!;

  beforeAll(async () => {
    await createBucket(bucket);
    sink = await buildSink(loadConfig({ LOG_LEVEL: 'silent', INFLUX_URL: STACK.influxUrl, INFLUX_TOKEN: STACK.influxToken, INFLUX_ORG: STACK.influxOrg, INFLUX_BUCKET: bucket }));
    await sink.store.init();
  });
  afterAll(async () => {
    if (sink) await sink.store.close(); // beforeAll may have failed (stack down): report that, not this
    await deleteBucket(bucket).catch(() => {});
  });

  it('stores hourly and monthly energy and yearly figures; a second import changes nothing', async () => {
    for (const f of ['utility-hourly-electricity.csv', 'heat-monthly.csv', 'yearly-figures.csv']) await run(f);
    const n = await stored();
    expect(n).toBe(98 + 8785); // 2024 has 8784 hours: a register reading at each and one at the end
    const march = await energy('2024-03', 'kulturhuset');
    expect(march.value).toBeCloseTo(48_000, 6);
    expect(march.sufficient).toBe(true);
    expect((await energy('2025-01-01', 'stadshuset')).value).toBeCloseTo(333, 9);
    const s = await run('heat-monthly.csv');
    expect([s.rowsStored, s.deadLettered]).toEqual([12, { bad_record: 1 }]);
    expect(await stored()).toBe(n);
    expect((await energy('2024-03', 'kulturhuset')).value).toBeCloseTo(48_000, 6);
    expect((await sink.figures.query({ tenant: 'kalmar', figure: 'emissions' })).map((f) => [f.year, f.value])).toEqual([[1990, 412_000], [2018, 298_500]]);
  }, 120_000);
});
