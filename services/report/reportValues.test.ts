import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../import/importFile.js';
import { loadMapping } from '../import/mapping.js';
import { IndicatorEngine } from '../indicators/engine.js';
import { indicators } from '../indicators/index.js';
import { parsePeriod } from '../indicators/periods.js';
import { provenanceOf } from '../indicators/scheduler.js';
import type { CityTargets } from '../indicators/targets/targets.js';
import type { IndicatorSettings } from '../indicators/types.js';
import { DeviceRegistry, type Device } from '../registry/deviceRegistry.js';
import { duckDbSinkAt } from '../sinks/duckdb/index.js';
import type { Sink } from '../sinks/types.js';
import { buildReports } from './buildReport.js';
import { ReportValues } from './reportValues.js';

/**
 * The report's values against the real embedded DuckDB: 2024's monthly district
 * heating of one meter (services/import/testdata/heat-monthly.csv) imported, energy_use
 * of 2024Q2 computed and stored as the scheduler stores it, then read back by a
 * fresh process's ReportValues.
 */
const testdata = (f: string) => join(import.meta.dirname, '..', 'import', 'testdata', f);
const devices: Device[] = [{ id: 'FV-10045', tenant: 'kalmar', kind: 'heat_meter', site: 'kulturhuset', params: {} }];
const Q2 = parsePeriod('2024Q2');
const MARKER = 123_456.5; // no computation gives this: a value equal to it came from the store

describe('report values: stored when current, computed when not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-report-values-'));
  let sink: Sink;
  const engine = (settings?: Partial<IndicatorSettings>) => new IndicatorEngine({ source: sink.source(devices), devices, indicators, ...(settings ? { settings } : {}) });
  const values = (settings?: Partial<IndicatorSettings>) => new ReportValues({ engine: engine(settings), tenant: 'kalmar', store: sink.indicators, marks: sink.rollups });
  /** energy_use of 2024Q2 computed and stored with its provenance; the tenant's value then replaced by MARKER (same provenance). */
  const storeMarked = async () => {
    const e = engine();
    const computed = await e.compute('energy_use', 'kalmar', Q2);
    const prov = provenanceOf(e);
    await sink.indicators.write(computed.map((v) => (v.entity === '*' ? { ...v, value: MARKER } : v)), prov);
    return computed.find((v) => v.entity === '*')!;
  };

  beforeAll(async () => {
    sink = await duckDbSinkAt(join(dir, 'klimatpuls.duckdb'));
    await sink.store.init();
    await importFile({ file: testdata('heat-monthly.csv'), mapping: loadMapping(testdata('heat-monthly.mapping.json')), sink, devices: new DeviceRegistry(devices), now: new Date('2025-06-01T00:00:00Z') });
  });
  afterAll(async () => {
    await sink.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records what a value read: its window (the quarter with margins) and when its computation started', async () => {
    const e = engine();
    const before = Date.now();
    await e.compute('emissions', 'kalmar', Q2); // through energy_use: its window counts
    const p = e.provenance('emissions', 'kalmar', Q2)!;
    expect(p.computedAt).toBeGreaterThanOrEqual(before);
    expect(p.windowFrom).toBeLessThanOrEqual(Q2.start);
    expect(p.windowTo).toBeGreaterThanOrEqual(Q2.end);
    expect(p.basis).toBe(e.basis('kalmar'));
    expect(engine({ degreeDayBase: 15 }).basis('kalmar')).not.toBe(p.basis);
    expect(e.provenance('emissions', 'kalmar', parsePeriod('2024Q3'))).toBeUndefined();
  });

  it('a stored current value is reused; a mark outside its window leaves it current', async () => {
    const computed = await storeMarked();
    expect(computed.value).not.toBe(MARKER);
    // A late reading of 2023: not in 2024Q2's window.
    await sink.rollups.markReadings([{ tenant: 'kalmar', observedAt: '2023-03-10T12:00:00Z' }]);
    const v = values();
    expect((await v.value('energy_use', Q2, '*'))!.value).toBe(MARKER);
    expect({ reused: v.reused, computed: v.computed }).toEqual({ reused: 1, computed: 0 });
    // Another basis (the city's settings changed): computed.
    const other = values({ degreeDayBase: 15 });
    expect((await other.value('energy_use', Q2, '*'))!.value).toBe(computed.value);
    expect(other.computed).toBe(1);
  });

  it('a value whose window got a mark after its computation is computed again', async () => {
    const computed = await storeMarked();
    expect((await values().value('energy_use', Q2, '*'))!.value).toBe(MARKER);
    // A late reading of May 2024, marked after the stored value was computed.
    await new Promise((r) => setTimeout(r, 2)); // a later millisecond than the computation's start
    await sink.rollups.markReadings([{ tenant: 'kalmar', observedAt: '2024-05-10T12:00:00Z' }]);
    expect(await sink.rollups.lastMarked('kalmar', Q2.start, Q2.end)).toBeGreaterThan(0);
    const v = values();
    const again = await v.value('energy_use', Q2, '*');
    expect(again!.value).toBe(computed.value);
    expect({ reused: v.reused, computed: v.computed }).toEqual({ reused: 0, computed: 1 });
    // The rebuilt day changes nothing of the mark's time: still not current.
    await sink.rollups.settle({ tenant: 'kalmar' });
    expect((await values().value('energy_use', Q2, '*'))!.value).toBe(computed.value);
  });

  it('the report from stored values equals the report computed, in both languages from one set of values', async () => {
    const targets: CityTargets = {
      city: 'kalmar', tenant: 'kalmar', name: { sv: 'Kalmar', en: 'Kalmar' }, contract: 'test', settings: {},
      targets: [{ id: 'energy', indicator: 'energy_use', entity: '*', name: { sv: 'Energi', en: 'Energy' }, source: 'test', baselineYear: 2024, targetYear: 2030, change: -0.3, periodKind: 'quarter', tolerance: 0.05 }],
    };
    const quarter = parsePeriod('2024Q4');
    const e = engine();
    await sink.indicators.write(await e.computeAll('kalmar', [quarter, parsePeriod('2024Q1'), Q2, parsePeriod('2024Q3')]), provenanceOf(e));
    const now = new Date('2025-01-15T00:00:00Z');
    const stored = values();
    const fromStore = await buildReports({ engine: stored.engine, values: stored, targets, quarter, now, devicesRegistered: 1 }, ['sv', 'en']);
    const computed = await buildReports({ engine: engine(), targets, quarter, now, devicesRegistered: 1 }, ['sv', 'en']);
    expect(fromStore).toEqual(computed);
    expect(stored.reused).toBeGreaterThan(0);
    expect(fromStore.map((d) => d.lang)).toEqual(['sv', 'en']);
  });
});
