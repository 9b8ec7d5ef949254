import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Why something could not be used. Stable codes: dashboards and alerts group by them. */
export const DEAD_LETTER_REASONS = [
  'not_json',
  'schema',
  // the decoder refused the topic's shape (e.g. a TTN topic without /devices/)
  'unsupported_topic',
  // no decoder route takes the topic (e.g. klimatpuls/{tenant}/dev/data, tenants/{tenant}/unknown/x):
  // the gateway subscribes to every tenant root, so such a message is kept, not lost
  'no_route',
  'decode_error',
  'payload_too_large',
  'unknown_device',
  'tenant_mismatch',
  'unknown_metric',
  'bad_unit',
  'implausible_value',
  'missing_device_params',
  'no_values',
  'future_time',
  'implausible_time',
  'bad_record',
  'store_rejected',
  // over the per-device or per-tenant message rate (RATE_LIMIT_*): kept, not dropped
  'rate_limited',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export const rejectedValueSchema = z.object({
  reason: z.enum(DEAD_LETTER_REASONS),
  field: z.string(),
  message: z.string(),
});
export type RejectedValue = z.infer<typeof rejectedValueSchema>;

/**
 * A dead letter keeps everything needed to understand and replay what failed:
 * the raw payload (base64, it may not be text), where it came from, which decoder
 * (and version) looked at it, and every value it had to reject with field + rule.
 */
export const deadLetterSchema = z.object({
  /**
   * Deterministic (deadLetterId): the same message dead-lettered twice (MQTT redelivery,
   * a writer restart) has the same id, so the archive (DuckDB primary key, InfluxDB point)
   * and other consumers deduplicate. Optional only for records written before it existed.
   */
  id: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  reason: z.enum(DEAD_LETTER_REASONS),
  field: z.string(),
  message: z.string(),
  rejected: z.array(rejectedValueSchema),
  // import: rows of a file that klimatpuls import could not use (services/import)
  stage: z.enum(['gateway', 'writer', 'import']),
  topic: z.string(),
  payloadBase64: z.string(),
  /** Size of the original payload; only the first MAX_KEPT_PAYLOAD bytes are kept. */
  payloadBytes: z.number().int().nonnegative().optional(),
  payloadTruncated: z.boolean().optional(),
  decoder: z.object({ name: z.string(), version: z.string() }).nullable(),
  receivedAt: z.iso.datetime(),
  deadLetteredAt: z.iso.datetime(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

/**
 * A dead letter keeps at most this much of the payload: a dead letter must always
 * fit in a Kafka record (1 MB by default), or a huge bad message would block the
 * gateway retrying a record the broker never accepts.
 */
export const MAX_KEPT_PAYLOAD = 64 * 1024;

/**
 * A dead letter's id: 128 bits of SHA-256 over stage, reason, topic and the whole
 * payload (or `identity`, e.g. a reading id, where the payload is not the same twice).
 * Not the bus position or a time: those change when MQTT redelivers the message.
 * Two identical messages (same bytes, same topic) are one dead letter, as two identical
 * readings are one reading.
 */
export function deadLetterId(stage: DeadLetter['stage'], reason: DeadLetterReason, topic: string, identity: Buffer | string): string {
  return createHash('sha256').update(`${stage}\u0000${reason}\u0000${topic}\u0000`).update(identity).digest('hex').slice(0, 32);
}

/** The id of a dead letter, also for one written before ids existed (from its kept payload). */
export function idOf(d: DeadLetter): string {
  return d.id ?? deadLetterId(d.stage, d.reason, d.topic, Buffer.from(d.payloadBase64, 'base64'));
}

export function makeDeadLetter(args: {
  rejected: RejectedValue[];
  stage: DeadLetter['stage'];
  topic: string;
  payload: Buffer;
  decoder: DeadLetter['decoder'];
  receivedAt: Date;
  now?: Date;
  /** What identifies the message when the payload does not (default: the payload). */
  identity?: string;
}): DeadLetter {
  const first = args.rejected[0] ?? { reason: 'schema' as const, field: '(payload)', message: 'rejected' };
  return {
    id: deadLetterId(args.stage, first.reason, args.topic, args.identity ?? args.payload),
    reason: first.reason,
    field: first.field,
    message: first.message,
    rejected: args.rejected,
    stage: args.stage,
    topic: args.topic,
    payloadBase64: args.payload.subarray(0, MAX_KEPT_PAYLOAD).toString('base64'),
    ...(args.payload.length > MAX_KEPT_PAYLOAD ? { payloadBytes: args.payload.length, payloadTruncated: true } : {}),
    decoder: args.decoder,
    receivedAt: args.receivedAt.toISOString(),
    deadLetteredAt: (args.now ?? new Date()).toISOString(),
  };
}
