import type { Status } from '../indicators/targets/targets.js';
import type { CarbonBudget } from './carbonBudget.js';
import type { TargetFinance } from './finance.js';
import type { BaselineSource } from './targetBaseline.js';

export type Lang = 'sv' | 'en';

/** One point of an indicator's history in the report. */
export interface ReportPoint {
  period: string;
  /** Start of the period, ISO (for the x axis). */
  start: string;
  value?: number;
  trajectory?: number;
  coverage: number;
  sufficient: boolean;
  status: Status;
}

export interface ReportTarget {
  id: string;
  name: string;
  indicator: string;
  indicatorName: string;
  unit: string;
  source: string;
  baselineYear: number;
  /** Where the baselines of the shown quarters come from (targets file, measured, imported yearly figure with its source), distinct ones. */
  baselineSources?: BaselineSource[];
  baselineValue?: number;
  targetYear: number;
  /** The goal in the indicator's unit, when known. */
  targetValue?: number;
  better: 'lower' | 'higher';
  /** Status in the report's quarter. */
  status: Status;
  current?: ReportPoint;
  previous?: ReportPoint;
  /** The quarter and the quarters before it (oldest first), for the chart. */
  history: ReportPoint[];
  /** Plain-language sentence on what changed since the previous quarter. */
  change: string;
  /** Quarter, year to date, the year's budget (trajectory), deviation and forecast (finance.ts). */
  finance: TargetFinance;
}

export interface ReportQuality {
  /** Share of registered devices that reported in the quarter, 0..1. */
  deviceCoverage?: number;
  devicesRegistered: number;
  devicesReporting: number;
  /** Share of messages dead-lettered, 0..1. */
  deadLetterShare?: number;
  gaps?: number;
  notes: string[];
}

/** Everything the follow-up report shows; the renderer only formats it. */
export interface ReportData {
  city: string;
  cityName: string;
  contract: string;
  quarter: string;
  lang: Lang;
  generatedAt: string;
  targets: ReportTarget[];
  /** Emissions allowed this year against emitted so far, per emissions target (carbonBudget.ts). */
  carbonBudget: CarbonBudget[];
  quality: ReportQuality;
  /** Other indicators worth a look (no target), with their quarter value. */
  indicators: Array<{ id: string; name: string; unit: string; value?: number; coverage: number; sufficient: boolean }>;
  /** Measured effect of the city's measures up to the quarter's end (MEASURES_FILE); absent when none are configured. */
  effects?: ReportEffect[];
  /** The city's tenant's data is the simulated demo history of `npm start` (services/demo): said at the top of the report. */
  demo?: { from: string; to: string; note: string };
}

/** One measure's measured effect (services/indicators/effect), as the report shows it. */
export interface ReportEffect {
  id: string;
  name: string;
  kind: 'renovation' | 'campaign' | 'control_system' | 'other';
  buildings: string[];
  controlBuildings?: string[];
  /** Stockholm dates, YYYY-MM-DD; the reporting period runs from reportingFrom to reportingTo, both included. */
  date: string;
  reportingFrom: string;
  reportingTo: string;
  days: number;
  daysUsed: number;
  model: 'hdd' | 'cdd' | 'hdd_cdd' | 'intercept_only' | 'none';
  balancePoint?: number;
  /** CDD and HDD + CDD models (a building with cooling). */
  coolingBalancePoint?: number;
  predictedKwh: number;
  actualKwh: number;
  /** Net of the control group when there is one. */
  avoidedKwh: number;
  avoidedShare: number;
  uncertainty68Kwh?: number;
  uncertainty90Kwh?: number;
  cvrmse?: number;
  nmbe?: number;
  cvrmseThreshold: number;
  nmbeThreshold: number;
  /** The control group's own relative change against its model. */
  controlSavingsShare?: number;
  passes: boolean;
  /** Criteria not met: cvrmse, nmbe, uncertainty68, baselineData, reportingData. */
  failed: string[];
}
