import type { DeadLetter } from '../core/deadLetter.js';
import type { CanonicalReading } from '../core/reading.js';

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

/** A dead letter together with a stable id (bus position), so re-archiving it is idempotent. */
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
export interface ReadingStore {
  readonly kind: 'influxdb' | 'duckdb';
  init(): Promise<void>;
  writeReadings(readings: CanonicalReading[]): Promise<void>;
  writeDeadLetters(items: StoredDeadLetter[]): Promise<void>;
  latest(opts: { limit: number; tenant?: string }): Promise<LatestReading[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
