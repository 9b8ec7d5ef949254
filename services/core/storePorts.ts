import type { IndicatorValue } from '../indicators/types.js';
import type { DeadLetter } from './deadLetter.js';
import type { CanonicalReading } from './reading.js';

export interface LatestReading {
  tenant: string;
  deviceId: string;
  kind: string;
  site?: string;
  metric: string;
  channel?: string;
  value: number;
  unit?: string;
  observedAt: string;
}

/** A dead letter with its id (core/deadLetter.ts idOf: deterministic), so archiving it twice stores it once. */
export interface StoredDeadLetter {
  id: string;
  deadLetter: DeadLetter;
}

/**
 * Where readings end up: InfluxDB in production, DuckDB in the embedded `npm start`.
 * Writes are idempotent (the same reading written twice is stored once).
 * Failures are StoreErrors: STORE_REJECTED (the data is invalid: not retriable;
 * the writer splits the batch to isolate the bad points), STORE_THROTTLED and
 * STORE_UNAVAILABLE (retriable).
 */
export interface ReadingWireFormat {
  encode(r: CanonicalReading): string;
  /** Same contract and errors as `writeReadings`. */
  write(encoded: string): Promise<void>;
}

export interface ReadingStore {
  readonly kind: 'influxdb' | 'duckdb';
  init(): Promise<void>;
  writeReadings(readings: CanonicalReading[]): Promise<void>;
  /**
   * Optional fast path (InfluxDB): the store's own wire form of a reading, made by the
   * writer as soon as a record is parsed, and a write of many of them joined by `\n`
   * (a wire form never contains a line break). The writer then holds one compact
   * string per batch while writes are in flight, instead of thousands of reading
   * objects that would survive into V8's old generation (a third of the writer's CPU
   * went to garbage collection before).
   */
  wire?: ReadingWireFormat;
  writeDeadLetters(items: StoredDeadLetter[]): Promise<void>;
  latest(opts: { limit: number; tenant?: string }): Promise<LatestReading[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface IndicatorQuery {
  indicator?: string;
  period?: string;
  tenant?: string;
  entity?: string;
}

/**
 * What a stored value was computed from (IndicatorEngine.provenance): when its
 * computation started, the window of stored data it read (its own and every
 * indicator it used, Stockholm-day marks of the rollups apply to it), and `basis`,
 * a digest of the settings and the tenant's registered devices. A value is current
 * while nothing in its window was marked after `computedAt`, the window had ended
 * by then (arrival-time counts are final) and the basis is the same
 * (services/report/reportValues.ts).
 */
export interface ValueProvenance {
  computedAt: number;
  windowFrom: number;
  windowTo: number;
  basis: string;
}

/** Where computed indicator values are kept; writing a value again replaces it. */
export interface IndicatorStore {
  /** `provenance`: of each value's (indicator, period), stored with it; without, the value is kept but never taken as current. */
  write(values: IndicatorValue[], provenance?: (v: IndicatorValue) => ValueProvenance | undefined): Promise<void>;
  query(q: IndicatorQuery): Promise<IndicatorValue[]>;
  /** One indicator's stored values of one period (only `entities`, when given), each with its provenance when it was stored with one. */
  stored(q: { indicator: string; tenant: string; period: string; entities?: string[] }): Promise<Array<{ value: IndicatorValue; provenance?: ValueProvenance }>>;
}

/**
 * A yearly figure a city knows from elsewhere (statistics, an energy declaration,
 * its climate report): 1990 emissions, 2018 energy use. Imported with its source
 * (`klimatpuls import`, services/import) for targets' baselines. One per tenant,
 * figure, entity and year: writing it again replaces it.
 */
export interface YearlyFigure {
  tenant: string;
  /** The indicator it is a figure of (`emissions`, `energy_use` ...). */
  figure: string;
  /** A building or site, `*` for the whole tenant. */
  entity: string;
  year: number;
  /** In the indicator's unit (t CO2e, kWh ...). */
  value: number;
  unit: string;
  /** Where the figure comes from. */
  source: string;
  /** The file and row it was imported from. */
  importedFrom?: string;
}

export interface FigureStore {
  write(figures: YearlyFigure[]): Promise<void>;
  query(q: { tenant?: string; figure?: string; entity?: string; year?: number }): Promise<YearlyFigure[]>;
}
