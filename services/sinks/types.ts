import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { FigureStore, IndicatorStore, ReadingStore } from '../core/storePorts.js';
import type { ReadingSource } from '../indicators/types.js';
import type { Device } from '../registry/deviceRegistry.js';
import type { TenantStore } from '../tenants/tenantStore.js';

/**
 * One storage backend, everything the services need of it: the reading store
 * (the writer's side, plus `latest`/`ping` for the API), the source indicators
 * read (raw series and the rollups kept in the store), and where computed
 * indicator values are kept. One folder per backend under services/sinks/,
 * registered in services/sinks/index.ts.
 */
export interface Sink {
  readonly kind: SinkKind;
  readonly store: ReadingStore;
  readonly indicators: IndicatorStore;
  /** Yearly figures with their source (imported baselines: 1990 emissions ...). */
  readonly figures: FigureStore;
  /** Readings of these registered devices, as indicators see them. */
  source(devices: Device[]): ReadingSource;
  /** The rollups the store keeps for indicators (services/indicators/rollups/): days marked as readings arrive, rebuilt before they are read. */
  readonly rollups: RollupMaintenance;
}

export interface RollupMaintenance {
  /** Marks the days these readings fall in (and a neighbour day within 3 h) for a rebuild; persisted in the store. */
  markReadings(readings: ReadonlyArray<{ tenant: string; observedAt: string }>): Promise<void>;
  /** Tenants with marked days. */
  tenants(): Promise<string[]>;
  /** When a day of [from, to) was last marked, rebuilt since or not (0: never): stored indicator values older than that are not current. */
  lastMarked(tenant: string, from: number, to: number): Promise<number>;
  /** Marks every day of [from, to) (readings written past the pipeline: imports, restores, bulk fills). */
  markRange(tenant: string, from: number, to: number): Promise<void>;
  /** Rebuilds the tenant's marked days in [from, to) (every marked day without a window), then their months. */
  settle(q: { tenant: string; from?: number; to?: number; onDay?: (done: number, total: number) => void }): Promise<{ days: number }>;
}

export type SinkKind = 'duckdb' | 'influxdb';

export interface SinkDeps {
  /** InfluxDB: readings of tenants with their own bucket are written there too. */
  tenants?: TenantStore;
  logger?: Logger;
}

export type SinkFactory = (c: Config, deps: SinkDeps) => Promise<Sink>;

