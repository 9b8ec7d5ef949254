import { DateTime } from 'luxon';
import { ALL, byEntity, makeValue } from '../energy/common.js';
import { ZONE } from '../periods.js';
import type { Indicator, IndicatorValue } from '../types.js';
import { measureEffect } from './effect.js';
import { periodsOf, type Measure } from './measures.js';

/**
 * campaign_savings — measured energy saved by the behaviour campaigns, % of what
 * the buildings would have used without them (Kalmar: "publika kampanjer visar att
 * 10–20 % minskad energianvändning kan uppnås").
 *
 * The campaigns are the tenant's measures of kind `campaign` in MEASURES_FILE
 * (settings.measures, set by the app). For each whose reporting period overlaps
 * the indicator's period, the measured effect (effect.ts: CalTRACK daily baseline
 * model, IPMVP Option C, with its control group if it has one) is evaluated over
 * that overlap only, so a quarter shows the quarter's savings. Per campaign
 * (entity = the measure id): avoided / predicted × 100; '*' = Σ avoided /
 * Σ predicted × 100 over the campaigns whose model passes ASHRAE Guideline 14's
 * criteria (the others are listed in details, not counted).
 * Coverage = the share of the overlap's days with data (the campaign's reporting
 * days used); a campaign that fails the criteria is insufficient, and '*' without
 * a passing campaign is insufficient with a note.
 */
export const CAMPAIGN_SAVINGS_ID = 'campaign_savings';

const isoDay = (t: number) => DateTime.fromMillis(t, { zone: ZONE }).toISODate()!;

/** The measure with its reporting period cut to [from, to), or undefined when they do not overlap. */
export function withinPeriod(m: Measure, from: number, to: number): Measure | undefined {
  const r = periodsOf(m).reporting;
  const a = Math.max(r.from, from);
  const b = Math.min(r.to, to);
  return a < b ? { ...m, reporting: { from: isoDay(a), to: isoDay(b) } } : undefined;
}

export const campaignSavings: Indicator = {
  id: CAMPAIGN_SAVINGS_ID,
  name: { sv: 'Uppmätt besparing av beteendekampanjer', en: 'Measured savings of behaviour campaigns' },
  description: {
    sv: 'Energi som beteendekampanjerna sparat, i procent av vad byggnaderna hade använt utan dem, uppmätt med en baslinjemodell mot graddagar (IPMVP alternativ C, CalTRACK).',
    en: 'Energy the behaviour campaigns saved, as a percentage of what the buildings would have used without them, measured with a baseline model against degree-days (IPMVP Option C, CalTRACK).',
  },
  unit: '%',
  needs: { metrics: ['energy_total', 'heat_energy_total', 'temperature'], kinds: ['electricity_meter', 'heat_meter', 'temperature'] },
  periods: ['month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'higher',
  async compute(ctx) {
    const p = ctx.period;
    const campaigns = (ctx.settings.measures ?? []).filter((m) => m.tenant === ctx.tenant && m.kind === 'campaign');
    const out: IndicatorValue[] = [];
    let avoided = 0;
    let predicted = 0;
    const failing: string[] = [];
    const coverages: number[] = [];
    for (const m of campaigns) {
      const cut = withinPeriod(m, p.start, p.end);
      if (!cut) continue;
      const e = await measureEffect(ctx.source, ctx.devices, cut, { minCoverage: ctx.settings.minCoverage });
      const days = e.treated.reporting.days;
      const coverage = days > 0 ? e.treated.reporting.daysUsed / days : 0;
      const details = { avoided_kwh: e.avoidedKwh, predicted_kwh: e.treated.predictedKwh, uncertainty68_kwh: Number.isFinite(e.uncertainty68Kwh) ? e.uncertainty68Kwh : -1, passes: e.passes ? 1 : 0, from: cut.reporting!.from, to: cut.reporting!.to };
      out.push(makeValue(ctx, { indicator: CAMPAIGN_SAVINGS_ID, unit: '%', entity: m.id, value: 100 * e.avoidedShare, coverage, details, insufficient: !e.passes }));
      if (!e.passes) {
        failing.push(m.id);
        continue;
      }
      avoided += e.avoidedKwh;
      predicted += e.treated.predictedKwh;
      coverages.push(coverage);
    }
    const details: Record<string, number | string> = { campaigns: out.length, counted: coverages.length, avoided_kwh: avoided, predicted_kwh: predicted };
    if (failing.length) details.failing = failing.join(',');
    if (coverages.length === 0) details.note = campaigns.length === 0 ? 'no campaign measures in MEASURES_FILE' : 'no campaign with a model that passes the fit criteria in the period';
    const coverage = coverages.length ? coverages.reduce((s, c) => s + c, 0) / coverages.length : 0;
    out.push(makeValue(ctx, { indicator: CAMPAIGN_SAVINGS_ID, unit: '%', entity: ALL, value: predicted > 0 ? (100 * avoided) / predicted : 0, coverage, details, insufficient: predicted <= 0 }));
    return out.sort(byEntity);
  },
};
