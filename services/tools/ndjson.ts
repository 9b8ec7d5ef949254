import { z } from 'zod';

/**
 * One captured MQTT message per line. The payload is kept as text when it is
 * valid UTF-8 (readable, diffable) and as base64 otherwise (binary, or invalid
 * UTF-8 on purpose: fault injection).
 */
export const capturedMessageSchema = z
  .object({
    topic: z.string().min(1),
    payload: z.string().optional(),
    payloadBase64: z.string().optional(),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
    retain: z.boolean().optional(),
    /** Capture (or scheduled publish) time, ISO 8601. */
    time: z.iso.datetime(),
  })
  .refine((m) => (m.payload === undefined) !== (m.payloadBase64 === undefined), 'exactly one of payload, payloadBase64');
export type CapturedMessage = z.infer<typeof capturedMessageSchema>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function toCaptured(topic: string, payload: Buffer, qos: 0 | 1 | 2, time: Date, retain?: boolean): CapturedMessage {
  let text: string | undefined;
  try {
    text = utf8.decode(payload);
  } catch {
    text = undefined;
  }
  return {
    topic,
    ...(text === undefined ? { payloadBase64: payload.toString('base64') } : { payload: text }),
    qos,
    ...(retain ? { retain } : {}),
    time: time.toISOString(),
  };
}

export function payloadOf(m: CapturedMessage): Buffer {
  return m.payload !== undefined ? Buffer.from(m.payload, 'utf8') : Buffer.from(m.payloadBase64!, 'base64');
}
