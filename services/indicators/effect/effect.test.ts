import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalReading } from '../../core/reading.js';
import { degreeDays } from '../energy/degreeDays.js';
import { energyUse } from '../energy/energyUse.js';
import { device, H, TENANT } from '../energy/testSupport.js';
import { parsePeriod, periodsBetween } from '../periods.js';
import { contextFor, reading, sourceWith } from '../testing.js';
import type { ReadingSource } from '../types.js';
import type { DuckDbStore } from '../../sinks/duckdb/duckdbStore.js';
import { dailyEnergy, metersOf } from './dailyEnergy.js';
import { dailyTemperatures } from './dailyTemperature.js';
import { measureEffect } from './effect.js';
import { parseMeasures } from './measures.js';
import { syntheticDays } from './syntheticDays.js';

/**
 * The whole method on a real (in-memory DuckDB) store with its day rollups: a
 * year and a quarter of 3-hourly heat registers for a measure building and a
 * control building and hourly outdoor temperatures. From 2025-01-01 both use 5 %
 * less (something that changed for everyone), the measure building another 10 %.
 */
const treatedMeter = device('vm-skola', 'heat_meter', 'skolan');
const controlMeter = device('vm-kontroll', 'heat_meter', 'kontrollhuset');
const sensor = device('temp-1', 'temperature');
const devices = [treatedMeter, controlMeter, sensor];
const N = 365 + 1 + 90; // 2024-01-01 … 2025-03-31 (2024 is a leap year)
const MEASURE = 366; // index of 2025-01-01

const days = syntheticDays(5, '2024-01-01', N, { intercept: 150, slope: 12, balancePoint: 15, noiseKwh: 15, saving: 0 }, MEASURE);
const controlDays = syntheticDays(6, '2024-01-01', N, { intercept: 300, slope: 20, balancePoint: 14, noiseKwh: 25, saving: 0 }, MEASURE);
const factor = (i: number, treated: boolean) => (i >= MEASURE ? 0.95 * (treated ? 0.9 : 1) : 1);

/** A register whose day d rises by kwh[d] evenly over the Stockholm day, read every 3 h. */
function registerReadings(dev: typeof treatedMeter, kwh: number[]): CanonicalReading[] {
  const out: CanonicalReading[] = [];
  const starts = days.map((d) => d.day);
  const end = parsePeriod(days[N - 1]!.date).end;
  let total = 0;
  let d = 0;
  for (let t = starts[0]! - 6 * H; t <= end + 6 * H; t += 3 * H) {
    while (d < N && (d + 1 < N ? starts[d + 1]! : end) <= t) total += kwh[d++]!;
    const dayStart = d < N ? starts[d]! : end;
    const dayEnd = d + 1 < N ? starts[d + 1]! : end;
    const part = d < N && t >= dayStart ? (kwh[d]! * (t - dayStart)) / (dayEnd - dayStart) : 0;
    out.push(reading(dev, 'heat_energy_total', t, 10_000 + total + part));
  }
  return out;
}

/** Hourly temperatures around the day's mean (a daily swing that averages out over 24 hours). */
function temperatureReadings(): CanonicalReading[] {
  const out: CanonicalReading[] = [];
  for (const d of days) {
    const p = parsePeriod(d.date);
    const hours = Math.round((p.end - p.start) / H);
    for (let h = 0; h < hours; h++) out.push(reading(sensor, 'temperature', p.start + h * H + 10 * 60_000, Math.round((d.temperature + (hours === 24 ? 3 * Math.sin((2 * Math.PI * h) / 24) : 0)) * 100) / 100));
  }
  return out;
}

const treatedKwh = days.map((d, i) => d.kwh * factor(i, true));
const controlKwh = controlDays.map((d, i) => d.kwh * factor(i, false));
let source: ReadingSource;
let store: DuckDbStore;
beforeAll(async () => {
  ({ source, store } = await sourceWith(devices, [...registerReadings(treatedMeter, treatedKwh), ...registerReadings(controlMeter, controlKwh), ...temperatureReadings()]));
}, 120_000);
afterAll(async () => store.close());

const [measure] = parseMeasures(
  JSON.stringify({
    measures: [
      { id: 'skolan-styrsystem', tenant: TENANT, name: { sv: 'Nytt styrsystem, Skolan', en: 'New control system, the school' }, kind: 'control_system', buildings: ['skolan'], date: '2025-01-01', reporting: { from: '2025-01-01', to: '2025-04-01' }, controlBuildings: ['kontrollhuset'] },
    ],
  }),
);

describe('measured effect on a real store', () => {
  it('daily energy is energy_use of each day (rollups and raw series alike); temperatures give degree_days', async () => {
    const from = parsePeriod('2024-03-01').start;
    const to = parsePeriod('2024-04-01').end; // March 2024 with its DST day, and the 1st of April
    const daily = await dailyEnergy(source, metersOf(devices, TENANT, ['skolan']), { tenant: TENANT, from, to });
    const { source: raw, store: rawStore } = await sourceWith(devices, registerReadings(treatedMeter, treatedKwh).filter((r) => Date.parse(r.observedAt) > from - 72 * H && Date.parse(r.observedAt) < to + 72 * H), { raw: true });
    const rawDaily = await dailyEnergy(raw, metersOf(devices, TENANT, ['skolan']), { tenant: TENANT, from, to });
    await rawStore.close();
    expect(daily.size).toBe(32);
    for (const day of periodsBetween('day', from, to)) {
      const ctx = contextFor({ tenant: TENANT, period: day, source, devices }, { energy_use: energyUse });
      const v = (await energyUse.compute(ctx)).find((x) => x.entity === 'skolan')!;
      expect(daily.get(day.start)!.kwh).toBeCloseTo(v.value, 6);
      expect(daily.get(day.start)!.coverage).toBeCloseTo(v.coverage, 9);
      expect(rawDaily.get(day.start)!.kwh).toBeCloseTo(v.value, 6);
    }
    const temps = await dailyTemperatures(source, devices, { tenant: TENANT, from, to: parsePeriod('2024-03').end });
    const dd = (await degreeDays.compute(contextFor({ tenant: TENANT, period: parsePeriod('2024-03'), source, devices }, {})))[0]!;
    expect(temps.size).toBe(31);
    expect([...temps.values()].reduce((s, t) => s + Math.max(0, 17 - t), 0)).toBeCloseTo(dd.value, 9);
  }, 60_000);

  it('fits the baseline, finds the avoided energy with its uncertainty, and nets out the control group', async () => {
    const e = await measureEffect(source, devices, measure!);
    const t = e.treated;
    expect(t.baseline).toMatchObject({ days: 365, daysUsed: 365, sufficient: true });
    expect(t.reporting).toMatchObject({ days: 90, daysUsed: 90 });
    expect(t.model).toMatchObject({ kind: 'hdd', parameters: 3 });
    expect(Math.abs(t.model!.balancePoint! - 15)).toBeLessThanOrEqual(1);
    expect(t.model!.hddSlope! / 12).toBeCloseTo(1, 1);
    // predicted − actual over the reporting days, by definition
    expect(t.avoidedKwh).toBeCloseTo(t.predictedKwh - t.actualKwh, 6);
    // the registers are read every 3 h: the interval across midnight is split linearly, so a day gets close to its own kWh
    expect(t.actualKwh / treatedKwh.slice(MEASURE).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 3);
    // 1 − 0.95 · 0.9 = 14.5 % less than the model says; the control building 5 %
    expect(t.avoidedKwh / t.predictedKwh).toBeCloseTo(0.145, 1);
    expect(e.control!.savingsShare).toBeCloseTo(0.05, 1);
    // net of the control group: 14.5 % − 5 % ≈ 9.5 % of the prediction
    expect(e.avoidedShare).toBeCloseTo(0.095, 1);
    expect(Math.abs(e.avoidedShare - 0.095)).toBeLessThan(2 * e.uncertainty90Kwh / t.predictedKwh + 0.01);
    expect(e.uncertainty68Kwh).toBeGreaterThan(0);
    expect(e.uncertainty90Kwh).toBeGreaterThan(e.uncertainty68Kwh);
    expect(e.uncertainty68Kwh).toBeGreaterThanOrEqual(t.uncertainty68Kwh);
    expect(e.criteria.cvrmse.value).toBeGreaterThan(0);
    expect(e.criteria.cvrmse.threshold).toBe(0.3);
    expect(Math.abs(e.criteria.nmbe.value)).toBeLessThan(1e-9); // OLS with an intercept
    expect(e.passes).toBe(true);
    console.log('effect', JSON.stringify({ avoided: e.avoidedKwh, share: e.avoidedShare, u68: e.uncertainty68Kwh, u90: e.uncertainty90Kwh, model: t.model, stats: t.statistics, control: e.control!.savingsShare }));
  }, 60_000);

  it('a reporting period cut short (`until`) counts only its days; no data means no pass', async () => {
    const e = await measureEffect(source, devices, measure!, { until: parsePeriod('2025-02-01').start });
    expect(e.treated.reporting).toMatchObject({ days: 31, daysUsed: 31 });
    const empty = await measureEffect(source, devices, { ...measure!, date: '2027-01-01', reporting: undefined, controlBuildings: undefined });
    expect(empty.treated.baseline.daysUsed).toBe(0);
    expect(empty.treated.model).toBeUndefined();
    expect(empty.passes).toBe(false);
  }, 60_000);
});
