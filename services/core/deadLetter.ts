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
  decoder: z.object({ name: z.string(), version: z.string() }).nullable(),
  receivedAt: z.iso.datetime(),
  deadLetteredAt: z.iso.datetime(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

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
    payloadBase64: args.payload.toString('base64'),
    decoder: args.decoder,
    receivedAt: args.receivedAt.toISOString(),
    deadLetteredAt: (args.now ?? new Date()).toISOString(),
  };
}
