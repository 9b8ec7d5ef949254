import type { Device } from '../../registry/deviceRegistry.js';
import { DEFAULT_SETTINGS, type ReadingSource } from '../types.js';
import { dailyTemperatures } from './dailyTemperature.js';
import { DAILY_THRESHOLDS } from './fitCriteria.js';
import { groupResult, type GroupResult } from './groupModel.js';
import { balancePointsOf, periodsOf, type Measure } from './measures.js';

/**
 * The measured effect of a measure (IPMVP Option C, CalTRACK daily method):
 * the buildings' baseline model predicts what they would have used in the
 * reporting period without the measure; avoided energy = predicted − actual over
 * the reporting days with data, with Guideline 14's uncertainty.
 *
 * With control buildings (without the measure), their own model's relative
 * residual in the reporting period, c = (predicted_c − actual_c) / predicted_c,
 * is what changed for everyone (prices, a cold snap the model misses, a
 * campaign elsewhere): net avoided = avoided − c · predicted (difference in
 * differences on model residuals), its uncertainty the two combined in
 * quadrature (independent errors).
 */

export interface Criterion {
  value: number;
  threshold: number;
  pass: boolean;
}

export interface MeasureEffect {
  measure: Pick<Measure, 'id' | 'tenant' | 'name' | 'kind' | 'buildings' | 'date' | 'meters'> & { controlBuildings?: string[] };
  /** The last day (exclusive) the reporting period was evaluated to: the period's end, or `until` when earlier. */
  evaluatedTo: number;
  treated: GroupResult;
  control?: GroupResult & { savingsShare: number };
  /** avoided (net of the control group when there is one), kWh. */
  avoidedKwh: number;
  /** avoided / predicted. */
  avoidedShare: number;
  uncertainty68Kwh: number;
  uncertainty90Kwh: number;
  criteria: { cvrmse: Criterion; nmbe: Criterion; uncertainty68: Criterion; baselineData: Criterion; reportingData: Criterion };
  /** All criteria met. */
  passes: boolean;
}

export async function measureEffect(source: ReadingSource, devices: Device[], m: Measure, o: { until?: number; minCoverage?: number } = {}): Promise<MeasureEffect> {
  const periods = periodsOf(m);
  const reporting = { from: periods.reporting.from, to: Math.max(periods.reporting.from, Math.min(periods.reporting.to, o.until ?? Infinity)) };
  const temperatures = await dailyTemperatures(source, devices, { tenant: m.tenant, from: periods.baseline.from, to: Math.max(reporting.to, periods.baseline.to) });
  const bp = balancePointsOf(m);
  const common = { tenant: m.tenant, meters: m.meters, baseline: periods.baseline, reporting, temperatures, minCoverage: o.minCoverage ?? DEFAULT_SETTINGS.minCoverage, ...(bp ? { fit: { balancePoints: bp } } : {}) };
  const treated = await groupResult(source, devices, { ...common, buildings: m.buildings });
  let avoided = treated.avoidedKwh;
  let u68 = treated.uncertainty68Kwh;
  let u90 = treated.uncertainty90Kwh;
  let control: MeasureEffect['control'];
  if (m.controlBuildings) {
    const c = await groupResult(source, devices, { ...common, buildings: m.controlBuildings });
    const share = c.predictedKwh > 0 ? c.avoidedKwh / c.predictedKwh : 0;
    control = { ...c, savingsShare: share };
    const scale = c.predictedKwh > 0 ? treated.predictedKwh / c.predictedKwh : 0;
    avoided = treated.avoidedKwh - share * treated.predictedKwh;
    u68 = Math.hypot(treated.uncertainty68Kwh, c.uncertainty68Kwh * scale);
    u90 = Math.hypot(treated.uncertainty90Kwh, c.uncertainty90Kwh * scale);
  }
  const st = treated.statistics;
  const fsu68 = avoided !== 0 ? Math.abs(u68 / avoided) : Number.POSITIVE_INFINITY;
  const reportingShare = treated.reporting.days > 0 ? treated.reporting.daysUsed / treated.reporting.days : 0;
  const criteria = {
    cvrmse: { value: st?.cvrmse ?? NaN, threshold: DAILY_THRESHOLDS.cvrmse, pass: st !== undefined && st.cvrmse <= DAILY_THRESHOLDS.cvrmse },
    nmbe: { value: st?.nmbe ?? NaN, threshold: DAILY_THRESHOLDS.nmbe, pass: st !== undefined && Math.abs(st.nmbe) <= DAILY_THRESHOLDS.nmbe },
    uncertainty68: { value: fsu68, threshold: DAILY_THRESHOLDS.savingsUncertaintyAt68, pass: fsu68 < DAILY_THRESHOLDS.savingsUncertaintyAt68 },
    baselineData: { value: treated.baseline.days ? treated.baseline.daysUsed / treated.baseline.days : 0, threshold: 0.9, pass: treated.baseline.sufficient },
    reportingData: { value: reportingShare, threshold: DEFAULT_SETTINGS.minCoverage, pass: reportingShare >= DEFAULT_SETTINGS.minCoverage && (!control || (control.reporting.days > 0 && control.reporting.daysUsed / control.reporting.days >= DEFAULT_SETTINGS.minCoverage && control.baseline.sufficient)) },
  };
  return {
    measure: { id: m.id, tenant: m.tenant, name: m.name, kind: m.kind, buildings: m.buildings, date: m.date, meters: m.meters, ...(m.controlBuildings ? { controlBuildings: m.controlBuildings } : {}) },
    evaluatedTo: reporting.to,
    treated,
    ...(control ? { control } : {}),
    avoidedKwh: avoided,
    avoidedShare: treated.predictedKwh > 0 ? avoided / treated.predictedKwh : 0,
    uncertainty68Kwh: u68,
    uncertainty90Kwh: u90,
    criteria,
    passes: Object.values(criteria).every((c) => c.pass),
  };
}

/** The effects of a tenant's measures whose reporting period has started by `until`, evaluated up to `until` (a report's quarter end). */
export async function effectsUntil(source: ReadingSource, devices: Device[], measures: Measure[], tenant: string, until: number): Promise<MeasureEffect[]> {
  const out: MeasureEffect[] = [];
  for (const m of measures) if (m.tenant === tenant && periodsOf(m).reporting.from < until) out.push(await measureEffect(source, devices, m, { until }));
  return out;
}
