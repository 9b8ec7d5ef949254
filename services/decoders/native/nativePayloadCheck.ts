import { z } from 'zod';

/** A native payload as nativePayloadSchema (nativeDecoder.ts) outputs it. */
export interface NativePayload {
  device?: string;
  time?: string | number;
  readings: Array<{ metric: string; value: number; unit?: string; channel?: string; time?: string | number }>;
}

const isoWithOffset = z.iso.datetime({ offset: true });

/**
 * The gateway's hot path: running zod's nativePayloadSchema costs more than decoding the
 * message (allocations, issue bookkeeping). This hand check accepts only payloads
 * nativePayloadSchema certainly accepts, with the same output (the fields read from it are
 * the same values); everything else returns undefined and goes to nativePayloadSchema,
 * which decides and words the error. So accepted input, output and error messages
 * are those of zod; the rules mirror nativePayloadSchema and must change with it.
 */
export function checkNativePayload(json: unknown, maxReadings: number): NativePayload | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const p = json as Record<string, unknown>;
  if (p.device !== undefined && !isString(p.device, 128)) return undefined;
  if (p.time !== undefined && !isTime(p.time)) return undefined;
  const readings = p.readings;
  if (!Array.isArray(readings) || readings.length < 1 || readings.length > maxReadings) return undefined;
  for (let i = 0; i < readings.length; i++) {
    const r: unknown = readings[i];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return undefined;
    const { metric, value, unit, channel, time } = r as Record<string, unknown>;
    if (!isString(metric, 64) || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    if (unit !== undefined && !isString(unit, 16)) return undefined;
    if (channel !== undefined && !isString(channel, 64)) return undefined;
    if (time !== undefined && !isTime(time)) return undefined;
  }
  return json as NativePayload;
}

/** z.string().min(1).max(max) (lengths in UTF-16 code units, as zod counts). */
function isString(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= max;
}

/** The schema's `time`: epoch ms (a positive safe integer), or an ISO time with offset (zod's own check). */
function isTime(v: unknown): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0;
  return typeof v === 'string' && isoWithOffset.safeParse(v).success;
}
