import type { MetricName, SensorKind } from '../../core/metrics.js';
import type { Sample } from '../types.js';

/**
 * Rollups: what indicators need of a device's readings, kept per Stockholm day and
 * month in the store, so a quarter of a city is read as a few rows per device
 * instead of every reading. A bucket is exact for the raw engine's methods:
 * register consumption (linear across boundaries, a drop is a reset), coverage
 * (intervals of at most 3 h), silences (data gaps), hourly peaks.
 */
/**
 * `month_hours`: an electricity meter's month of hourly inputs to peak_power
 * (DeviceBucket.kwm) in a row of its own, so the month rows every energy indicator
 * reads stay small (a month of hours is ~8 KB of text per meter).
 */
export type Span = 'day' | 'month' | 'month_hours';

/** Longest interval between readings that counts as covered, and that a day's rollup takes from its neighbour days. */
export const SHORT_MS = 3 * 3_600_000;

/** One series (device, metric, channel) in one bucket. Times are epoch ms; values as stored. */
export interface SeriesBucket {
  metric: MetricName;
  /** '' when the reading has no channel. */
  channel: string;
  /** Readings in the bucket. */
  n: number;
  firstT: number;
  firstV: number;
  lastT: number;
  lastV: number;
  min: number;
  max: number;
  sum: number;
  /**
   * Register increase inside the bucket (a drop counts the new value): every
   * interval between the bucket's readings, and the bucket's share of intervals
   * of at most 3 h that cross its edges. Longer crossing intervals are the
   * reducer's (they may reach past the raw engine's margins).
   */
  inc: number;
  /** Drops among the intervals counted in `inc`. */
  resets: number;
  /** 1 when the short interval crossing the bucket's start is a drop (also counted by the bucket before). */
  crossReset: number;
  /** Time inside the bucket covered by intervals of at most 3 h. */
  coveredMs: number;
}

/** One device in one bucket: every metric and channel merged. */
export interface DeviceBucket {
  /** Readings (per series, summed). */
  readings: number;
  /** Distinct reading times. */
  times: number;
  firstT: number;
  lastT: number;
  /** Silences longer than 3 h between the bucket's reading times (ms). */
  silences: number[];
  /**
   * Electricity meters, day buckets: per power and energy_total series, a value
   * for each hour of the day (null: none) — the mean power (kW), or the register
   * difference (kWh) when readings at most 3 h apart span the whole hour.
   * peak_power combines them with the series the period has (energy/peakSources.ts).
   */
  hourly?: HourlySeries[];
  /**
   * Instead of `hourly` when the meter's power and energy series of the day all
   * have no channel: the hour's contribution itself (power mean, else the complete
   * register difference). Equal to combining `hourly` with any window's series:
   * a window can only add series the day does not have.
   */
  kw?: Array<number | null>;
  /**
   * Electricity meters, `month_hours` rows: the month's `kw`, hour by hour, packed
   * (packedHours.ts); absent when a day of the month has `hourly` instead.
   */
  kwm?: string;
  /**
   * Day rows of KINDS_WITH_RAW_DAYS (waste containers, counters, thermometers): the
   * day's readings themselves, per series, packed (packedHours.ts packSamples). The
   * waste indicators follow a container reading by reading (emptyings, overflow
   * episodes), mobility and degree-days read a few devices' raw series; reading them
   * from these rows spares a scan of every reading of the city per indicator.
   */
  raw?: PackedSeries[];
}

/** A series' readings of a day: times and values as packed doubles, t0 v0 t1 v1 … */
export interface PackedSeries {
  metric: MetricName;
  channel: string;
  tv: string;
}

/** Kinds whose day rows carry their readings (`DeviceBucket.raw`). */
export const KINDS_WITH_RAW_DAYS: readonly SensorKind[] = ['waste_fill', 'bike_counter', 'vehicle_counter', 'pedestrian_counter', 'temperature', 'vehicle', 'fuel_meter', 'ev_charger', 'waste_collection'];

export interface HourlySeries {
  metric: 'power' | 'energy_total';
  channel: string;
  v: Array<number | null>;
}

export interface RollupRow {
  device: string;
  kind: SensorKind;
  span: Span;
  start: number;
  d: DeviceBucket;
  s: SeriesBucket[];
}

/** A device's raw readings of a window, per series, sorted by time, one value per instant. */
export interface RawDeviceSeries {
  device: string;
  kind: SensorKind;
  series: Array<{ metric: MetricName; channel: string; samples: Sample[] }>;
}

/** What a store does for rollups (services/sinks/<backend>/…Rollups.ts). */
export interface RollupStorage {
  /** The tenant's raw readings in [from, to), device by device (any device order): what a day's rollup is built from. */
  eachRawDevice(tenant: string, from: number, to: number, fn: (d: RawDeviceSeries) => void): Promise<void>;
  /** Replaces the tenant's rows of one span and start (a rebuilt day or month) with `rows` (all of that span and start). */
  replaceRows(tenant: string, span: Span, start: number, rows: RollupRow[]): Promise<void>;
  /** Rows of [from, to) by start, device by device, in device order; `kinds` filters. */
  eachDeviceRows(q: { tenant: string; span: Span; from: number; to: number; kinds?: readonly SensorKind[] }, fn: (device: string, rows: RollupRow[]) => void | Promise<void>): Promise<void>;
  /** Dirty days (start of the Stockholm day), persisted. */
  markDirty(tenant: string, days: number[]): Promise<void>;
  dirtyDays(tenant: string, from: number, to: number): Promise<number[]>;
  /** Clears the marks of these days made before `markedBefore` (a later mark means the day changed during its rebuild). */
  clearDirty(tenant: string, days: number[], markedBefore: number): Promise<void>;
  /** Tenants with dirty days. */
  dirtyTenants(): Promise<string[]>;
  /** Every day of the tenant ever marked, rebuilt or not (day starts, any order): the days with stored readings. */
  markedDays(tenant: string): Promise<number[]>;
  /** When a day of [from, to) was last marked (rebuilt or not; 0 for none): what a stored indicator value of that window must be newer than. */
  lastMarked(tenant: string, from: number, to: number): Promise<number>;
}
