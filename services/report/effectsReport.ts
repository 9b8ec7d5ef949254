import { DateTime } from 'luxon';
import type { MeasureEffect } from '../indicators/effect/effect.js';
import { ZONE } from '../indicators/periods.js';
import type { ReportEffect } from './reportData.js';

const date = (t: number) => DateTime.fromMillis(t, { zone: ZONE }).toISODate()!;
const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : undefined);

/** A measure's effect as the report shows it (numbers only: the renderer words them). */
export function reportEffect(e: MeasureEffect): ReportEffect {
  const t = e.treated;
  const cv = finite(e.criteria.cvrmse.value);
  const nmbe = finite(e.criteria.nmbe.value);
  const u68 = finite(e.uncertainty68Kwh);
  const u90 = finite(e.uncertainty90Kwh);
  return {
    id: e.measure.id,
    name: '',
    kind: e.measure.kind,
    buildings: e.measure.buildings,
    ...(e.measure.controlBuildings ? { controlBuildings: e.measure.controlBuildings } : {}),
    date: e.measure.date,
    reportingFrom: date(t.reporting.from),
    reportingTo: date(t.reporting.to - 1),
    days: t.reporting.days,
    daysUsed: t.reporting.daysUsed,
    model: t.model?.kind ?? 'none',
    ...(t.model?.balancePoint !== undefined ? { balancePoint: t.model.balancePoint } : {}),
    ...(t.model?.coolingBalancePoint !== undefined ? { coolingBalancePoint: t.model.coolingBalancePoint } : {}),
    predictedKwh: t.predictedKwh,
    actualKwh: t.actualKwh,
    avoidedKwh: e.avoidedKwh,
    avoidedShare: e.avoidedShare,
    ...(u68 !== undefined ? { uncertainty68Kwh: u68 } : {}),
    ...(u90 !== undefined ? { uncertainty90Kwh: u90 } : {}),
    ...(cv !== undefined ? { cvrmse: cv } : {}),
    ...(nmbe !== undefined ? { nmbe } : {}),
    cvrmseThreshold: e.criteria.cvrmse.threshold,
    nmbeThreshold: e.criteria.nmbe.threshold,
    ...(e.control ? { controlSavingsShare: e.control.savingsShare } : {}),
    passes: e.passes,
    failed: Object.entries(e.criteria).filter(([, c]) => !c.pass).map(([k]) => k),
  };
}

/** The report's effects in its language (names from the measures file). */
export function reportEffects(effects: MeasureEffect[], lang: 'sv' | 'en'): ReportEffect[] {
  return effects.map((e) => ({ ...reportEffect(e), name: e.measure.name[lang] }));
}
