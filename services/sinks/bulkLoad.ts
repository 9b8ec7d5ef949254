import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS, type MetricName } from '../core/metrics.js';
import { readingIdOf, type CanonicalReading } from '../core/reading.js';
import type { Device } from '../registry/deviceRegistry.js';
import type { DuckDbStore } from './duckdb/duckdbStore.js';
import type { Sink } from './types.js';

/**
 * Readings written past the pipeline in bulk (no MQTT, no bus, no decoding): the
 * benchmark's fill (bench/indicatorsAgent.ts) and the demo history of `npm start`
 * (services/demo/demoHistory.ts). Values are canonical (the metric's unit).
 *
 * DuckDB (`csv`): rows go to a CSV file in `dir`, loaded with one INSERT … FROM
 * read_csv per flush; the reading id is computed in SQL exactly as
 * services/core/reading.ts readingIdOf does (sha256 of tenant, device, metric,
 * channel and epoch ms). `replace` makes it INSERT OR REPLACE (the store's own table,
 * whose primary key is the id); without it the table may lack the key (the bench's
 * fill). Otherwise (InfluxDB, or `csv` off) the store's own writeReadings, up to
 * 3 batches in flight. The caller marks the rollups' days (markRange) when done.
 */
export interface BulkLoadOptions {
  sink: Sink;
  /** Where the CSV file of a DuckDB load lives (the data dir). */
  dir: string;
  /** DuckDB by read_csv (default when the store is DuckDB). */
  csv?: boolean;
  /** INSERT OR REPLACE (needs the primary key): a second load of the same readings changes nothing. */
  replace?: boolean;
  source: CanonicalReading['source'];
  /** Readings per store write (writeReadings path); default 50,000. */
  batchSize?: number;
  /** Called after each store write (writeReadings path) with its readings: e.g. the rollups' marks. */
  onWritten?: (readings: CanonicalReading[]) => Promise<void>;
}

type DeviceRef = Pick<Device, 'tenant' | 'id' | 'site' | 'kind'>;

export class BulkLoader {
  private lines: string[] = [];
  private batch: CanonicalReading[] = [];
  private readonly inFlight: Array<Promise<void>> = [];
  private readonly csvFile: string;
  readonly csv: boolean;
  /** Readings handed to the store so far. */
  written = 0;

  constructor(private readonly o: BulkLoadOptions) {
    this.csv = (o.csv ?? true) && o.sink.store.kind === 'duckdb';
    this.csvFile = join(o.dir, `bulk-load-${process.pid}.csv`);
  }

  /** Rows waiting for the next flush. */
  get buffered(): number {
    return this.csv ? this.lines.length : this.batch.length;
  }

  /** One reading; flushes by itself on the writeReadings path when a batch is full (await it). */
  async add(d: DeviceRef, metric: string, channel: string | undefined, value: number, ms: number): Promise<void> {
    const unit = METRICS[metric as MetricName].unit;
    if (this.csv) {
      this.lines.push(`${q(d.tenant)},${q(d.id)},${q(d.site)},${q(d.kind)},${q(metric)},${q(channel)},${value},${q(unit)},${ms}`);
      return;
    }
    const observedAt = new Date(ms).toISOString();
    // The InfluxDB store keys a point by its series and time (the reading id is not written); the DuckDB store by the id.
    const id = this.o.sink.store.kind === 'duckdb' ? readingIdOf(d.tenant, d.id, metric, channel, ms) : '';
    this.batch.push({ id, tenant: d.tenant, deviceId: d.id, metric: metric as MetricName, observedAt, ...(channel ? { channel } : {}), ...(d.site ? { site: d.site } : {}), kind: d.kind, value, unit, receivedAt: observedAt, source: this.o.source });
    if (this.batch.length >= (this.o.batchSize ?? 50_000)) await this.flush();
  }

  /** Hands what is buffered to the store (DuckDB: waits for the load; writeReadings: at most 3 writes in flight). */
  async flush(): Promise<void> {
    if (this.csv) {
      if (this.lines.length === 0) return;
      writeFileSync(this.csvFile, this.lines.join('\n'));
      this.written += this.lines.length;
      this.lines = [];
      const s = this.o.source;
      await (this.o.sink.store as DuckDbStore).queryRows(`INSERT ${this.o.replace ? 'OR REPLACE ' : ''}INTO readings
        SELECT substr(sha256(tenant || chr(10) || device || chr(10) || metric || chr(10) || coalesce(channel, '') || chr(10) || t::VARCHAR), 1, 32),
          tenant, device, site, kind, metric, channel, value, unit, make_timestamptz(t * 1000), make_timestamptz(t * 1000), ${lit(s.format)}, ${lit(s.decoderVersion)}, ${lit(s.topic)}
        FROM read_csv(${lit(this.csvFile)}, header = false, delim = ',', quote = '"', columns = {'tenant': 'VARCHAR', 'device': 'VARCHAR', 'site': 'VARCHAR', 'kind': 'VARCHAR',
          'metric': 'VARCHAR', 'channel': 'VARCHAR', 'value': 'DOUBLE', 'unit': 'VARCHAR', 't': 'BIGINT'})`);
      return;
    }
    if (this.batch.length === 0) return;
    const b = this.batch;
    this.batch = [];
    this.inFlight.push(this.o.sink.store.writeReadings(b).then(() => this.o.onWritten?.(b)));
    this.written += b.length;
    if (this.inFlight.length >= 3) await this.inFlight.shift();
  }

  /** Flushes, waits for every write, removes the CSV file. */
  async finish(): Promise<void> {
    await this.flush();
    await Promise.all(this.inFlight.splice(0));
    rmSync(this.csvFile, { force: true });
  }
}

const q = (v: string | undefined) => (v === undefined ? '' : `"${v.replace(/"/g, '""')}"`);
const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
