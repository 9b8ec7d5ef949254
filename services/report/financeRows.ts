/**
 * The finance view as flat rows, one per target, shared by the finance CSV and
 * the xlsx summary sheet: a stable column code (CSV header, locale-free) and a
 * header in the report's language (xlsx). Values are numbers, booleans or
 * codes; nothing is formatted here.
 */
import { baselineSourceCode } from './baselineLabels.js';
import type { FinanceLabels } from './financeLabels.js';
import type { ReportTarget } from './reportData.js';

export type Cell = string | number | boolean | undefined;

export interface FinanceColumn {
  key: string;
  header: (F: FinanceLabels) => string;
  get: (t: ReportTarget) => Cell;
  /** How xlsx shows it: a share as a percentage, a value with the unit's decimals. */
  kind?: 'share' | 'value';
}

const C = (F: FinanceLabels) => F.columns;

export const FINANCE_COLUMNS: FinanceColumn[] = [
  { key: 'target_id', header: () => 'id', get: (t) => t.id },
  { key: 'target', header: (F) => C(F).target, get: (t) => t.name },
  { key: 'unit', header: (F) => C(F).unit, get: (t) => t.unit },
  { key: 'aggregate', header: (F) => C(F).aggregate, get: (t) => t.finance.aggregate },
  { key: 'status', header: (F) => C(F).status, get: (t) => t.status },
  { key: 'quarter_value', header: (F) => C(F).quarter, get: (t) => t.finance.quarter.value, kind: 'value' },
  { key: 'quarter_budget', header: (F) => C(F).quarterBudget, get: (t) => t.finance.quarter.budget, kind: 'value' },
  { key: 'quarter_deviation', header: (F) => `${C(F).deviation} (${C(F).quarter})`, get: (t) => t.finance.quarter.deviation, kind: 'value' },
  { key: 'quarter_deviation_share', header: (F) => `${C(F).deviationShare} (${C(F).quarter})`, get: (t) => t.finance.quarter.deviationShare, kind: 'share' },
  { key: 'ytd_value', header: (F) => C(F).ytd, get: (t) => t.finance.ytd.value, kind: 'value' },
  { key: 'ytd_budget', header: (F) => C(F).ytdBudget, get: (t) => t.finance.ytd.budget, kind: 'value' },
  { key: 'ytd_deviation', header: (F) => C(F).ytdDeviation, get: (t) => t.finance.ytd.deviation, kind: 'value' },
  { key: 'ytd_deviation_share', header: (F) => `${C(F).ytdDeviation} %`, get: (t) => t.finance.ytd.deviationShare, kind: 'share' },
  { key: 'ytd_sufficient', header: (F) => `${C(F).sufficient} (${C(F).ytd})`, get: (t) => t.finance.ytd.sufficient },
  { key: 'year_budget', header: (F) => C(F).yearBudget, get: (t) => t.finance.yearBudget, kind: 'value' },
  { key: 'forecast', header: (F) => C(F).forecast, get: (t) => t.finance.forecast?.value, kind: 'value' },
  { key: 'forecast_low', header: (F) => `${C(F).interval} min`, get: (t) => t.finance.forecast?.low, kind: 'value' },
  { key: 'forecast_high', header: (F) => `${C(F).interval} max`, get: (t) => t.finance.forecast?.high, kind: 'value' },
  { key: 'forecast_deviation', header: (F) => C(F).forecastDeviation, get: (t) => t.finance.forecast?.deviation, kind: 'value' },
  { key: 'forecast_deviation_share', header: (F) => `${C(F).forecastDeviation} %`, get: (t) => t.finance.forecast?.deviationShare, kind: 'share' },
  { key: 'forecast_note', header: (F) => `${C(F).forecast} –`, get: (t) => t.finance.noForecast ?? (t.finance.forecast?.estimatedQuarters.length ? `estimated:${t.finance.forecast.estimatedQuarters.join(' ')}` : undefined) },
  { key: 'previous_period', header: (F) => C(F).period, get: (t) => t.finance.sincePrevious.period },
  { key: 'previous_status', header: (F) => C(F).previousStatus, get: (t) => t.finance.sincePrevious.previousStatus },
  { key: 'value_change', header: (F) => C(F).valueChange, get: (t) => t.finance.sincePrevious.valueChange, kind: 'value' },
  { key: 'value_change_share', header: (F) => C(F).valueChangeShare, get: (t) => t.finance.sincePrevious.valueChangeShare, kind: 'share' },
  { key: 'baseline_source', header: (F) => C(F).baselineSource, get: (t) => baselineSourceCode(t) },
];
