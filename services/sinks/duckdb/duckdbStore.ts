import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { StoreError } from '../../core/errors.js';
import type { CanonicalReading } from '../../core/reading.js';
import type { LatestReading, ReadingStore, StoredDeadLetter } from '../../core/storePorts.js';

/** Payload (base64) per dead-letter merge: a few MB, so one merge takes well under a second. */
const DEAD_LETTER_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * The embedded store for `npm start`: a DuckDB file (or `:memory:`). Same
 * idempotency rule as InfluxDB: the reading id is the primary key, so a
 * redelivered reading replaces itself. Batches go through an appender into a
 * staging table and are merged with one INSERT OR REPLACE (fast, atomic).
 */
export class DuckDbStore implements ReadingStore {
  readonly kind = 'duckdb' as const;
  private instance?: DuckDBInstance;
  private conn?: DuckDBConnection;
  /** Dead letters have a connection of their own (see writeDeadLetters). */
  private deadLetterConn?: DuckDBConnection;
  /** DuckDB connections run one statement at a time; we serialize our batches per connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private deadLetterQueue: Promise<unknown> = Promise.resolve();
  private rollupConn?: DuckDBConnection;
  private rollupQueue: Promise<unknown> = Promise.resolve();
  private readingsWaiting: Array<{ readings: CanonicalReading[]; resolve: () => void; reject: (err: unknown) => void }> = [];

  /**
   * `memoryLimitBytes`: DuckDB's memory_limit (DUCKDB_MEMORY_LIMIT_BYTES). DuckDB's own
   * default is 80 % of the machine's RAM, and it keeps what it wrote cached up to that: a
   * burst of 45,000 dead letters (300 MB of base64) lifted the process past 1.3 GB on a
   * 24 GB machine. Past the limit DuckDB evicts (the file holds the data).
   * `threads`: DuckDB's worker threads (DUCKDB_THREADS; DuckDB's default: one per core).
   */
  constructor(
    private readonly path: string,
    private readonly memoryLimitBytes?: number,
    private readonly threads?: number,
  ) {}

  async init(): Promise<void> {
    if (this.conn) return; // idempotent: the writer and the indicators may both call it
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const options = { ...(this.memoryLimitBytes ? { memory_limit: `${Math.floor(this.memoryLimitBytes / 1024 / 1024)}MB` } : {}), ...(this.threads ? { threads: String(this.threads) } : {}) };
    this.instance = await DuckDBInstance.create(this.path, Object.keys(options).length ? options : undefined);
    this.conn = await this.instance.connect();
    await this.conn.run(`
      CREATE TABLE IF NOT EXISTS readings (
        id VARCHAR PRIMARY KEY, tenant VARCHAR NOT NULL, device_id VARCHAR NOT NULL, site VARCHAR,
        kind VARCHAR NOT NULL, metric VARCHAR NOT NULL, channel VARCHAR, value DOUBLE NOT NULL,
        unit VARCHAR NOT NULL, observed_at TIMESTAMPTZ NOT NULL, received_at TIMESTAMPTZ NOT NULL,
        format VARCHAR NOT NULL, decoder_version VARCHAR NOT NULL, topic VARCHAR NOT NULL);
      CREATE TABLE IF NOT EXISTS dead_letters (
        id VARCHAR PRIMARY KEY, reason VARCHAR NOT NULL, field VARCHAR NOT NULL, message VARCHAR NOT NULL,
        stage VARCHAR NOT NULL, topic VARCHAR NOT NULL, decoder VARCHAR, payload_base64 VARCHAR NOT NULL,
        rejected_json VARCHAR NOT NULL, received_at TIMESTAMPTZ NOT NULL, dead_lettered_at TIMESTAMPTZ NOT NULL);
      CREATE TABLE IF NOT EXISTS readings_staging (
        id VARCHAR, tenant VARCHAR, device_id VARCHAR, site VARCHAR, kind VARCHAR, metric VARCHAR,
        channel VARCHAR, value DOUBLE, unit VARCHAR, observed_ms BIGINT, received_ms BIGINT,
        format VARCHAR, decoder_version VARCHAR, topic VARCHAR);
    `);
    // A second connection for dead letters: DuckDB runs statements of different connections
    // side by side (appends to different tables do not conflict), so a burst of dead letters
    // (tens of MB of base64 payload) never makes a reading write or an API query wait. Its
    // staging table is TEMP (this connection's, in memory): the payloads are not written to
    // the WAL twice.
    this.deadLetterConn = await this.instance.connect();
    await this.deadLetterConn.run(`
      CREATE TEMP TABLE IF NOT EXISTS dead_letters_stage (
        id VARCHAR, reason VARCHAR, field VARCHAR, message VARCHAR, stage VARCHAR, topic VARCHAR, decoder VARCHAR,
        payload_base64 VARCHAR, rejected_json VARCHAR, received_ms BIGINT, dead_lettered_ms BIGINT);
    `);
  }

  private serial<T>(fn: (c: DuckDBConnection) => Promise<T>, lane: 'readings' | 'deadLetters' | 'rollups' = 'readings'): Promise<T> {
    const previous = lane === 'readings' ? this.queue : lane === 'deadLetters' ? this.deadLetterQueue : this.rollupQueue;
    const run = previous.then(async () => {
      if (lane === 'rollups' && !this.rollupConn && this.instance) this.rollupConn = await this.instance.connect();
      const conn = lane === 'readings' ? this.conn : lane === 'deadLetters' ? this.deadLetterConn : this.rollupConn;
      if (!conn) throw new StoreError('STORE_UNAVAILABLE', 'store is closed');
      try {
        return await fn(conn);
      } catch (err) {
        if (err instanceof StoreError) throw err;
        throw new StoreError('STORE_UNAVAILABLE', `DuckDB: ${(err as Error).message}`, undefined, err);
      }
    });
    if (lane === 'readings') this.queue = run.catch(() => {});
    else if (lane === 'deadLetters') this.deadLetterQueue = run.catch(() => {});
    else this.rollupQueue = run.catch(() => {});
    return run;
  }

  /**
   * Rollups (duckdbRollups.ts) run on a connection of their own, one statement at a
   * time: rebuilding a day streams its readings for seconds and must not hold up
   * reading writes or API queries.
   */
  onRollupConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.serial(fn, 'rollups');
  }

  /**
   * Group commit: calls that arrive while the connection is busy are merged into its next
   * write. Each write costs a commit (under load ~1 s), so with WRITER_CONCURRENCY jobs
   * waiting, one commit takes them all instead of one each. A merged write that fails is
   * redone call by call, so one call's bad batch fails only that call.
   */
  writeReadings(readings: CanonicalReading[]): Promise<void> {
    if (readings.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.readingsWaiting.push({ readings, resolve, reject });
      if (this.readingsWaiting.length > 1) return; // joins the write already scheduled
      this.serial(async (c) => {
        const group = this.readingsWaiting.splice(0);
        try {
          await this.mergeReadings(c, group.length === 1 ? group[0]!.readings : group.flatMap((g) => g.readings));
          for (const g of group) g.resolve();
        } catch (err) {
          if (group.length === 1) return group[0]!.reject(asStoreError(err));
          for (const g of group) await this.mergeReadings(c, g.readings).then(g.resolve, (e: unknown) => g.reject(asStoreError(e)));
        }
      }).catch((err: unknown) => {
        for (const g of this.readingsWaiting.splice(0)) g.reject(err); // store closed
      });
    });
  }

  private async mergeReadings(c: DuckDBConnection, readings: CanonicalReading[]): Promise<void> {
    {
      const a = await c.createAppender('readings_staging');
      const s = (v: string | undefined) => (v === undefined ? a.appendNull() : a.appendVarchar(v));
      // Last one wins within a batch too, like InfluxDB.
      const unique = new Map(readings.map((r) => [r.id, r]));
      for (const r of unique.values()) {
        s(r.id); s(r.tenant); s(r.deviceId); s(r.site); s(r.kind); s(r.metric); s(r.channel);
        a.appendDouble(r.value); s(r.unit);
        a.appendBigInt(BigInt(Date.parse(r.observedAt))); a.appendBigInt(BigInt(Date.parse(r.receivedAt)));
        s(r.source.format); s(r.source.decoderVersion); s(r.source.topic);
        a.endRow();
      }
      a.flushSync();
      a.closeSync();
      try {
        await c.run(`BEGIN;
          INSERT OR REPLACE INTO readings SELECT id, tenant, device_id, site, kind, metric, channel, value, unit,
            make_timestamptz(observed_ms * 1000), make_timestamptz(received_ms * 1000), format, decoder_version, topic
          FROM readings_staging;
          DELETE FROM readings_staging;
          COMMIT;`);
      } catch (err) {
        await c.run('ROLLBACK; DELETE FROM readings_staging;').catch(() => {});
        throw new StoreError('STORE_UNAVAILABLE', `DuckDB write failed: ${(err as Error).message}`, undefined, err);
      }
    }
  }

  /**
   * Like readings: through an appender into a staging table, merged with one INSERT OR
   * REPLACE (the dead letter's id is the key, so one archived twice is kept once). A
   * prepared statement per row managed 25–49 rows/s and held the one connection that
   * readings and queries share for minutes. Large batches go in parts of at most
   * DEAD_LETTER_CHUNK_BYTES of payload, each its own turn on the connection, so a
   * reading batch or an API query waits for one part, not for all of them.
   */
  async writeDeadLetters(items: StoredDeadLetter[]): Promise<void> {
    const unique = [...new Map(items.map((d) => [d.id, d])).values()];
    for (let i = 0; i < unique.length; ) {
      const chunk: StoredDeadLetter[] = [];
      let bytes = 0;
      while (i < unique.length && (chunk.length === 0 || bytes < DEAD_LETTER_CHUNK_BYTES)) {
        bytes += unique[i]!.deadLetter.payloadBase64.length;
        chunk.push(unique[i++]!);
      }
      await this.serial((c) => this.mergeDeadLetters(c, chunk), 'deadLetters');
    }
  }

  private async mergeDeadLetters(c: DuckDBConnection, items: StoredDeadLetter[]): Promise<void> {
    const a = await c.createAppender('dead_letters_stage', 'main', 'temp');
    for (const { id, deadLetter: d } of items) {
      a.appendVarchar(id); a.appendVarchar(d.reason); a.appendVarchar(d.field); a.appendVarchar(d.message);
      a.appendVarchar(d.stage); a.appendVarchar(d.topic);
      if (d.decoder) a.appendVarchar(`${d.decoder.name}@${d.decoder.version}`);
      else a.appendNull();
      a.appendVarchar(d.payloadBase64); a.appendVarchar(JSON.stringify(d.rejected));
      a.appendBigInt(BigInt(Date.parse(d.receivedAt))); a.appendBigInt(BigInt(Date.parse(d.deadLetteredAt)));
      a.endRow();
    }
    a.flushSync();
    a.closeSync();
    try {
      await c.run(`BEGIN;
        INSERT OR REPLACE INTO dead_letters SELECT id, reason, field, message, stage, topic, decoder, payload_base64, rejected_json,
          make_timestamptz(received_ms * 1000), make_timestamptz(dead_lettered_ms * 1000)
        FROM temp.dead_letters_stage;
        DELETE FROM temp.dead_letters_stage;
        COMMIT;`);
    } catch (err) {
      await c.run('ROLLBACK; DELETE FROM temp.dead_letters_stage;').catch(() => {});
      throw new StoreError('STORE_UNAVAILABLE', `DuckDB write failed: ${(err as Error).message}`, undefined, err);
    }
  }

  latest({ limit, tenant }: { limit: number; tenant?: string }): Promise<LatestReading[]> {
    return this.serial(async (c) => {
      const reader = await c.runAndReadAll(
        `SELECT tenant, device_id, kind, site, metric, channel, value, unit, strftime(observed_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS t
         FROM readings ${tenant ? 'WHERE tenant = $tenant' : ''}
         QUALIFY row_number() OVER (PARTITION BY tenant, device_id, metric, channel ORDER BY observed_at DESC) = 1
         ORDER BY observed_at DESC, device_id, metric LIMIT ${Math.max(1, Math.floor(limit))}`,
        tenant ? { tenant } : {},
      );
      return reader.getRowObjectsJS().map((r) => ({
        tenant: String(r.tenant),
        deviceId: String(r.device_id),
        kind: String(r.kind),
        ...(r.site != null ? { site: String(r.site) } : {}),
        metric: String(r.metric),
        ...(r.channel != null ? { channel: String(r.channel) } : {}),
        value: Number(r.value),
        unit: String(r.unit),
        observedAt: String(r.t),
      }));
    });
  }

  /** For tests and tools: run a read-only SQL query. */
  /** `fn` on the connection readings and queries share, in its turn (appenders of the indicator store). */
  onConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.serial(fn);
  }

  queryRows(sql: string): Promise<Record<string, unknown>[]> {
    return this.serial(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  }

  async ping(): Promise<boolean> {
    return Boolean(this.conn);
  }

  async close(): Promise<void> {
    await Promise.all([this.queue, this.deadLetterQueue, this.rollupQueue]);
    this.rollupConn?.closeSync();
    this.rollupConn = undefined;
    this.conn?.closeSync();
    this.conn = undefined;
    this.deadLetterConn?.closeSync();
    this.deadLetterConn = undefined;
    this.instance?.closeSync();
    this.instance = undefined;
  }
}

const asStoreError = (err: unknown) =>
  err instanceof StoreError ? err : new StoreError('STORE_UNAVAILABLE', `DuckDB: ${(err as Error).message}`, undefined, err);
