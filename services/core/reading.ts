import crypto from 'node:crypto';
import { z } from 'zod';
import { CANONICAL_UNITS, METRIC_NAMES, SENSOR_KINDS } from './metrics.js';

/** Tenants are slugs: they appear in MQTT topics, Kafka keys and InfluxDB tags. */
export const TENANT_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The one normalized reading every part of Klimatpuls speaks. */
export const canonicalReadingSchema = z.object({
  /** Deterministic: the same tenant, device, metric, channel and observed time give the same id. */
  id: z.string().regex(/^[0-9a-f]{32}$/),
  tenant: z.string().regex(TENANT_RE),
  deviceId: z.string().min(1).max(128),
  site: z.string().max(128).optional(),
  kind: z.enum(SENSOR_KINDS),
  metric: z.enum(METRIC_NAMES),
  /** Sub-channel of a device, e.g. the direction of a counter; part of the identity. */
  channel: z.string().max(64).optional(),
  value: z.number().finite(),
  unit: z.enum(CANONICAL_UNITS),
  observedAt: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
  source: z.object({
    format: z.string(),
    decoderVersion: z.string(),
    topic: z.string(),
  }),
});

export type CanonicalReading = z.infer<typeof canonicalReadingSchema>;

export function readingId(r: Pick<CanonicalReading, 'tenant' | 'deviceId' | 'metric' | 'channel' | 'observedAt'>): string {
  return readingIdOf(r.tenant, r.deviceId, r.metric, r.channel, Date.parse(r.observedAt));
}

/** crypto.hash (Node ≥ 20.12) hashes in one call, without a Hash stream object; same digest. */
const sha256Hex: (data: string) => string =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'hex') : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** readingId with the observed time as epoch milliseconds (what the normalizer has at hand). */
export function readingIdOf(tenant: string, deviceId: string, metric: string, channel: string | undefined, observedMs: number): string {
  return sha256Hex(`${tenant}\n${deviceId}\n${metric}\n${channel ?? ''}\n${observedMs}`).slice(0, 32);
}
