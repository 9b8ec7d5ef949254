import { makeDeadLetter } from '../../core/deadLetter.js';
import type { ProcessedMessage } from '../messageProcessor.js';
import { tenantOfTopic } from '../../tenants/topicSpace.js';
import { TokenBuckets } from '../../core/tokenBuckets.js';

export interface RateLimits {
  /** Messages per minute per device; 0 = no device limit. */
  devicePerMin: number;
  deviceBurst?: number;
  /** Messages per second per tenant; 0 = no tenant limit. */
  tenantPerSec: number;
  tenantBurst?: number;
  /** Most devices/tenants tracked at once (bounded memory). */
  maxKeys: number;
  now?: () => number;
}

/**
 * Per-device and per-tenant message rate limits (token buckets) in the gateway.
 * A message over either limit is not dropped: it becomes a dead letter with
 * reason `rate_limited` (raw payload kept, so it can be replayed), and its
 * readings are not produced. A message is attributed to the devices and tenant
 * of its readings; one that yields none (undecodable, unknown device) to its
 * topic, and to the tenant the topic names, so garbage floods are limited too.
 */
export class MessageRateLimiter {
  private readonly devices?: TokenBuckets;
  private readonly tenants?: TokenBuckets;

  constructor(private readonly o: RateLimits) {
    if (o.devicePerMin > 0) {
      this.devices = new TokenBuckets({ ratePerSec: o.devicePerMin / 60, burst: o.deviceBurst ?? Math.max(1, Math.ceil(o.devicePerMin / 6)), maxKeys: o.maxKeys, now: o.now });
    }
    if (o.tenantPerSec > 0) {
      this.tenants = new TokenBuckets({ ratePerSec: o.tenantPerSec, burst: o.tenantBurst ?? Math.max(1, o.tenantPerSec * 10), maxKeys: Math.min(o.maxKeys, 100_000), now: o.now });
    }
  }

  get enabled(): boolean {
    return Boolean(this.devices || this.tenants);
  }

  /** The message as processed, or a `rate_limited` dead letter in its place. */
  apply(topic: string, payload: Buffer, receivedAt: Date, result: ProcessedMessage): ProcessedMessage {
    if (!this.enabled) return result;
    const deviceKeys = result.readings.length > 0 ? [...new Set(result.readings.map((r) => `${r.tenant}/${r.deviceId}`))] : [`topic:${topic}`];
    const tenant = result.readings[0]?.tenant ?? tenantOfTopic(topic);
    const overDevice = this.devices ? deviceKeys.find((k) => !this.devices!.has(k)) : undefined;
    const overTenant = !overDevice && this.tenants && tenant !== undefined && !this.tenants.has(tenant);
    if (!overDevice && !overTenant) {
      for (const k of deviceKeys) this.devices?.take(k);
      if (tenant !== undefined) this.tenants?.take(tenant);
      return result;
    }
    const message = overDevice
      ? `device ${overDevice.replace(/^topic:/, 'on topic ')} is over ${this.o.devicePerMin} messages per minute`
      : `tenant ${tenant} is over ${this.o.tenantPerSec} messages per second`;
    const source = result.readings[0]?.source;
    return {
      readings: [],
      deadLetter: makeDeadLetter({
        rejected: [{ reason: 'rate_limited', field: '(message)', message }, ...(result.deadLetter?.rejected ?? [])],
        stage: 'gateway',
        topic,
        payload,
        decoder: source ? { name: source.format, version: source.decoderVersion } : (result.deadLetter?.decoder ?? null),
        receivedAt,
      }),
    };
  }
}
