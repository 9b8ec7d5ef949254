import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalReading } from '../../core/reading.js';
import type { DuckDbStore } from '../../sinks/duckdb/duckdbStore.js';
import { byEntity, device, H, TENANT } from '../energy/testSupport.js';
import { parsePeriod } from '../periods.js';
import { contextFor, reading, sourceWith } from '../testing.js';
import type { ReadingSource } from '../types.js';
import { campaignSavings, withinPeriod } from './campaignSavings.js';
import { measureEffect } from './effect.js';
import { parseMeasures } from './measures.js';
import { syntheticDays } from './syntheticDays.js';

/** A building whose tenants' campaign from 2025-01-01 saves 15 %, on a real store (3-hourly heat register, hourly temperatures). */
const meter = device('vm-hus', 'heat_meter', 'kampanjhuset');
const sensor = device('temp-1', 'temperature');
const devices = [meter, sensor];
const N = 366 + 90; // 2024-01-01 … 2025-03-31
const days = syntheticDays(11, '2024-01-01', N, { intercept: 150, slope: 12, balancePoint: 15, noiseKwh: 10, saving: 0.15 }, 366);

function readings(): CanonicalReading[] {
  const out: CanonicalReading[] = [];
  let total = 10_000;
  for (const d of days) {
    const p = parsePeriod(d.date);
    const steps = Math.round((p.end - p.start) / (3 * H));
    for (let i = 0; i < steps; i++) out.push(reading(meter, 'heat_energy_total', p.start + i * 3 * H, total + (d.kwh * i) / steps));
    total += d.kwh;
    for (let h = 0; h < Math.round((p.end - p.start) / H); h++) out.push(reading(sensor, 'temperature', p.start + h * H + 600_000, Math.round(d.temperature * 100) / 100));
  }
  out.push(reading(meter, 'heat_energy_total', parsePeriod('2025-04-01').start, total));
  return out;
}

const measures = parseMeasures(
  JSON.stringify({
    measures: [
      { id: 'energijakten', tenant: TENANT, name: { sv: 'Energijakten', en: 'The energy hunt' }, kind: 'campaign', buildings: ['kampanjhuset'], date: '2025-01-01' },
      { id: 'nytt-tak', tenant: TENANT, name: { sv: 'Nytt tak', en: 'New roof' }, kind: 'renovation', buildings: ['kampanjhuset'], date: '2025-01-01' },
    ],
  }),
);

let source: ReadingSource;
let store: DuckDbStore;
beforeAll(async () => {
  ({ source, store } = await sourceWith(devices, readings()));
}, 120_000);
afterAll(async () => store.close());

const compute = (label: string, withMeasures = true) =>
  campaignSavings.compute(contextFor({ tenant: TENANT, period: parsePeriod(label), source, devices, settings: withMeasures ? { measures } : {} }, {}));

describe('campaign_savings', () => {
  it('is the measured effect of the campaigns within the period (renovations are not campaigns)', async () => {
    const v = byEntity(await compute('2025Q1'));
    const direct = await measureEffect(source, devices, withinPeriod(measures[0]!, parsePeriod('2025Q1').start, parsePeriod('2025Q1').end)!);
    expect(direct.passes).toBe(true);
    expect(v['energijakten']!.value).toBeCloseTo(100 * direct.avoidedShare, 9);
    expect(v['*']).toMatchObject({ unit: '%', coverage: 1, sufficient: true, details: expect.objectContaining({ campaigns: 1, counted: 1 }) });
    expect(v['energijakten']!.details).toMatchObject({ from: '2025-01-01', to: '2025-04-01', passes: 1 });
    expect(v['*']!.value).toBeGreaterThan(12);
    expect(v['*']!.value).toBeLessThan(18); // 15 % saved, measured with noise
    expect(v['nytt-tak']).toBeUndefined();
  }, 60_000);

  it('before the campaign, or without MEASURES_FILE, there is nothing to measure', async () => {
    expect(await compute('2024Q4')).toEqual([expect.objectContaining({ entity: '*', sufficient: false, details: expect.objectContaining({ campaigns: 0 }) })]);
    expect((await compute('2025Q1', false))[0]!.details).toMatchObject({ note: 'no campaign measures in MEASURES_FILE' });
  }, 60_000);
});
