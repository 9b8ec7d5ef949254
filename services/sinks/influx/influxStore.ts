import { createHash } from 'node:crypto';
import { HttpError, InfluxDB, Point, type QueryApi } from '@influxdata/influxdb-client';
import { StoreError } from '../../core/errors.js';
import { METRICS, isMetricName, type MetricName } from '../../core/metrics.js';
import type { CanonicalReading } from '../../core/reading.js';
import type { LatestReading, ReadingStore, ReadingWireFormat, StoredDeadLetter } from '../../core/storePorts.js';

export interface InfluxStoreOptions {
  url: string;
  token: string;
  org: string;
  bucket: string;
  measurement: string;
  deadLetterMeasurement?: string;
  timeoutMs?: number;
  /** INFLUX_CONTENT_ENCODING: `gzip` (default) compresses write bodies above 1 kB; `identity` sends them as they are. */
  contentEncoding?: 'gzip' | 'identity';
}

/**
 * Point layout (one point per reading):
 *   measurement  readings (INFLUX_MEASUREMENT)
 *   tags         tenant, device, kind, site?, channel?
 *   field        <metric> = value (float, canonical unit)
 *   time         observedAt, ms precision
 * Everything that identifies the point comes from the reading, so a redelivered
 * reading overwrites itself instead of adding a duplicate.
 */
export function readingToLine(r: CanonicalReading, measurement: string): string {
  // Written by hand rather than with the client's Point (which builds and sorts maps per
  // point): this runs once per reading and was ~10 % of the writer's CPU. Same bytes as
  // Point: tags in key order, empty tags left out, the client's escaping
  // (influxStore.test.ts compares the two on generated readings).
  let line = escapeMeasurement(measurement);
  if (r.channel) line += `,channel=${escapeKey(r.channel)}`;
  line += `,device=${escapeKey(r.deviceId)},kind=${escapeKey(r.kind)}`;
  if (r.site) line += `,site=${escapeKey(r.site)}`;
  return `${line},tenant=${escapeKey(r.tenant)} ${escapeKey(r.metric)}=${String(r.value)} ${Date.parse(r.observedAt)}`;
}

const ESCAPES: Record<string, string> = { ',': '\\,', ' ': '\\ ', '=': '\\=', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const KEY_SPECIAL = /[, =\n\r\t]/g;
const MEASUREMENT_SPECIAL = /[, \n\r\t]/g;
/** Tag keys, tag values and field keys: `,`, ` `, `=` and line breaks / tabs escaped. */
const escapeKey = (s: string) => (s.search(KEY_SPECIAL) < 0 ? s : s.replace(KEY_SPECIAL, (c) => ESCAPES[c]!));
const escapeMeasurement = (s: string) => (s.search(MEASUREMENT_SPECIAL) < 0 ? s : s.replace(MEASUREMENT_SPECIAL, (c) => ESCAPES[c]!));

/** Dead-letter points are placed within the minute of their dead-letter time (see deadLetterToLine). */
const DEAD_LETTER_SLOT_NS = 60_000_000_000n;

/**
 * Dead letters are archived as points too (for the data-quality dashboards). A point is
 * identified by its tags and time, so the time must come from the dead letter's id
 * (deterministic: core/deadLetter.ts) for a message dead-lettered twice (MQTT
 * redelivery, seconds later, with a new dead-letter time) to overwrite itself: the start
 * of the minute of the dead-letter time, minus a nanosecond offset of up to a minute taken
 * from the id. Minus: a point never lies in the future (queries stop at now()), and at
 * most two minutes before its real time (the dead-letter-rate alert looks at 15). Two deliveries on either side of a full minute
 * are still two points (the `id` field tells them apart, `unique(column: "id")`). Two
 * different dead letters of the same stage, reason and decoder collide only if their
 * 6 × 10¹⁰ ns slots do: n²/1.2 × 10¹¹ for n in one minute (10,000 a minute: 1 in 1,200
 * minutes).
 */
export function deadLetterToLine(d: StoredDeadLetter, measurement: string): string {
  const dl = d.deadLetter;
  const slot = (BigInt(Date.parse(dl.deadLetteredAt)) * 1_000_000n / DEAD_LETTER_SLOT_NS) * DEAD_LETTER_SLOT_NS;
  const ns = slot - BigInt(`0x${createHash('sha256').update(d.id).digest('hex').slice(0, 16)}`) % DEAD_LETTER_SLOT_NS;
  const p = new Point(measurement)
    .tag('stage', dl.stage)
    .tag('reason', dl.reason)
    .tag('decoder', dl.decoder?.name ?? 'none')
    .intField('count', 1)
    .stringField('id', d.id.slice(0, 64))
    .stringField('topic', dl.topic.slice(0, 256))
    .stringField('field', dl.field.slice(0, 256))
    .stringField('message', dl.message.slice(0, 1024))
    .timestamp(`${ns}`);
  return p.toLineProtocol()!;
}

export class InfluxStore implements ReadingStore {
  readonly kind = 'influxdb' as const;
  private readonly influx: InfluxDB;
  private readonly query: QueryApi;

  constructor(private readonly o: InfluxStoreOptions) {
    this.influx = new InfluxDB({ url: o.url, token: o.token, timeout: o.timeoutMs ?? 30_000 });
    this.query = this.influx.getQueryApi(o.org);
  }

  async init(): Promise<void> {}

  async writeReadings(readings: CanonicalReading[]): Promise<void> {
    if (readings.length === 0) return;
    await this.writeLines(readings.map((r) => readingToLine(r, this.o.measurement)), 'ms');
  }

  /** Line protocol (escaping keeps line breaks out of a line). */
  readonly wire: ReadingWireFormat = {
    encode: (r) => readingToLine(r, this.o.measurement),
    write: (lines) => (lines.length === 0 ? Promise.resolve() : this.writeBody(lines, 'ms')),
  };

  async writeDeadLetters(items: StoredDeadLetter[]): Promise<void> {
    if (items.length === 0) return;
    await this.writeLines(items.map((d) => deadLetterToLine(d, this.o.deadLetterMeasurement ?? 'dead_letters')), 'ns');
  }

  /** Raw line-protocol write through the official client's transport (gzip above 1 kB unless `contentEncoding` is `identity`). */
  writeLines(lines: string[], precision: 'ms' | 'ns'): Promise<void> {
    return this.writeBody(lines.join('\n'), precision);
  }

  private async writeBody(body: string, precision: 'ms' | 'ns'): Promise<void> {
    const q = new URLSearchParams({ org: this.o.org, bucket: this.o.bucket, precision });
    try {
      await this.influx.transport.request(`/api/v2/write?${q}`, body, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        // gzip at zlib's default level was ~16 % of the writer's CPU in the bench's profile:
        // worth it over a network, not to an InfluxDB on the same host
        ...(this.o.contentEncoding === 'identity' ? {} : { gzipThreshold: 1000 }),
      });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async latest({ limit, tenant }: { limit: number; tenant?: string }): Promise<LatestReading[]> {
    const tenantFilter = tenant ? `|> filter(fn: (r) => r.tenant == ${JSON.stringify(tenant)})` : '';
    const flux = `from(bucket: ${JSON.stringify(this.o.bucket)})
      |> range(start: -30d)
      |> filter(fn: (r) => r._measurement == ${JSON.stringify(this.o.measurement)})
      ${tenantFilter}
      |> last()
      |> group()
      |> sort(columns: ["_time"], desc: true)
      |> limit(n: ${Math.max(1, Math.floor(limit))})`;
    try {
      const rows = await this.query.collectRows<Record<string, string | number>>(flux);
      return rows.map((r) => ({
        tenant: String(r.tenant),
        deviceId: String(r.device),
        kind: String(r.kind),
        ...(r.site ? { site: String(r.site) } : {}),
        metric: String(r._field),
        ...(isMetricName(String(r._field)) ? { unit: METRICS[String(r._field) as MetricName].unit } : {}),
        ...(r.channel ? { channel: String(r.channel) } : {}),
        value: Number(r._value),
        observedAt: String(r._time),
      }));
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async ping(): Promise<boolean> {
    try {
      const res = await fetch(new URL('/health', this.o.url), { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}
}

function toStoreError(err: unknown): StoreError {
  if (err instanceof HttpError) {
    const s = err.statusCode;
    const body = (err.body ?? err.message).slice(0, 2000);
    if (s === 400 || s === 413 || s === 422) return new StoreError('STORE_REJECTED', `InfluxDB rejected the write (${s}): ${body}`, s, err);
    if (s === 429) return new StoreError('STORE_THROTTLED', `InfluxDB throttled the write (429)`, s, err);
    // 5xx are transient; 401/403/404 (token, bucket) are configuration that an operator
    // can fix while we wait: retried too, never dropped.
    return new StoreError('STORE_UNAVAILABLE', `InfluxDB answered ${s}: ${body}`, s, err);
  }
  return new StoreError('STORE_UNAVAILABLE', `InfluxDB unreachable: ${(err as Error)?.message ?? String(err)}`, undefined, err);
}
