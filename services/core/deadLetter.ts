import { z } from 'zod';

/** Why something could not be used. Stable codes: dashboards and alerts group by them. */
export const DEAD_LETTER_REASONS = [
  'not_json',
  'schema',
  'unsupported_topic',
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
  reason: z.enum(DEAD_LETTER_REASONS),
  field: z.string(),
  message: z.string(),
  rejected: z.array(rejectedValueSchema),
  stage: z.enum(['gateway', 'writer']),
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

export function makeDeadLetter(args: {
  rejected: RejectedValue[];
  stage: DeadLetter['stage'];
  topic: string;
  payload: Buffer;
  decoder: DeadLetter['decoder'];
  receivedAt: Date;
  now?: Date;
}): DeadLetter {
  const first = args.rejected[0] ?? { reason: 'schema' as const, field: '(payload)', message: 'rejected' };
  return {
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
