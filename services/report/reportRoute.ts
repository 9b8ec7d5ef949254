import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { HttpResponse } from '../http/httpServer.js';
import type { IndicatorEngine } from '../indicators/engine.js';
import { parsePeriod, periodOf, type Period } from '../indicators/periods.js';
import type { CityTargets } from '../indicators/targets/targets.js';
import type { IndicatorSettings } from '../indicators/types.js';
import { buildReportData } from './buildReport.js';
import type { Lang } from './reportData.js';
import { renderHtml } from './renderHtml.js';

export interface ReportRouteOptions {
  /** The city when the request names none (REPORT_CITY). */
  defaultCity: string;
  /** The targets of a city; a ConfigError for an unknown one (its message names no path). */
  targetsFor(city: string): CityTargets;
  /** An engine computing with the city's settings. */
  engine(settings: Partial<IndicatorSettings>): IndicatorEngine;
  /** Devices registered for the tenant (shown in the report). */
  devicesRegistered(tenant: string): number;
  logger: Logger;
}

/** `GET /report?city=kalmar&quarter=2025Q3&lang=sv|en`: the quarterly follow-up as HTML (this quarter by default). */
export function reportRoute(o: ReportRouteOptions): (url: URL) => Promise<HttpResponse> {
  return async (url) => {
    const city = url.searchParams.get('city') ?? o.defaultCity;
    const lang = (url.searchParams.get('lang') ?? 'sv') as Lang;
    if (lang !== 'sv' && lang !== 'en') return { status: 400, body: { error: 'lang: sv or en' } };
    let targets: CityTargets;
    let quarter: Period;
    try {
      quarter = url.searchParams.get('quarter') ? parsePeriod(url.searchParams.get('quarter')!) : periodOf('quarter', Date.now());
      if (quarter.kind !== 'quarter') throw new Error('quarter: expected e.g. 2025Q3');
    } catch (err) {
      return { status: 400, body: { error: (err as Error).message } };
    }
    try {
      targets = o.targetsFor(city);
    } catch (err) {
      if (err instanceof ConfigError) return { status: 400, body: { error: err.message } };
      // A broken targets file is the operator's to fix: logged, and no server path in the answer.
      o.logger.error({ city, err: (err as Error).message }, 'targets file unreadable');
      return { status: 500, body: { error: `the targets of ${city} could not be read` } };
    }
    const data = await buildReportData({ engine: o.engine(targets.settings as Partial<IndicatorSettings>), targets, quarter, lang, devicesRegistered: o.devicesRegistered(targets.tenant) });
    return { status: 200, body: renderHtml(data), contentType: 'text/html; charset=utf-8' };
  };
}
