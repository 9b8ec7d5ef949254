import type { FigureStore, IndicatorStore } from '../core/storePorts.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { HttpResponse } from '../http/httpServer.js';
import type { IndicatorEngine } from '../indicators/engine.js';
import { parsePeriod, periodOf, type Period } from '../indicators/periods.js';
import type { CityTargets } from '../indicators/targets/targets.js';
import type { IndicatorSettings } from '../indicators/types.js';
import type { MeasureEffect } from '../indicators/effect/effect.js';
import { buildReportData } from './buildReport.js';
import { ReportValues, type MarkClock } from './reportValues.js';
import type { Lang, ReportData } from './reportData.js';
import { renderCsv, renderFinanceCsv, renderJson } from './renderCsv.js';
import { renderHtml } from './renderHtml.js';
import { renderXlsx, XLSX_CONTENT_TYPE } from './renderXlsx.js';

export interface ReportRouteOptions {
  /** The city when the request names none (REPORT_CITY). */
  defaultCity: string;
  /** The targets of a city; a ConfigError for an unknown one (its message names no path). */
  targetsFor(city: string): CityTargets;
  /** An engine computing with the city's settings. */
  engine(settings: Partial<IndicatorSettings>): IndicatorEngine;
  /** Devices registered for the tenant (shown in the report). */
  devicesRegistered(tenant: string): number;
  /** The measured effect of the tenant's measures up to the quarter's end; absent without MEASURES_FILE (no section). */
  effects?(tenant: string, quarter: Period): Promise<MeasureEffect[]>;
  /** The demo history, when `npm start` seeded one (the report of its tenant says "demo data"). */
  demo?(): { tenant: string; from: string; to: string } | undefined;
  /** Imported yearly figures: baselines where the baseline year has no measured value. */
  figures?: FigureStore;
  /** Stored indicator values and the rollups' marks: current stored values are used instead of computing them (reportValues.ts). */
  stored?: { store: IndicatorStore; marks: MarkClock };
  logger: Logger;
}

/**
 * The report data a request asks for (`?city=&quarter=&lang=`, this quarter and
 * REPORT_CITY by default), or the error answer for a bad one.
 */
async function reportDataFor(o: ReportRouteOptions, url: URL): Promise<{ data: ReportData } | { error: HttpResponse }> {
  const city = url.searchParams.get('city') ?? o.defaultCity;
  const lang = (url.searchParams.get('lang') ?? 'sv') as Lang;
  if (lang !== 'sv' && lang !== 'en') return { error: { status: 400, body: { error: 'lang: sv or en' } } };
  let targets: CityTargets;
  let quarter: Period;
  try {
    quarter = url.searchParams.get('quarter') ? parsePeriod(url.searchParams.get('quarter')!) : periodOf('quarter', Date.now());
    if (quarter.kind !== 'quarter') throw new Error('quarter: expected e.g. 2025Q3');
  } catch (err) {
    return { error: { status: 400, body: { error: (err as Error).message } } };
  }
  try {
    targets = o.targetsFor(city);
  } catch (err) {
    if (err instanceof ConfigError) return { error: { status: 400, body: { error: err.message } } };
    // A broken targets file is the operator's to fix: logged, and no server path in the answer.
    o.logger.error({ city, err: (err as Error).message }, 'targets file unreadable');
    return { error: { status: 500, body: { error: `the targets of ${city} could not be read` } } };
  }
  const effects = o.effects ? await o.effects(targets.tenant, quarter) : undefined;
  const demo = o.demo?.();
  const engine = o.engine(targets.settings as Partial<IndicatorSettings>);
  const values = new ReportValues({ engine, tenant: targets.tenant, ...(o.stored ? o.stored : {}) });
  const data = await buildReportData({ engine, values, targets, quarter, lang, devicesRegistered: o.devicesRegistered(targets.tenant), ...(effects ? { effects } : {}), ...(demo?.tenant === targets.tenant ? { demo } : {}), ...(o.figures ? { figures: o.figures } : {}) });
  return { data };
}

const FORMATS = ['html', 'csv', 'finance-csv', 'json', 'xlsx'] as const;
type RouteFormat = (typeof FORMATS)[number];

async function render(data: ReportData, format: RouteFormat): Promise<HttpResponse> {
  switch (format) {
    case 'html':
      return { status: 200, body: renderHtml(data), contentType: 'text/html; charset=utf-8' };
    case 'csv':
      return { status: 200, body: renderCsv(data), contentType: 'text/csv; charset=utf-8' };
    case 'finance-csv':
      return { status: 200, body: renderFinanceCsv(data), contentType: 'text/csv; charset=utf-8' };
    case 'json':
      return { status: 200, body: renderJson(data), contentType: 'application/json; charset=utf-8' };
    case 'xlsx':
      return { status: 200, body: await renderXlsx(data), contentType: XLSX_CONTENT_TYPE };
  }
}

/**
 * `GET /report?city=kalmar&quarter=2025Q3&lang=sv|en&format=html|csv|finance-csv|json|xlsx`:
 * the quarterly follow-up (this quarter, HTML by default) in the format asked for.
 */
export function reportRoute(o: ReportRouteOptions): (url: URL) => Promise<HttpResponse> {
  return async (url) => {
    const format = (url.searchParams.get('format') ?? 'html') as RouteFormat;
    if (!FORMATS.includes(format)) return { status: 400, body: { error: `format: expected one of ${FORMATS.join(', ')}` } };
    const r = await reportDataFor(o, url);
    return 'error' in r ? r.error : render(r.data, format);
  };
}

/**
 * `GET /api/report?city=kalmar&quarter=2025Q3&lang=sv|en`: the same report as data
 * (buildReportData's ReportData as JSON). `klimatpuls report` asks a running server
 * for it when the server holds the embedded DuckDB file, and renders the files itself.
 */
export function reportDataRoute(o: ReportRouteOptions): (url: URL) => Promise<HttpResponse> {
  return async (url) => {
    const r = await reportDataFor(o, url);
    return 'error' in r ? r.error : { status: 200, body: r.data };
  };
}
