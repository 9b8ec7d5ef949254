import { METRICS, isMetricName } from '../core/metrics.js';
import { readingId, type CanonicalReading } from '../core/reading.js';
import type { RejectedValue } from '../core/deadLetter.js';
import { toCanonical } from '../core/units.js';
import type { DeviceLookup } from '../registry/deviceRegistry.js';
import type { DecodedValue, Decoder } from '../decoders/types.js';
import type { FrameTimeCache } from './frameTimeCache.js';
import { distanceToFill } from './fillGeometry.js';

export interface NormalizeOptions {
  registry: DeviceLookup;
  /** Same frame counter → same observed time (LoRaWAN duplicates); optional. */
  frameTimes?: FrameTimeCache;
  /** How far an observed time may lie ahead of the received time (device clock skew). */
  maxFutureMs: number;
  /** Observed times before this are a device clock that was never set (year 1970, 1111 ...). */
  minObservedAt: Date;
}

export interface NormalizeResult {
  readings: CanonicalReading[];
  rejected: RejectedValue[];
}

/**
 * Turns decoded values into canonical readings: registry lookup (tenant, kind,
 * site), unit conversion, plausibility rules. Every value ends up in exactly one
 * of `readings` or `rejected`.
 */
export function normalize(
  values: DecodedValue[],
  ctx: { topic: string; receivedAt: Date; tenantHint?: string; decoder: Pick<Decoder, 'name' | 'version'> },
  opts: NormalizeOptions,
): NormalizeResult {
  const readings: CanonicalReading[] = [];
  const rejected: RejectedValue[] = [];
  const receivedAt = ctx.receivedAt.toISOString();

  const pending = [...values]; // derived values (distance → fill level) are appended
  for (let i = 0; i < pending.length; i++) {
    const raw = pending[i]!;
    const fail = (reason: RejectedValue['reason'], field: string, message: string) =>
      rejected.push({ reason, field, message });
    const v = raw;

    const device = opts.registry.get(v.deviceRef);
    if (!device) {
      fail('unknown_device', 'device', `device ${JSON.stringify(v.deviceRef)} is not in the registry`);
      continue;
    }
    if (ctx.tenantHint !== undefined && ctx.tenantHint !== device.tenant) {
      fail('tenant_mismatch', 'topic', `device ${v.deviceRef} belongs to another tenant than ${ctx.tenantHint}`);
      continue;
    }
    if (v.metric === 'distance') {
      // Ultrasonic fill-level sensors measure the distance down to the waste; the
      // container's geometry from the registry turns it into a fill level.
      const fill = distanceToFill(v, device.params);
      if (!fill.ok) {
        fail(fill.reason, fill.field, fill.message);
        continue;
      }
      pending.push(...fill.values);
      continue;
    }
    if (!isMetricName(v.metric)) {
      fail('unknown_metric', `${v.field}.metric`, `unknown metric ${JSON.stringify(v.metric)}`);
      continue;
    }
    const spec = METRICS[v.metric];
    const value = v.unit === undefined ? v.value : toCanonical(v.value, v.unit, spec.unit);
    if (value === undefined) {
      fail('bad_unit', `${v.field}.unit`, `${JSON.stringify(v.unit)} cannot be converted to ${spec.unit} for ${v.metric}`);
      continue;
    }
    if (!Number.isFinite(value)) {
      fail('implausible_value', `${v.field}.value`, 'must be a finite number');
      continue;
    }
    if (spec.cumulative && value < 0) {
      fail('implausible_value', `${v.field}.value`, `a cumulative register (${v.metric}) cannot be negative`);
      continue;
    }
    if (value < spec.min || value > spec.max) {
      fail('implausible_value', `${v.field}.value`, `${v.metric} must be within [${spec.min}, ${spec.max}] ${spec.unit}`);
      continue;
    }
    if ('integer' in spec && spec.integer && !Number.isInteger(value)) {
      fail('implausible_value', `${v.field}.value`, `${v.metric} must be a whole number`);
      continue;
    }
    let observed = v.observedAt ?? ctx.receivedAt;
    if (v.frameCounter !== undefined && opts.frameTimes) observed = opts.frameTimes.resolve(`${device.tenant}/${device.id}`, v.frameCounter, observed);
    if (Number.isNaN(observed.getTime())) {
      fail('implausible_time', `${v.field}.time`, 'not a valid time');
      continue;
    }
    if (observed.getTime() - ctx.receivedAt.getTime() > opts.maxFutureMs) {
      fail('future_time', `${v.field}.time`, `more than ${opts.maxFutureMs / 1000} s after the time it was received`);
      continue;
    }
    if (observed < opts.minObservedAt) {
      fail('implausible_time', `${v.field}.time`, `before ${opts.minObservedAt.toISOString()}: the device clock is not set`);
      continue;
    }
    const base = {
      tenant: device.tenant,
      deviceId: device.id,
      metric: v.metric,
      observedAt: observed.toISOString(),
      ...(v.channel !== undefined ? { channel: v.channel } : {}),
    };
    readings.push({
      id: readingId(base),
      ...base,
      ...(device.site !== undefined ? { site: device.site } : {}),
      kind: device.kind,
      value,
      unit: spec.unit,
      receivedAt,
      source: { format: ctx.decoder.name, decoderVersion: ctx.decoder.version, topic: ctx.topic },
    });
  }
  return { readings, rejected };
}
