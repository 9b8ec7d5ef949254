import type { CanonicalReading } from '../../core/reading.js';
import { InfluxStore, type InfluxStoreOptions } from './influxStore.js';
import type { LatestReading, ReadingStore, ReadingWireFormat, StoredDeadLetter } from '../../core/storePorts.js';
import type { TenantStore } from '../../tenants/tenantStore.js';

/**
 * The writer's InfluxDB store with tenant buckets: a reading of a tenant that has
 * its own bucket (created with the tenant) is written there, so the tenant's read
 * token sees it; with `copyToMain` (TENANT_READINGS_IN_MAIN_BUCKET, default on) it
 * is also written to the main bucket, which only the operator's token reads, so
 * the city's indicators keep seeing every building. Readings of tenants without a
 * bucket, and dead letters, go to the main bucket only: with no tenant buckets this
 * is exactly the single-bucket store. Both writes are idempotent, so a batch retried
 * after one of them failed is stored once in each bucket.
 */
export class TenantRoutingStore implements ReadingStore {
  readonly kind = 'influxdb' as const;
  private readonly main: InfluxStore;
  private readonly perBucket = new Map<string, InfluxStore>();

  constructor(
    private readonly o: InfluxStoreOptions,
    private readonly tenants: TenantStore,
    private readonly copyToMain: boolean,
  ) {
    this.main = new InfluxStore(o);
  }

  async init(): Promise<void> {
    await this.main.init();
  }

  /** Routed as the wire form below (one routing for both ways of writing). */
  writeReadings(readings: CanonicalReading[]): Promise<void> {
    return this.wire.write(readings.map((r) => this.wire.encode(r)).join('\n'));
  }

  /**
   * Line protocol, routed by tenant. A reading for a tenant bucket is encoded as
   * `<bucket>\t<line>`: line protocol escapes every tab, so the first tab of an entry
   * can only be this separator. Without tenant buckets no entry has one and the
   * joined batch goes to the main bucket as it is.
   */
  readonly wire: ReadingWireFormat = {
    encode: (r) => {
      const line = this.main.wire.encode(r);
      const bucket = this.tenants.tenant(r.tenant)?.influx?.bucket;
      return !bucket || bucket === this.o.bucket ? line : `${bucket}\t${line}`;
    },
    write: async (encoded) => {
      if (!encoded.includes('\t')) return this.main.wire.write(encoded);
      const toMain: string[] = [];
      const byBucket = new Map<string, string[]>();
      for (const entry of encoded.split('\n')) {
        const tab = entry.indexOf('\t');
        if (tab < 0) {
          toMain.push(entry);
          continue;
        }
        const bucket = entry.slice(0, tab);
        const line = entry.slice(tab + 1);
        let list = byBucket.get(bucket);
        if (!list) byBucket.set(bucket, (list = []));
        list.push(line);
        if (this.copyToMain) toMain.push(line);
      }
      for (const [bucket, lines] of byBucket) await this.store(bucket).wire.write(lines.join('\n'));
      await this.main.wire.write(toMain.join('\n'));
    },
  };

  writeDeadLetters(items: StoredDeadLetter[]): Promise<void> {
    return this.main.writeDeadLetters(items);
  }

  /** Latest readings of the main bucket, or of the tenant's own bucket when it has one and asks for itself. */
  latest(opts: { limit: number; tenant?: string }): Promise<LatestReading[]> {
    const bucket = opts.tenant ? this.tenants.tenant(opts.tenant)?.influx?.bucket : undefined;
    return (bucket && !this.copyToMain ? this.store(bucket) : this.main).latest(opts);
  }

  ping(): Promise<boolean> {
    return this.main.ping();
  }

  async close(): Promise<void> {
    await this.main.close();
  }

  private store(bucket: string): InfluxStore {
    let s = this.perBucket.get(bucket);
    if (!s) this.perBucket.set(bucket, (s = new InfluxStore({ ...this.o, bucket })));
    return s;
  }
}
