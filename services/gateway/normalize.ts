import { METRICS, isMetricName, type CanonicalUnit, type MetricName, type MetricSpec } from '../core/metrics.js';
import { readingIdOf, type CanonicalReading } from '../core/reading.js';
import type { RejectedValue } from '../core/deadLetter.js';
import { toCanonical } from '../core/units.js';
import type { Device, DeviceLookup } from '../registry/deviceRegistry.js';
import type { DecodedValue, Decoder } from '../decoders/types.js';
import type { FrameTimeCache } from './frameTimeCache.js';
import { distanceToFill } from './fillGeometry.js';
import { lastIsoTimeCache } from '../core/isoTime.js';

// Consecutive messages share their received millisecond, and often their observed time.
const receivedIso = lastIsoTimeCache();
const observedIso = lastIsoTimeCache();

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
  /** Shared (and empty) when nothing was rejected: not to be modified. */
  rejected: RejectedValue[];
}

const NONE_REJECTED: RejectedValue[] = [];

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
  let rejected: RejectedValue[] | undefined; // made for the first rejection
  const receivedMs = ctx.receivedAt.getTime();
  const receivedAt = receivedIso(receivedMs);
  const minObservedMs = opts.minObservedAt.getTime();
  let source: CanonicalReading['source'] | undefined; // one per message, shared by its readings

  let pending = values; // derived values (distance → fill level) are appended to a copy
  for (let i = 0; i < pending.length; i++) {
    const v = pending[i]!;
    const device = opts.registry.get(v.deviceRef);
    if (!device) {
      rejected = fail(rejected, 'unknown_device', 'device', `device ${JSON.stringify(v.deviceRef)} is not in the registry`);
      continue;
    }
    if (ctx.tenantHint !== undefined && ctx.tenantHint !== device.tenant) {
      rejected = fail(rejected, 'tenant_mismatch', 'topic', `device ${v.deviceRef} belongs to another tenant than ${ctx.tenantHint}`);
      continue;
    }
    if (v.metric === 'distance') {
      // Ultrasonic fill-level sensors measure the distance down to the waste; the
      // container's geometry from the registry turns it into a fill level.
      const fill = distanceToFill(v, device.params);
      if (!fill.ok) {
        rejected = fail(rejected, fill.reason, fill.field, fill.message);
        continue;
      }
      if (pending === values) pending = values.slice();
      pending.push(...fill.values);
      continue;
    }
    if (!isMetricName(v.metric)) {
      rejected = fail(rejected, 'unknown_metric', `${v.field}.metric`, `unknown metric ${JSON.stringify(v.metric)}`);
      continue;
    }
    const spec: MetricSpec = METRICS[v.metric];
    if (spec.kinds && !spec.kinds.includes(device.kind)) {
      rejected = fail(rejected, 'unknown_metric', `${v.field}.metric`, `${v.metric} is not a metric of a ${device.kind} (the device's registered kind); it comes from ${spec.kinds.join(' or ')}`);
      continue;
    }
    const value = v.unit === undefined ? v.value : toCanonical(v.value, v.unit, spec.unit);
    if (value === undefined) {
      rejected = fail(rejected, 'bad_unit', `${v.field}.unit`, `${JSON.stringify(v.unit)} cannot be converted to ${spec.unit} for ${v.metric}`);
      continue;
    }
    if (!Number.isFinite(value)) {
      rejected = fail(rejected, 'implausible_value', `${v.field}.value`, 'must be a finite number');
      continue;
    }
    if (spec.cumulative && value < 0) {
      rejected = fail(rejected, 'implausible_value', `${v.field}.value`, `a cumulative register (${v.metric}) cannot be negative`);
      continue;
    }
    if (value < spec.min || value > spec.max) {
      rejected = fail(rejected, 'implausible_value', `${v.field}.value`, `${v.metric} must be within [${spec.min}, ${spec.max}] ${spec.unit}`);
      continue;
    }
    if (spec.integer && !Number.isInteger(value)) {
      rejected = fail(rejected, 'implausible_value', `${v.field}.value`, `${v.metric} must be a whole number`);
      continue;
    }
    let observed = v.observedAt ?? ctx.receivedAt;
    if (v.frameCounter !== undefined && opts.frameTimes) observed = opts.frameTimes.resolve(`${device.tenant}/${device.id}`, v.frameCounter, observed);
    const observedMs = observed.getTime();
    if (Number.isNaN(observedMs)) {
      rejected = fail(rejected, 'implausible_time', `${v.field}.time`, 'not a valid time');
      continue;
    }
    if (observedMs - receivedMs > opts.maxFutureMs) {
      rejected = fail(rejected, 'future_time', `${v.field}.time`, `more than ${opts.maxFutureMs / 1000} s after the time it was received`);
      continue;
    }
    if (observedMs < minObservedMs) {
      rejected = fail(rejected, 'implausible_time', `${v.field}.time`, `before ${opts.minObservedAt.toISOString()}: the device clock is not set`);
      continue;
    }
    source ??= { format: ctx.decoder.name, decoderVersion: ctx.decoder.version, topic: ctx.topic };
    readings.push(canonicalReading(v.metric, v.channel, observedMs, device, value, spec.unit, receivedAt, source));
  }
  return { readings, rejected: rejected ?? NONE_REJECTED };
}

function fail(rejected: RejectedValue[] | undefined, reason: RejectedValue['reason'], field: string, message: string): RejectedValue[] {
  const r = rejected ?? [];
  r.push({ reason, field, message });
  return r;
}

/**
 * The reading, its properties in this order (the JSON on the bus keeps it): id, tenant,
 * deviceId, metric, observedAt, channel?, site?, kind, value, unit, receivedAt, source.
 * One object literal per combination of the optional ones rather than spreads or added
 * properties: this runs once per reading, and a literal is allocated in one piece.
 */
function canonicalReading(
  metric: MetricName,
  channel: string | undefined,
  observedMs: number,
  device: Device,
  value: number,
  unit: CanonicalUnit,
  receivedAt: string,
  source: CanonicalReading['source'],
): CanonicalReading {
  const id = readingIdOf(device.tenant, device.id, metric, channel, observedMs);
  const { tenant, id: deviceId, site, kind } = device;
  const observedAt = observedIso(observedMs);
  if (channel === undefined) {
    return site === undefined
      ? { id, tenant, deviceId, metric, observedAt, kind, value, unit, receivedAt, source }
      : { id, tenant, deviceId, metric, observedAt, site, kind, value, unit, receivedAt, source };
  }
  return site === undefined
    ? { id, tenant, deviceId, metric, observedAt, channel, kind, value, unit, receivedAt, source }
    : { id, tenant, deviceId, metric, observedAt, channel, site, kind, value, unit, receivedAt, source };
}
