import type { Device } from '../registry/deviceRegistry.js';
import type { MetricName, SensorKind } from '../core/metrics.js';
import type { Period, PeriodKind } from './periods.js';
import type { RollupReader } from './rollups/storeRollups.js';
import type { Measure } from './effect/measures.js';

/** One stored reading as indicators see it. */
export interface Sample {
  t: number;
  v: number;
}

/** Readings of one device, one metric (and channel), sorted by time, duplicates removed. */
export interface Series {
  device: Device;
  metric: MetricName;
  channel?: string;
  samples: Sample[];
}

/**
 * What an indicator can ask for: series in a time window. The engine loads each
 * window once, from InfluxDB or DuckDB, with margins so that differences of
 * cumulative registers across the period boundaries can be taken.
 */
export interface ReadingSource {
  /** Raw series of a window; `devices` (ids) narrows it to some devices (families read device by device). */
  series(q: { tenant?: string; metrics: MetricName[]; kinds?: SensorKind[]; devices?: string[]; from: number; to: number }): Promise<Series[]>;
  /** The store's rollups (rollups/), when it keeps them: the city-wide families read these instead of raw series. */
  rollups?: RollupReader;
  /**
   * Messages received and dead-lettered in the window (data quality), both by
   * arrival time; `readingsArrived`: the tenant's readings stored that arrived in
   * the window, where the store keeps arrival times (DuckDB).
   */
  messageCounts?(q: { tenant?: string; from: number; to: number }): Promise<{ received: number; deadLettered: number; readingsArrived?: number }>;
}

export interface IndicatorValue {
  indicator: string;
  period: string;
  periodKind: PeriodKind;
  tenant: string;
  /** What the value is about: a building, a counting point, a container, or the whole tenant ('*'). */
  entity: string;
  value: number;
  unit: string;
  /** Share (0-1) of the expected data that was there. */
  coverage: number;
  /** False when coverage is below the indicator's floor: shown as "not enough data", not as fact. */
  sufficient: boolean;
  /** Indicator-specific figures (degree-days used, baseline value ...). */
  details?: Record<string, number | string>;
}

export interface IndicatorSettings {
  /** Share of expected data below which a value is marked insufficient (default 0.8). */
  minCoverage: number;
  /** kg CO2e per kWh, per energy carrier. */
  emissionFactors: Record<string, number>;
  /** Degree-day base temperature, °C. */
  degreeDayBase: number;
  /** Emptying below this fill level (%) is a wasted trip. */
  lowFillThreshold: number;
  overflowThreshold: number;
  /** The year whose weather energy is normalized to (`energy_weather_normalized`); default: the year before each period. */
  weatherBaselineYear?: number;
  /** Expected readings per device and hour (for coverage), by kind; default 1. */
  expectedPerHour: Partial<Record<SensorKind, number>>;
  /** Per-fuel overrides of energy content (kWh per unit) and fossil-free share (transport/fuels.ts). */
  fuels?: Record<string, { kwhPerUnit?: number; fossilFreeShare?: number }>;
  /** BBR weighting factors per energy carrier, overriding energy/primaryEnergy.ts's (a later BBR revision). */
  primaryEnergyFactors?: Record<string, number>;
  /** Buildings built in or after this year are new buildings (new_buildings_below_code); default 2019. */
  newBuildingsFrom?: number;
  /** MEASURES_FILE's measures (campaign_savings reads the campaigns); none without it. */
  measures?: Measure[];
}

export const DEFAULT_SETTINGS: IndicatorSettings = {
  minCoverage: 0.8,
  // Swedish averages, configurable per city (documented in indicators/README.md)
  emissionFactors: { electricity: 0.036, district_heating: 0.05 },
  degreeDayBase: 17,
  lowFillThreshold: 50,
  overflowThreshold: 95,
  // Record-driven kinds report when something happens, not hourly: a vehicle's fuel and
  // charging records are a gap after 35 days without one (transport/fuelShare.ts's
  // FUEL_MAX_GAP_MS), a collection point's weights (often monthly from the contractor)
  // after three months. Everything else: one reading an hour unless configured.
  expectedPerHour: { vehicle: 3 / (35 * 24), waste_collection: 3 / (92 * 24) },
};

export interface IndicatorContext {
  tenant: string;
  period: Period;
  source: ReadingSource;
  devices: Device[];
  settings: IndicatorSettings;
  /** Computes another indicator (memoized): baselines, normalization inputs. */
  compute(indicator: string, period: Period): Promise<IndicatorValue[]>;
}

/** An indicator as code: one file each, registered in indicators/index.ts. */
export interface Indicator {
  id: string;
  name: { sv: string; en: string };
  description: { sv: string; en: string };
  unit: string;
  /** The readings it needs. */
  needs: { metrics: MetricName[]; kinds: SensorKind[] };
  /** Period kinds it is computed for. */
  periods: PeriodKind[];
  /** How values of entities combine into the tenant's total ('sum', 'mean', 'max', 'none'). */
  aggregate: 'sum' | 'mean' | 'max' | 'none';
  /** Whether a lower value is better (energy, waste) or higher (cycling share). */
  better: 'lower' | 'higher';
  /** Indicators whose values it reads through ctx.compute (kept in the engine's memo while it is still to come). */
  uses?: readonly string[];
  compute(ctx: IndicatorContext): Promise<IndicatorValue[]>;
}
