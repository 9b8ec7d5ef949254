import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../import/importFile.js';
import { loadMapping } from '../import/mapping.js';
import { IndicatorEngine } from '../indicators/engine.js';
import { indicators } from '../indicators/index.js';
import { hoursIn, parsePeriod } from '../indicators/periods.js';
import type { CityTargets, Target } from '../indicators/targets/targets.js';
import { DeviceRegistry, type Device } from '../registry/deviceRegistry.js';
import { duckDbSinkAt } from '../sinks/duckdb/index.js';
import type { Sink } from '../sinks/types.js';
import { buildReportData } from './buildReport.js';
import { renderFinanceCsv } from './renderCsv.js';
import { renderHtml } from './renderHtml.js';
import { TargetBaselines } from './targetBaseline.js';

/**
 * Baselines from imported yearly figures against the real DuckDB store: the 2018
 * energy figure of services/import/testdata/yearly-figures.csv, 2024's monthly
 * district heating as the profile, and a measured 2018Q1 that wins over the figure.
 */
const testdata = (f: string) => join(import.meta.dirname, '..', 'import', 'testdata', f);
const devices: Device[] = [{ id: 'FV-10045', tenant: 'kalmar', kind: 'heat_meter', site: 'kulturhuset', params: {} }];
const target = (o: Partial<Target> = {}): Target => ({
  id: 'energy', indicator: 'energy_use', entity: '*', name: { sv: 'Energi', en: 'Energy' }, source: 'test', baselineYear: 2018, targetYear: 2030,
  change: -0.3, periodKind: 'quarter', tolerance: 0.05, ...o,
});
const FIGURE = 45.2e6; // energy_use 2018: 45,2 GWh, "Energideklarationer och fakturor 2018, kommunkoncernen"
const YEAR_2024 = 372_800; // heat-monthly.csv, kWh
const Q2_2024 = (30.2 + 15.5 + 8.1) * 1000;

describe('target baselines: targets file, measured, imported yearly figure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-baseline-'));
  let sink: Sink;
  let engine: IndicatorEngine;
  const run = (file: string, mapping: string) => importFile({ file, mapping: loadMapping(mapping), sink, devices: new DeviceRegistry(devices), now: new Date('2025-06-01T00:00:00Z') });

  beforeAll(async () => {
    sink = await duckDbSinkAt(join(dir, 'klimatpuls.duckdb'));
    await sink.store.init();
    await run(testdata('heat-monthly.csv'), testdata('heat-monthly.mapping.json'));
    await run(testdata('yearly-figures.csv'), testdata('yearly-figures.mapping.json'));
    // 2018Q1 measured (monthly heat of the same meter point): it wins over the figure there.
    writeFileSync(join(dir, 'heat-2018.csv'), 'Mätpunkt;Månad;Energi (MWh)\nFV-10045;2018-01;70\nFV-10045;2018-02;60\nFV-10045;2018-03;50\n');
    await run(join(dir, 'heat-2018.csv'), testdata('heat-monthly.mapping.json'));
    engine = new IndicatorEngine({ source: sink.source(devices), devices, indicators });
  });
  afterAll(async () => {
    await sink.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('measured wins where the baseline quarter has sufficient data; else the figure, spread by last year’s profile', async () => {
    const b = new TargetBaselines({ engine, tenant: 'kalmar', figures: sink.figures, reportYear: 2025 });
    const q1 = await b.of(target(), parsePeriod('2025Q1'), 'sum');
    expect(q1!.from).toEqual({ kind: 'measured', year: 2018 });
    expect(q1!.value).toBeCloseTo(180_000, 6);
    const q2 = await b.of(target(), parsePeriod('2025Q2'), 'sum');
    expect(q2!.from).toMatchObject({ kind: 'yearly_figure', year: 2018, figure: FIGURE, source: 'Energideklarationer och fakturor 2018, kommunkoncernen', importedFrom: 'yearly-figures.csv#row=3', profile: 'last_year', profileYear: 2024 });
    expect(q2!.value).toBeCloseTo((FIGURE * Q2_2024) / YEAR_2024, 4);
    // The targets file's value comes first.
    expect((await b.of(target({ baselineValue: 1 }), parsePeriod('2025Q2'), 'sum'))!.from.kind).toBe('targets_file');
    // No figure of that indicator and year, nothing measured: no baseline.
    expect(await b.of(target({ baselineYear: 2017 }), parsePeriod('2025Q2'), 'sum')).toBeUndefined();
  });

  it('without a complete profile year: a flow gets the quarter’s share of the year’s hours, a level the figure itself', async () => {
    const b = new TargetBaselines({ engine, tenant: 'kalmar', figures: sink.figures, reportYear: 2024 }); // 2023 has no data
    const q2 = await b.of(target(), parsePeriod('2024Q2'), 'sum');
    expect(q2!.from.profile).toBe('days');
    expect(q2!.value).toBeCloseTo((FIGURE * hoursIn(parsePeriod('2018Q2'))) / hoursIn(parsePeriod('2018')), 4);
    const flat = await b.of(target(), parsePeriod('2024Q2'), 'mean');
    expect(flat).toMatchObject({ value: FIGURE, from: { profile: 'flat' } });
  });

  it('the report states the source: JSON baselineSources, HTML baseline line, finance CSV baseline_source', async () => {
    const targets: CityTargets = { city: 'kalmar', tenant: 'kalmar', name: { sv: 'Kalmar', en: 'Kalmar' }, contract: 'test', settings: {}, targets: [target()] };
    const data = await buildReportData({ engine, targets, quarter: parsePeriod('2025Q2'), lang: 'en', devicesRegistered: 1, figures: sink.figures });
    const t = data.targets[0]!;
    expect(t.baselineSources).toEqual(expect.arrayContaining([
      { kind: 'measured', year: 2018 },
      expect.objectContaining({ kind: 'yearly_figure', source: 'Energideklarationer och fakturor 2018, kommunkoncernen', profile: 'last_year', profileYear: 2024 }),
    ]));
    expect(t.history.find((h) => h.period === '2024Q2')!.trajectory).toBeDefined();
    expect(renderHtml(data)).toContain('imported yearly figure');
    expect(renderFinanceCsv(data)).toContain('yearly_figure:2018:Energideklarationer och fakturor 2018, kommunkoncernen');
    // Without the figure store the same quarter has no trajectory.
    const without = await buildReportData({ engine, targets, quarter: parsePeriod('2025Q2'), lang: 'en', devicesRegistered: 1 });
    expect(without.targets[0]!.current!.trajectory).toBeUndefined();
  });
});
