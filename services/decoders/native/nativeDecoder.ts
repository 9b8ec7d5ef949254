import { z } from 'zod';
import { reject, type DecodeContext, type DecodeResult, type DecodedValue, type Decoder } from '../types.js';
import { describeIssue, parseJson } from '../zodIssue.js';
import { checkNativePayload, type NativePayload } from './nativePayloadCheck.js';

/**
 * The native Klimatpuls format, for devices and gateways that we (or a housing
 * company) program ourselves.
 *
 * Topic:   klimatpuls/{tenant}/{deviceId}/up
 * Payload: {"time": "2025-03-01T10:00:00Z",           // optional, ISO 8601 with offset, or epoch ms
 *           "readings": [{"metric": "energy_total", "value": 1234.5, "unit": "kWh",
 *                         "channel": "in", "time": "..."}]}   // unit, channel, time optional
 * A reading's own `time` wins over the message's. Times without an offset are
 * rejected: a device clock in local time is ambiguous across DST.
 */
const MAX_READINGS = 1000;

const time = z.union([
  z.iso.datetime({ offset: true, message: 'an ISO 8601 time with offset (Z or +01:00)' }),
  z.number().int().positive('epoch milliseconds, > 0'),
]);

export const nativePayloadSchema = z.object({
  device: z.string().min(1).max(128).optional(),
  time: time.optional(),
  readings: z
    .array(
      z.object({
        metric: z.string().min(1).max(64),
        value: z.number({ message: 'a finite number' }),
        unit: z.string().min(1).max(16).optional(),
        channel: z.string().min(1).max(64).optional(),
        time: time.optional(),
      }),
    )
    .min(1, 'at least one reading')
    .max(MAX_READINGS, `at most ${MAX_READINGS} readings per message`),
});

/**
 * klimatpuls/{tenant}/{deviceId}/up, both non-empty and without '/' (what
 * /^klimatpuls\/([^/]+)\/([^/]+)\/up$/ matches), parsed without a regex match array:
 * this runs for every message.
 */
export function parseNativeTopic(topic: string): { tenant: string; device: string } | undefined {
  const PREFIX = 'klimatpuls/';
  if (!topic.startsWith(PREFIX) || !topic.endsWith('/up')) return undefined;
  const tenantEnd = topic.indexOf('/', PREFIX.length);
  const deviceEnd = topic.length - 3;
  if (tenantEnd <= PREFIX.length || deviceEnd <= tenantEnd + 1 || topic.indexOf('/', tenantEnd + 1) !== deviceEnd) return undefined;
  return { tenant: topic.slice(PREFIX.length, tenantEnd), device: topic.slice(tenantEnd + 1, deviceEnd) };
}

/** `readings[i]`, the first ones made once (a value's field is only read when it is rejected). */
const READING_FIELDS = Array.from({ length: 16 }, (_, i) => `readings[${i}]`);
function readingField(i: number): string {
  return READING_FIELDS[i] ?? `readings[${i}]`;
}

export const nativeDecoder: Decoder = {
  name: 'native',
  version: '1.0.0',
  decode(payload: Buffer, ctx: DecodeContext): DecodeResult {
    const m = parseNativeTopic(ctx.topic);
    if (!m) return reject('unsupported_topic', 'topic', 'expected klimatpuls/{tenant}/{deviceId}/up');
    const { tenant, device: deviceFromTopic } = m;
    const json = parseJson(payload);
    if (!json.ok) return reject('not_json', '(payload)', json.message);
    let p: NativePayload | undefined = checkNativePayload(json.value, MAX_READINGS);
    if (p === undefined) {
      const parsed = nativePayloadSchema.safeParse(json.value);
      if (!parsed.success) {
        const { field, message } = describeIssue(parsed.error);
        return reject('schema', field, message);
      }
      p = parsed.data;
    }
    if (p.device !== undefined && p.device !== deviceFromTopic) {
      return reject('schema', 'device', `must match the device in the topic (${deviceFromTopic})`);
    }
    const messageTime = p.time;
    const values: DecodedValue[] = [];
    for (let i = 0; i < p.readings.length; i++) {
      const r = p.readings[i]!;
      const t = r.time ?? messageTime;
      values.push({
        deviceRef: deviceFromTopic,
        metric: r.metric,
        value: r.value,
        unit: r.unit,
        channel: r.channel,
        observedAt: t === undefined ? undefined : new Date(t),
        field: readingField(i),
      });
    }
    return { ok: true, tenantHint: tenant, values };
  },
};
