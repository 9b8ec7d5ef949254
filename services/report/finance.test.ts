import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { kalmarReport } from './fixtures/kalmar-2025Q3.js';
import { defaultAggregate, financeOf } from './finance.js';
import { FINANCE_COLUMNS } from './financeRows.js';
import { renderFinanceCsv } from './renderCsv.js';
import { renderHtml } from './renderHtml.js';
import { renderXlsx } from './renderXlsx.js';
import type { ReportPoint } from './reportData.js';

/**
 * The finance view of the Kalmar 2025Q3 fixture, against numbers worked out by
 * hand from the fixture's quarterly values (see the fixture for the series).
 */
const data = kalmarReport('sv');
const byId = (id: string) => data.targets.find((t) => t.id === id)!;

describe('finance view: quarter, year to date, budget, deviation', () => {
  it('energy (sum of quarters): 2022 goal passed, so every 2025 quarter is budgeted at 90 % of the same quarter of 2018', () => {
    const f = byId('energy-municipal-group').finance;
    expect(f.aggregate).toBe('sum');
    // Budget per quarter: 15.8, 8.6, 4.3, 11.7 GWh × 0.9.
    expect(f.quarters.map((q) => q.budget)).toEqual([14_220_000, 7_740_000, 3_870_000, 10_530_000]);
    expect(f.quarter).toMatchObject({ value: 4_040_000, budget: 3_870_000, deviation: 170_000, favourable: false });
    expect(f.quarter.deviationShare).toBeCloseTo(170_000 / 3_870_000, 12);
    expect(f.ytd).toMatchObject({ value: 14_050_000 + 7_720_000 + 4_040_000, budget: 14_220_000 + 7_740_000 + 3_870_000, deviation: -20_000, favourable: true, sufficient: true });
    expect(f.ytd.deviationShare).toBeCloseTo(-20_000 / 25_830_000, 12);
    expect(f.yearBudget).toBe(36_360_000);
  });

  it('waste (mean of quarters): the YTD rests partly on a quarter with too little data and says so', () => {
    const f = byId('waste-municipal-group').finance;
    expect(f.aggregate).toBe('mean');
    expect(f.quarters.map((q) => q.budget)).toEqual([44.4, 43.7, 43.4, 43.4]);
    expect(f.ytd.value).toBeCloseTo((44.0 + 48.1 + 47.0) / 3, 12);
    expect(f.ytd.budget).toBeCloseTo((44.4 + 43.7 + 43.4) / 3, 12);
    expect(f.ytd.deviation).toBeCloseTo((44.0 + 48.1 + 47.0) / 3 - (44.4 + 43.7 + 43.4) / 3, 12);
    expect(f.ytd).toMatchObject({ sufficient: false, favourable: false });
    expect(f.yearBudget).toBeCloseTo((44.4 + 43.7 + 43.4 + 43.4) / 4, 12);
  });

  it('a share that should rise: below budget is unfavourable', () => {
    const f = byId('sustainable-travel-2025').finance;
    expect(f.ytd.value).toBeCloseTo((36.0 + 44.9 + 45.6) / 3, 12);
    expect(f.ytd.favourable).toBe(false);
    expect(f.quarter).toMatchObject({ value: 45.6, budget: 45, favourable: true });
  });

  it('aggregation follows the unit unless the target says otherwise', () => {
    expect(['kWh', 'MWh', 't CO2e', 'kg CO2e', 'count'].map(defaultAggregate)).toEqual(['sum', 'sum', 'sum', 'sum', 'sum']);
    expect(['%', 'L/household/week', 'index', 'kW', 'kWh/m²'].map(defaultAggregate)).toEqual(['mean', 'mean', 'mean', 'mean', 'mean']);
  });
});

describe('full-year forecast from the year so far and last year’s profile', () => {
  it('energy: pace R over Q1–Q2 (Q3 2024 lacks data), Q4 = last year’s Q4 × R; interval from the quarters’ own paces', () => {
    const fc = byId('energy-municipal-group').finance.forecast!;
    const R = (14_050_000 + 7_720_000) / (14_410_000 + 8_050_000);
    expect(fc.ratio).toBeCloseTo(R, 12);
    expect(fc.value).toBeCloseTo(25_810_000 + 10_480_000 * R, 4);
    expect(fc.low).toBeCloseTo(25_810_000 + 10_480_000 * (7_720_000 / 8_050_000), 4);
    expect(fc.high).toBeCloseTo(25_810_000 + 10_480_000 * (14_050_000 / 14_410_000), 4);
    expect(fc.estimatedQuarters).toEqual(['2025Q4']);
    expect(fc.deviation).toBeCloseTo(25_810_000 + 10_480_000 * R - 36_360_000, 4);
    expect(fc.favourable).toBe(true);
  });

  it('waste: a 2025 quarter with too little data is estimated from last year like the remaining one', () => {
    const fc = byId('waste-municipal-group').finance.forecast!;
    const R = (48.1 + 47.0) / (51.6 + 50.2);
    expect(fc.value).toBeCloseTo((52.9 * R + 48.1 + 47.0 + 50.8 * R) / 4, 12);
    expect(fc.low).toBeCloseTo((52.9 * (48.1 / 51.6) + 48.1 + 47.0 + 50.8 * (48.1 / 51.6)) / 4, 12);
    expect(fc.high).toBeCloseTo((52.9 * (47.0 / 50.2) + 48.1 + 47.0 + 50.8 * (47.0 / 50.2)) / 4, 12);
    expect(fc.estimatedQuarters).toEqual(['2025Q1', '2025Q4']);
    expect(fc.favourable).toBe(false);
  });

  it('says "not enough data" instead of inventing: no values, no last year, or last year incomplete', () => {
    expect(byId('renewable-self-sufficiency-2035').finance).toMatchObject({ noForecast: 'no_comparable_quarter' });
    expect(byId('renewable-self-sufficiency-2035').finance.forecast).toBeUndefined();
    const hist = byId('energy-municipal-group').history;
    const withoutLastYear = hist.filter((p) => !p.period.startsWith('2024'));
    const f1 = financeOf({ history: withoutLastYear, ahead: [10_530_000], aggregate: 'sum', better: 'lower' });
    expect(f1.noForecast).toBe('no_comparable_quarter');
    expect(f1.ytd.value).toBe(25_810_000);
    const q4Missing: ReportPoint[] = hist.map((p) => (p.period === '2024Q4' ? { ...p, sufficient: false } : p));
    expect(financeOf({ history: q4Missing, ahead: [10_530_000], aggregate: 'sum', better: 'lower' }).noForecast).toBe('last_year_incomplete');
    // A share estimated from last year stays a share: 99 % last year × this year's pace 1.1 is 100 %, not 108.9 %.
    const share = (period: string, value: number): ReportPoint => ({ ...hist[0]!, period, value, sufficient: true });
    const shares = [share('2024Q1', 90), share('2024Q2', 90), share('2024Q3', 90), share('2024Q4', 99), share('2025Q1', 99), share('2025Q2', 99), share('2025Q3', 99)];
    expect(financeOf({ history: shares, ahead: [100], aggregate: 'mean', better: 'higher', range: [0, 100] }).forecast!.value).toBeCloseTo((99 * 3 + 100) / 4, 9);
    expect(financeOf({ history: shares, ahead: [100], aggregate: 'mean', better: 'higher' }).forecast!.value).toBeCloseTo((99 * 3 + 99 * 1.1) / 4, 9);
    expect(renderHtml(data)).toContain('Otillräckliga data för prognos');
    expect(renderHtml(kalmarReport('en'))).toContain('Not enough data for a forecast');
  });
});

describe('carbon budget and changes since last quarter', () => {
  it('emissions allowed this year by the trajectory against emitted so far', () => {
    expect(data.carbonBudget.map((c) => c.targetId)).toEqual(['climate-neutral-2030']);
    const c = data.carbonBudget[0]!;
    // By hand for Q4: mid-November 2025 is 2025.87, f = (2025.87 − 1990.5) / 40; 2890 × (1 − 0.85 f) ≈ 717.8 (the fixture rounds the exact instant to 717.6).
    expect(Math.abs(c.quarters[3]!.allowed! - 2890 * (1 - (0.85 * (2025.87 - 1990.5)) / 40))).toBeLessThan(1);
    expect(c.quarters.map((q) => q.allowed)).toEqual([956.6, 494.7, 299.3, 717.6]);
    expect(c.allowed).toBeCloseTo(956.6 + 494.7 + 299.3 + 717.6, 9);
    expect(c.allowedYtd).toBeCloseTo(956.6 + 494.7 + 299.3, 9);
    expect(c.spentYtd).toBe(941 + 421 + 288);
    expect(c.remaining).toBeCloseTo(2468.2 - 1650, 9);
    expect(c.spentShare).toBeCloseTo(1650 / 2468.2, 12);
    const R = (941 + 421) / (968 + 452);
    expect(c.forecast!.value).toBeCloseTo(1650 + 689 * R, 9);
    expect(c.forecast!.low).toBeCloseTo(1650 + 689 * (421 / 452), 9);
    expect(c.forecast!.high).toBeCloseTo(1650 + 689 * (941 / 968), 9);
    expect(c.forecast!.remaining).toBeCloseTo(2468.2 - (1650 + 689 * R), 9);
    expect(renderHtml(data)).toContain('Hittills 2025 har 1\u00a0650 t CO₂e släppts ut av tillåtna 2\u00a0468 t CO₂e (67\u00a0%); 818 t CO₂e återstår för resten av året.');
  });

  it('status and value change against the previous quarter', () => {
    expect(byId('energy-municipal-group').finance.sincePrevious).toMatchObject({ period: '2025Q2', previousStatus: 'on_track', status: 'behind', statusChanged: true, valueChange: 4_040_000 - 7_720_000 });
    expect(byId('waste-municipal-group').finance.sincePrevious.valueChangeShare).toBeCloseTo((47.0 - 48.1) / 48.1, 12);
    const html = renderHtml(data);
    expect(html.match(/<table class="changes">[\s\S]*?<\/table>/)![0].match(/<tr data-target=/g)).toHaveLength(data.targets.length);
  });
});

describe('finance exports', () => {
  it('finance CSV: one row per target, plain numbers', () => {
    const lines = renderFinanceCsv(data).trimEnd().split('\r\n');
    expect(lines[0]).toBe(FINANCE_COLUMNS.map((c) => c.key).join(','));
    expect(lines).toHaveLength(1 + data.targets.length);
    const energy = lines[1]!.split(',');
    const at = (k: string) => energy[FINANCE_COLUMNS.findIndex((c) => c.key === k)];
    expect([at('ytd_value'), at('ytd_budget'), at('ytd_deviation'), at('year_budget'), at('forecast_note')]).toEqual(['25810000', '25830000', '-20000', '36360000', 'estimated:2025Q4']);
  });

  it('xlsx parses back with exceljs: sheets, headers, numbers as numbers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderXlsx(kalmarReport('en'))) as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Quarters', 'Carbon budget', 'Data quality']);
    const sum = wb.getWorksheet('Summary')!;
    const header = (sum.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['id', 'Target', 'Unit']);
    const col = (k: string) => FINANCE_COLUMNS.findIndex((c) => c.key === k) + 1;
    expect(header[col('ytd_value') - 1]).toBe('Year to date');
    expect(sum.rowCount).toBe(1 + data.targets.length);
    const energy = sum.getRow(2);
    expect(energy.getCell(1).value).toBe('energy-municipal-group');
    expect(energy.getCell(col('ytd_value')).value).toBe(25_810_000);
    expect(energy.getCell(col('ytd_budget')).value).toBe(25_830_000);
    expect(energy.getCell(col('year_budget')).value).toBe(36_360_000);
    expect(energy.getCell(col('ytd_deviation_share')).value as number).toBeCloseTo(-20_000 / 25_830_000, 12);
    expect(energy.getCell(col('ytd_deviation_share')).numFmt).toBe('0.0%');
    expect(energy.getCell(col('forecast')).value as number).toBeCloseTo(25_810_000 + (10_480_000 * 21_770_000) / 22_460_000, 4);
    expect(energy.getCell(col('ytd_sufficient')).value).toBe(true);
    const renewable = sum.getRow(1 + data.targets.findIndex((t) => t.id === 'renewable-self-sufficiency-2035') + 1);
    expect(renewable.getCell(col('forecast')).value).toBeNull();
    expect(renewable.getCell(col('forecast_note')).value).toBe('no_comparable_quarter');

    const quarters = wb.getWorksheet('Quarters')!;
    // Eight quarters of history plus 2025Q4's budget, per target.
    expect(quarters.rowCount).toBe(1 + data.targets.length * 9);
    expect(quarters.getRow(2).values).toEqual([undefined, 'energy-municipal-group', kalmarReport('en').targets[0]!.name, 'kWh', '2023Q4', 10_690_000, 10_530_000, 'behind', 0.94, true]);

    const carbon = wb.getWorksheet('Carbon budget')!;
    expect(carbon.rowCount).toBe(2);
    expect(carbon.getRow(2).getCell(4).value as number).toBeCloseTo(2468.2, 9);
    expect(carbon.getRow(2).getCell(6).value).toBe(1650);
    expect(carbon.getRow(2).getCell(7).value as number).toBeCloseTo(818.2, 9);
  });
});
