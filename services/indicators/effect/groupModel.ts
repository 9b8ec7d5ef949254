import type { Device } from '../../registry/deviceRegistry.js';
import type { ReadingSource } from '../types.js';
import { DEFAULT_FIT, fitBaseline, predict, type BaselineModel, type DayPoint, type FitOptions } from './baselineModel.js';
import { dailyEnergy, metersOf, type MeterChoice } from './dailyEnergy.js';
import { fitStatistics, savingsUncertainty, type FitStatistics } from './fitCriteria.js';

/**
 * One group of buildings through the method: its days of the baseline and the
 * reporting period (a day counts when its meters cover at least `minCoverage` of
 * it and its outdoor temperature is measured), the baseline model, its
 * Guideline 14 statistics, the counterfactual of the reporting days and the
 * avoided energy with its uncertainty at 68 % and 90 %.
 */

/** CalTRACK's data sufficiency: a baseline of 365 days of which at least 90 % have data. */
export const MIN_BASELINE_DAY_SHARE = 0.9;

export interface GroupResult {
  buildings: string[];
  meters: number;
  baseline: { from: number; to: number; days: number; daysUsed: number; sufficient: boolean };
  reporting: { from: number; to: number; days: number; daysUsed: number };
  model?: BaselineModel;
  statistics?: FitStatistics;
  /** Over the reporting days used. */
  actualKwh: number;
  predictedKwh: number;
  avoidedKwh: number;
  uncertainty68Kwh: number;
  uncertainty90Kwh: number;
  /** The reporting days (for the control group's correction and the details): day, actual, predicted. */
  days: Array<{ day: number; kwh: number; predicted: number }>;
}

/** A building with cooling: a `cooling_meter` at one of the sites, or a device there with `params.cooling` true; its baseline model then tries cooling degree-days too. */
export function hasCooling(devices: Device[], tenant: string, buildings: string[]): boolean {
  return devices.some((d) => d.tenant === tenant && d.site !== undefined && buildings.includes(d.site) && (d.kind === 'cooling_meter' || d.params?.cooling === true || d.params?.cooling === 'true'));
}

export async function groupResult(
  source: ReadingSource,
  devices: Device[],
  q: { tenant: string; buildings: string[]; meters: MeterChoice; baseline: { from: number; to: number }; reporting: { from: number; to: number }; temperatures: Map<number, number>; minCoverage: number; fit?: Partial<FitOptions> },
): Promise<GroupResult> {
  const meters = metersOf(devices, q.tenant, q.buildings, q.meters);
  const usable = (span: { from: number; to: number }, energy: Awaited<ReturnType<typeof dailyEnergy>>) => {
    const out: DayPoint[] = [];
    for (const [day, e] of energy) {
      const t = q.temperatures.get(day);
      if (day >= span.from && day < span.to && t !== undefined && e.coverage >= q.minCoverage) out.push({ day, kwh: e.kwh, temperature: t });
    }
    return out.sort((a, b) => a.day - b.day);
  };
  const energyBase = await dailyEnergy(source, meters, { tenant: q.tenant, ...q.baseline });
  const energyRep = await dailyEnergy(source, meters, { tenant: q.tenant, ...q.reporting });
  const base = usable(q.baseline, energyBase);
  const rep = usable(q.reporting, energyRep);
  const out: GroupResult = {
    buildings: q.buildings,
    meters: meters.length,
    baseline: { ...q.baseline, days: energyBase.size, daysUsed: base.length, sufficient: energyBase.size >= 365 && base.length >= MIN_BASELINE_DAY_SHARE * energyBase.size },
    reporting: { ...q.reporting, days: energyRep.size, daysUsed: rep.length },
    actualKwh: 0,
    predictedKwh: 0,
    avoidedKwh: 0,
    uncertainty68Kwh: Number.POSITIVE_INFINITY,
    uncertainty90Kwh: Number.POSITIVE_INFINITY,
    days: [],
  };
  if (base.length < 4) return out;
  const model = fitBaseline(base, { ...DEFAULT_FIT, ...q.fit, cooling: q.fit?.cooling ?? hasCooling(devices, q.tenant, q.buildings) });
  const statistics = fitStatistics(base.map((p) => p.kwh), base.map((p) => predict(model, p.temperature)), model.parameters);
  out.model = model;
  out.statistics = statistics;
  out.days = rep.map((p) => ({ day: p.day, kwh: p.kwh, predicted: predict(model, p.temperature) }));
  out.actualKwh = out.days.reduce((s, d) => s + d.kwh, 0);
  out.predictedKwh = out.days.reduce((s, d) => s + d.predicted, 0);
  out.avoidedKwh = out.predictedKwh - out.actualKwh;
  out.uncertainty68Kwh = savingsUncertainty(statistics, rep.length, out.predictedKwh, 0.68);
  out.uncertainty90Kwh = savingsUncertainty(statistics, rep.length, out.predictedKwh, 0.9);
  return out;
}
