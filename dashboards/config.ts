import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SENSOR_KINDS } from '../services/core/metrics.js';
import { loadTargets, type CityTargets } from '../services/indicators/targets/targets.js';
import { DEFAULT_SETTINGS } from '../services/indicators/types.js';

/**
 * What the generated dashboards and alert rules depend on besides code. All of
 * it is read from files in the repository, so `npm run dashboards` is
 * reproducible and the drift test catches a target or limit changed without
 * regenerating.
 */
export interface DashboardConfig {
  /** Every city's targets (services/indicators/targets/*.json): the contract follow-up. */
  targets: CityTargets[];
  /** kW per tenant and building (site): dashboards/peak-power-limits.json. */
  peakPowerLimits: Record<string, Record<string, number>>;
  /** Seconds between two readings a device of each kind is expected to keep. */
  expectedIntervalS: Record<string, number>;
  /** For a kind missing from expectedIntervalS. */
  defaultIntervalS: number;
}

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

/**
 * Expected reporting interval per sensor kind: the indicators' own expectation
 * (settings.expectedPerHour, default one reading per hour), so the silence alert
 * and the `data_gaps` indicator agree on what "silent" means.
 */
export function expectedIntervals(): Record<string, number> {
  return Object.fromEntries(SENSOR_KINDS.map((k) => [k, 3600 / (DEFAULT_SETTINGS.expectedPerHour[k] ?? 1)]));
}

export function loadPeakPowerLimits(file = root('dashboards/peak-power-limits.json')): Record<string, Record<string, number>> {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { limits?: Record<string, Record<string, unknown>> };
  const out: Record<string, Record<string, number>> = {};
  for (const [tenant, sites] of Object.entries(raw.limits ?? {})) {
    for (const [site, kw] of Object.entries(sites)) {
      if (typeof kw !== 'number' || !(kw > 0)) throw new Error(`${file}: limits.${tenant}.${site}: expected a number of kW > 0`);
      (out[tenant] ??= {})[site] = kw;
    }
  }
  return out;
}

export function loadAllTargets(dir = root('services/indicators/targets')): CityTargets[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => loadTargets(`${dir}/${f}`));
}

export function defaultConfig(): DashboardConfig {
  return { targets: loadAllTargets(), peakPowerLimits: loadPeakPowerLimits(), expectedIntervalS: expectedIntervals(), defaultIntervalS: 3600 };
}
