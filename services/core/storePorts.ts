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

/** Where computed indicator values are kept; writing a value again replaces it. */
export interface IndicatorStore {
  write(values: IndicatorValue[]): Promise<void>;
  query(q: IndicatorQuery): Promise<IndicatorValue[]>;
}
