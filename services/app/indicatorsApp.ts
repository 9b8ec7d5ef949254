import { resolve } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { targetsDir, type Config } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { HttpResponse } from '../http/httpServer.js';
import { IndicatorEngine } from '../indicators/engine.js';
import { indicators } from '../indicators/index.js';
import { indicatorsRoute } from '../indicators/indicatorsApi.js';
import type { IndicatorStore } from '../core/storePorts.js';
import { IndicatorScheduler } from '../indicators/scheduler.js';
import { loadTargets, type CityTargets } from '../indicators/targets/targets.js';
import type { IndicatorSettings } from '../indicators/types.js';
import { periodOf } from '../indicators/periods.js';
import type { DeviceRegistry } from '../registry/deviceRegistry.js';
import { reportDataRoute, reportRoute, type ReportRouteOptions } from '../report/reportRoute.js';
import { effectsUntil, type MeasureEffect } from '../indicators/effect/effect.js';
import { effectsRoute } from '../indicators/effect/effectsApi.js';
import { checkMeasureBuildings, loadMeasures, type Measure } from '../indicators/effect/measures.js';
import type { Period } from '../indicators/periods.js';
import type { Sink } from '../sinks/index.js';

/** Indicators wired to a store: source, result store, engine factory, scheduler, HTTP routes. */
export interface IndicatorsApp {
  scheduler: IndicatorScheduler;
  store: IndicatorStore;
  engine(settings?: Partial<IndicatorSettings>): IndicatorEngine;
  /** MEASURES_FILE's measures (none without it). */
  measures: Measure[];
  /** The measured effect of a tenant's measures up to a quarter's end (the report's section); undefined without MEASURES_FILE. */
  effects?(tenant: string, quarter: Period): Promise<MeasureEffect[]>;
  routes: Record<string, (url: URL) => Promise<HttpResponse>>;
}

/** A city id: the name of a targets file (`kalmar` for kalmar.json). */
export const CITY_RE = /^[a-z][a-z0-9-]{0,62}$/;

/** The cities with a targets file in TARGETS_DIR. */
export function knownCities(c: Config): string[] {
  const dir = targetsDir(c);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).filter((n) => CITY_RE.test(n)).sort();
}

/**
 * The targets of one city. `city` must be a slug naming one of the files listed in
 * TARGETS_DIR: it is looked up in that listing, never joined into a path, so
 * `../../etc/x` reaches nothing; the error names the known cities, never a path.
 */
export function targetsFor(c: Config, city: string, variable = '--city'): CityTargets {
  const known = knownCities(c);
  if (!CITY_RE.test(city) || !known.includes(city)) {
    throw new ConfigError(variable, `one of the cities with a targets file (${known.join(', ') || 'none'})`, CITY_RE.test(city) ? city : undefined);
  }
  return loadTargets(resolve(targetsDir(c), `${city}.json`));
}

function settingsByTenant(c: Config): Map<string, Partial<IndicatorSettings>> {
  const out = new Map<string, Partial<IndicatorSettings>>();
  const dir = targetsDir(c);
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const t = loadTargets(resolve(dir, f));
    out.set(t.tenant, t.settings as Partial<IndicatorSettings>);
  }
  return out;
}

/** What the demo history of a tenant was (services/demo/demoHistory.ts): the API and the report say "demo data". */
export type DemoInfo = { tenant: string; from: string; to: string; baselineYears: number[] };

export function buildIndicatorsApp(c: Config, deps: { sink: Sink; registry: DeviceRegistry; logger: Logger; status?: () => { settled: boolean; pendingMonths: number }; demo?: () => DemoInfo | undefined }): IndicatorsApp {
  const devices = deps.registry.all();
  const source = deps.sink.source(devices);
  const store = deps.sink.indicators;
  // Measures (MEASURES_FILE): checked against the registry at start, so a typo in a building fails here, naming the field.
  // The engine gets them too: campaign_savings measures the campaigns among them.
  const measures = c.MEASURES_FILE ? loadMeasures(c.MEASURES_FILE) : [];
  if (c.MEASURES_FILE) checkMeasureBuildings(measures, devices, c.MEASURES_FILE);
  const engine = (settings?: Partial<IndicatorSettings>) => new IndicatorEngine({ source, devices, indicators, settings: { ...settings, measures } });
  // Each tenant's indicators are computed with its city's settings (emission factors,
  // weather baseline year) from the targets files, so stored values match the report.
  const citySettings = settingsByTenant(c);
  const engineFor = (tenant?: string) => engine(tenant ? citySettings.get(tenant) : undefined);
  const scheduler = new IndicatorScheduler({
    engine: (tenant) => engineFor(tenant),
    store,
    kinds: c.INDICATOR_PERIODS,
    intervalMs: c.INDICATOR_INTERVAL_MS,
    settleMs: c.INDICATOR_SETTLE_MS,
    rollups: deps.sink.rollups,
    tenants: () => [...new Set(devices.map((d) => d.tenant))],
    logger: deps.logger.child({ component: 'indicators' }),
  });
  // Periods recomputed at start: this month and the last, for every tenant with
  // devices (what changed while we were down is recomputed on its next reading).
  const now = Date.now();
  for (const tenant of new Set(devices.map((d) => d.tenant))) {
    scheduler.mark(tenant, now);
    scheduler.mark(tenant, periodOf('month', now).start - 1);
  }
  const effects = c.MEASURES_FILE ? (tenant: string, quarter: Period) => effectsUntil(source, devices, measures, tenant, quarter.end) : undefined;
  const report: ReportRouteOptions = {
    defaultCity: c.REPORT_CITY,
    targetsFor: (city) => targetsFor(c, city, 'city'),
    engine,
    devicesRegistered: (tenant) => devices.filter((d) => d.tenant === tenant).length,
    ...(effects ? { effects } : {}),
    ...(deps.demo ? { demo: deps.demo } : {}),
    figures: deps.sink.figures,
    stored: { store, marks: deps.sink.rollups },
    logger: deps.logger,
  };
  return {
    scheduler,
    store,
    engine,
    measures,
    ...(effects ? { effects } : {}),
    routes: {
      '/api/indicators': indicatorsRoute({ store, engine: engineFor, ...(deps.status ? { status: deps.status } : {}), ...(deps.demo ? { demo: deps.demo } : {}) }),
      '/report': reportRoute(report),
      '/api/report': reportDataRoute(report),
      '/api/effects': effectsRoute({ measures, source, devices, configured: Boolean(c.MEASURES_FILE) }),
    },
  };
}
