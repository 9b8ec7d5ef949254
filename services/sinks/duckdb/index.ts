import { resolve } from 'node:path';
import type { Config } from '../../core/config.js';
import { restrictNewFiles, securePrivateDir } from '../../core/privateFiles.js';
import { StoreRollups } from '../../indicators/rollups/storeRollups.js';
import { duckDbRollups } from './duckdbRollups.js';
import type { Sink, SinkFactory } from '../types.js';
import { duckDbIndicatorStore } from './duckdbIndicatorStore.js';
import { duckDbFigureStore } from './duckdbFigureStore.js';
import { duckDbSource } from './duckdbReadingSource.js';
import { withDaySeries } from '../../indicators/rollups/daySeries.js';

/** The DuckDB sink on an open (or not yet opened) store file. */
export async function duckDbSinkAt(path: string, memoryLimitBytes?: number, threads?: number): Promise<Sink> {
  // Loaded only when used: DuckDB is a native module, and the gateway or a writer
  // that talks to InfluxDB must not depend on it being installable.
  const { DuckDbStore } = await import('./duckdbStore.js');
  const store = new DuckDbStore(path, memoryLimitBytes, threads);
  const rollups = new StoreRollups(duckDbRollups(store));
  return { kind: 'duckdb', store, indicators: duckDbIndicatorStore(store), figures: duckDbFigureStore(store), source: (devices) => withDaySeries(duckDbSource(store, devices, rollups), devices), rollups };
}

/** The embedded store of `npm start`: DATA_DIR/klimatpuls.duckdb. */
export const duckDbSink: SinkFactory = async (c: Config, deps) => {
  // Every tenant's readings and raw payloads: DATA_DIR 0700, DuckDB's files (and its
  // .wal, created later) 0600 (services/app/privateFiles.ts).
  restrictNewFiles();
  securePrivateDir(c.DATA_DIR, deps.logger, ['mqtt']);
  return duckDbSinkAt(resolve(c.DATA_DIR, 'klimatpuls.duckdb'), c.DUCKDB_MEMORY_LIMIT_BYTES, c.DUCKDB_THREADS);
};
