import type { FigureStore } from '../core/storePorts.js';
import type { IndicatorEngine } from '../indicators/engine.js';
import { parsePeriod, previous, type Period } from '../indicators/periods.js';
import { statusOf, trajectoryAt, type CityTargets, type Target } from '../indicators/targets/targets.js';
import type { IndicatorValue } from '../indicators/types.js';
import type { MeasureEffect } from '../indicators/effect/effect.js';
import { carbonBudgetOf } from './carbonBudget.js';
import { reportEffects } from './effectsReport.js';
import { defaultAggregate, financeOf, type Aggregate } from './finance.js';
import { sameInYear, TargetBaselines, type Baseline, type BaselineSource } from './targetBaseline.js';
import { ReportValues, type ValueRequest } from './reportValues.js';
import type { Lang, ReportData, ReportPoint, ReportTarget } from './reportData.js';

const HISTORY = 8;

/** The quarters up to and including `q`, oldest first. */
function history(q: Period, n: number): Period[] {
  const out = [q];
  while (out.length < n) out.unshift(previous(out[0]!));
  return out;
}

/** The target's trajectory for period p, undefined without a baseline or before the baseline year. */
async function trajectoryFor(baselines: TargetBaselines, t: Target, p: Period, how: Aggregate): Promise<{ trajectory?: number; baseline?: Baseline }> {
  const baseline = await baselines.of(t, p, how);
  // No trajectory before the baseline year: the follow-up starts there.
  const beforeBaseline = new Date(p.end - 1).getUTCFullYear() < t.baselineYear;
  const trajectory = baseline === undefined || beforeBaseline ? undefined : trajectoryAt(t, p, baseline.value);
  return { ...(trajectory !== undefined ? { trajectory } : {}), ...(baseline !== undefined ? { baseline } : {}) };
}

async function point(values: ReportValues, baselines: TargetBaselines, t: Target, better: 'lower' | 'higher', how: Aggregate, p: Period): Promise<ReportPoint & { baselineFrom?: BaselineSource }> {
  const v = await values.value(t.indicator, p, t.entity);
  const { trajectory, baseline: b } = await trajectoryFor(baselines, t, p, how);
  const baseline = b?.value;
  const sufficient = Boolean(v?.sufficient && Number.isFinite(v.value));
  return {
    period: p.label,
    start: new Date(p.start).toISOString(),
    ...(v && Number.isFinite(v.value) ? { value: v.value } : {}),
    ...(trajectory !== undefined ? { trajectory } : {}),
    coverage: v?.coverage ?? 0,
    sufficient,
    status: statusOf({ actual: v?.value, sufficient, trajectory, baseline, tolerance: t.tolerance, better }),
    ...(b && trajectory !== undefined ? { baselineFrom: b.from } : {}),
  };
}

/** The quarters after `q` in its year. */
function restOfYear(q: Period): Period[] {
  const [year, n] = [q.label.slice(0, 4), Number(q.label.slice(-1))];
  return [1, 2, 3, 4].filter((k) => k > n).map((k) => parsePeriod(`${year}Q${k}`));
}

const STATUS_WORD: Record<Lang, Record<string, string>> = {
  sv: { on_track: 'i fas', behind: 'efter', off_track: 'ur fas', not_enough_data: 'otillräckliga data' },
  en: { on_track: 'on track', behind: 'behind', off_track: 'off track', not_enough_data: 'not enough data' },
};

function changeSentence(lang: Lang, cur?: ReportPoint, prev?: ReportPoint): string {
  const w = STATUS_WORD[lang];
  if (!cur || !cur.sufficient || cur.value === undefined) return lang === 'sv' ? 'Underlaget räcker inte för en bedömning detta kvartal.' : 'There is not enough data for an assessment this quarter.';
  if (!prev || !prev.sufficient || prev.value === undefined) return lang === 'sv' ? `Status: ${w[cur.status]}. Inget jämförbart värde för föregående kvartal.` : `Status: ${w[cur.status]}. No comparable value for the previous quarter.`;
  const pct = prev.value === 0 ? 0 : ((cur.value - prev.value) / Math.abs(prev.value)) * 100;
  const fmt = new Intl.NumberFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: 1, signDisplay: 'always' }).format(pct);
  const moved = cur.status === prev.status
    ? (lang === 'sv' ? `status oförändrad (${w[cur.status]})` : `status unchanged (${w[cur.status]})`)
    : (lang === 'sv' ? `status från ${w[prev.status]} till ${w[cur.status]}` : `status from ${w[prev.status]} to ${w[cur.status]}`);
  return lang === 'sv' ? `${fmt} % mot föregående kvartal; ${moved}.` : `${fmt} % against the previous quarter; ${moved}.`;
}

const QUALITY = ['device_coverage', 'dead_letter_share', 'data_gaps'];

/** What a report of `quarter` asks for, known ahead: each target's quarters and their baseline quarters, the quarter's other indicators. */
function requestsOf(engine: IndicatorEngine, targets: CityTargets, quarter: Period): ValueRequest[] {
  const out: ValueRequest[] = [];
  const quarters = history(quarter, HISTORY);
  for (const t of targets.targets) {
    for (const q of quarters) out.push({ indicator: t.indicator, period: q, entity: t.entity });
    if (t.baselineValue === undefined) for (const q of [...quarters, ...restOfYear(quarter)]) out.push({ indicator: t.indicator, period: sameInYear(q, t.baselineYear), entity: t.entity });
  }
  for (const id of engine.ids()) out.push({ indicator: id, period: quarter, entity: '*' });
  return out;
}

export interface ReportArgs {
  engine: IndicatorEngine;
  targets: CityTargets;
  quarter: Period;
  now?: Date;
  devicesRegistered: number;
  /** The measured effect of the city's measures up to the quarter's end (services/indicators/effect), when MEASURES_FILE is set. */
  effects?: MeasureEffect[];
  demo?: { from: string; to: string };
  /** Imported yearly figures, the baseline of a target whose baseline quarter has no sufficient measured value (targetBaseline.ts). */
  figures?: FigureStore;
  /** Where the values come from (stored when current, else computed: reportValues.ts); without, the engine computes each. */
  values?: ReportValues;
}

/** The report in each language from one set of values (each value looked up or computed once). */
export async function buildReports(args: ReportArgs, langs: readonly Lang[]): Promise<ReportData[]> {
  const values = args.values ?? new ReportValues({ engine: args.engine, tenant: args.targets.tenant });
  const out: ReportData[] = [];
  for (const lang of langs) out.push(await buildReportData({ ...args, values, lang }));
  return out;
}

/** Assembles the quarterly follow-up for a city: targets, trajectories, statuses, data quality. */
export async function buildReportData(args: ReportArgs & { lang: Lang }): Promise<ReportData> {
  const { engine, targets, quarter, lang } = args;
  const tenant = targets.tenant;
  const values = args.values ?? new ReportValues({ engine, tenant });
  await values.prefetch(requestsOf(engine, targets, quarter));
  const baselines = new TargetBaselines({ values, tenant, ...(args.figures ? { figures: args.figures } : {}), reportYear: Number(quarter.label.slice(0, 4)) });
  const quarters = history(quarter, HISTORY);
  const reportTargets: ReportTarget[] = [];
  for (const t of targets.targets) {
    const ind = engine.indicator(t.indicator);
    const how = t.aggregate ?? defaultAggregate(ind.unit);
    const hist: ReportPoint[] = [];
    const baselineSources = new Map<string, BaselineSource>();
    for (const q of quarters) {
      const { baselineFrom, ...pt } = await point(values, baselines, t, ind.better, how, q);
      if (baselineFrom) baselineSources.set(JSON.stringify(baselineFrom), baselineFrom);
      hist.push(pt);
    }
    const current = hist[hist.length - 1]!;
    const prev = hist[hist.length - 2];
    const baselinePoint = hist.find((h) => h.trajectory !== undefined);
    const ahead: Array<number | undefined> = [];
    for (const q of restOfYear(quarter)) ahead.push((await trajectoryFor(baselines, t, q, how)).trajectory);
    reportTargets.push({
      id: t.id,
      name: t.name[lang],
      indicator: t.indicator,
      indicatorName: ind.name[lang],
      unit: ind.unit,
      source: t.source + (t.note ? ` — ${t.note}` : ''),
      baselineYear: t.baselineYear,
      ...(baselineSources.size ? { baselineSources: [...baselineSources.values()] } : {}),
      ...(t.baselineValue !== undefined ? { baselineValue: t.baselineValue } : {}),
      targetYear: t.targetYear,
      ...(t.targetValue !== undefined ? { targetValue: t.targetValue } : baselinePoint?.trajectory !== undefined && t.change !== undefined && t.baselineValue !== undefined ? { targetValue: t.baselineValue * (1 + t.change) } : {}),
      better: ind.better,
      status: current.status,
      current,
      ...(prev ? { previous: prev } : {}),
      history: hist,
      change: changeSentence(lang, current, prev),
      finance: financeOf({ history: hist, ahead, aggregate: how, better: ind.better, ...(ind.unit === '%' ? { range: [0, 100] as const } : {}) }),
    });
  }

  const q1 = async (id: string) => {
    try {
      return await values.value(id, quarter, '*');
    } catch {
      return undefined;
    }
  };
  const cov = await q1('device_coverage');
  const dl = await q1('dead_letter_share');
  const gaps = await q1('data_gaps');
  const notes: string[] = [];
  if (!cov?.sufficient) notes.push(lang === 'sv' ? 'Täckningen av enheter är låg: värdena vilar på en del av enheterna.' : 'Device coverage is low: the figures rest on part of the devices.');
  if (dl && !dl.sufficient) notes.push(lang === 'sv' ? 'Andelen avvisade meddelanden kunde inte beräknas säkert.' : 'The share of rejected messages could not be computed reliably.');
  const insufficient = reportTargets.filter((t) => t.status === 'not_enough_data').length;
  if (insufficient) notes.push(lang === 'sv' ? `${insufficient} av ${reportTargets.length} mål saknar tillräckliga data detta kvartal.` : `${insufficient} of ${reportTargets.length} targets lack sufficient data this quarter.`);

  const used = new Set(targets.targets.map((t) => t.indicator).concat(QUALITY));
  const others: ReportData['indicators'] = [];
  for (const id of engine.ids()) {
    if (used.has(id)) continue;
    const v = await q1(id);
    const ind = engine.indicator(id);
    if (!ind.periods.includes('quarter')) continue;
    others.push({ id, name: ind.name[lang], unit: ind.unit, ...(v && Number.isFinite(v.value) ? { value: v.value } : {}), coverage: v?.coverage ?? 0, sufficient: Boolean(v?.sufficient) });
  }

  return {
    city: targets.city,
    cityName: targets.name[lang],
    contract: targets.contract,
    quarter: quarter.label,
    lang,
    generatedAt: (args.now ?? new Date()).toISOString(),
    targets: reportTargets,
    carbonBudget: carbonBudgetOf(reportTargets),
    quality: {
      ...(cov && Number.isFinite(cov.value) ? { deviceCoverage: cov.value / 100 } : {}),
      devicesRegistered: args.devicesRegistered,
      devicesReporting: Number(cov?.details?.reporting ?? Math.round(((cov?.value ?? 0) / 100) * args.devicesRegistered)),
      ...(dl && Number.isFinite(dl.value) && dl.sufficient ? { deadLetterShare: dl.value / 100 } : {}),
      ...(gaps && Number.isFinite(gaps.value) ? { gaps: gaps.value } : {}),
      notes,
    },
    indicators: others,
    ...(args.effects ? { effects: reportEffects(args.effects, lang) } : {}),
    ...(args.demo ? { demo: { from: args.demo.from, to: args.demo.to, note: demoNote(lang, args.demo) } } : {}),
  };
}

function demoNote(lang: Lang, d: { from: string; to: string }): string {
  const f = d.from.slice(0, 10);
  const t = d.to.slice(0, 10);
  return lang === 'sv'
    ? `Demodata: värdena bygger på simulerade mätningar från demostaden (services/demo), historik ${f}–${t}, skapad när Klimatpuls startade på en tom datakatalog. De är inte stadens verkliga siffror.`
    : `Demo data: the values rest on simulated readings of the demo city (services/demo), history ${f} to ${t}, seeded when Klimatpuls started on an empty data directory. They are not the city's real figures.`;
}
