import type { Config } from '../core/config.js';
import { duckDbSink } from './duckdb/index.js';
import { influxSink } from './influx/index.js';
import type { Sink, SinkDeps, SinkFactory, SinkKind } from './types.js';

export type { Sink, SinkDeps, SinkKind } from './types.js';

/** The storage backends, by kind. A new backend is one folder and one line here. */
export const sinks: Readonly<Record<SinkKind, SinkFactory>> = Object.freeze({
  duckdb: duckDbSink,
  influxdb: influxSink,
});

/** InfluxDB when INFLUX_URL is set, else the embedded DuckDB file. */
export function sinkKindOf(c: Config): SinkKind {
  return c.INFLUX_URL ? 'influxdb' : 'duckdb';
}

/** The one place the backend is chosen. */
export function buildSink(c: Config, deps: SinkDeps = {}): Promise<Sink> {
  return sinks[sinkKindOf(c)](c, deps);
}
