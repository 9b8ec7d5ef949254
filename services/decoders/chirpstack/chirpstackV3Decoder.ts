import { z } from 'zod';
import { reject, type DecodeContext, type DecodeResult, type Decoder } from '../types.js';
import { describeIssue, parseJson } from '../zodIssue.js';
import { looksLike, normalizeDevEui, registryModel, timeString, uplinkValues } from '../lorawan/uplink.js';

/**
 * ChirpStack Application Server v3 uplink events from its MQTT integration.
 *
 * Topic:   application/{application id}/device/{DevEUI hex}/event/up   (v3.x)
 *          application/{application id}/device/{DevEUI hex}/rx         (older LoRa App Server)
 *          No tenantHint (v3 has organizations, not Klimatpuls tenants).
 * Payload: ChirpStack AS v3 UplinkEvent ("Event types" in the ChirpStack AS v3 docs),
 *          either marshaler:
 *   devEUI       base64 of the 8 bytes ("json", protobuf JSON mapping) or 16 hex digits
 *                ("json_v3" legacy) → deviceRef (upper-case hex); must equal the topic's
 *   objectJSON   decoded object as a JSON *string* ("json" marshaler); "" or null = none;
 *                not valid JSON / not an object → `schema` on objectJSON
 *   object       decoded object as an object ("json_v3" legacy), read when objectJSON is
 *                absent
 *                → values by the key map in ../lorawan/decodedValues.ts
 *   data         base64 FRMPayload; decoded by a built-in codec (../lorawan/codecs) only
 *                when there is no decoded object, chosen by the device's registry model
 *   fCnt         → frameCounter (always present in v3 JSON; missing → none)
 *   fPort        → codec
 *   rxInfo[].time → observedAt: the first gateway with a time (rxInfo[0] usually; null
 *                when a gateway has no GPS time), else publishedAt when present
 * No decoded object, a payload and no codec → `decode_error` on `data`.
 */
const payloadSchema = z.object({
  devEUI: z.string(),
  rxInfo: z
    .array(z.object({ time: timeString.nullable().optional() }))
    .nullable()
    .optional(),
  publishedAt: timeString.nullable().optional(),
  fCnt: z.number().int().min(0).max(0xffffffff).optional(),
  fPort: z.number().int().min(0).max(255).optional(),
  data: z.string().nullable().optional(),
  objectJSON: z.string().nullable().optional(),
  object: z.record(z.string(), z.unknown()).nullable().optional(),
});

const TOPIC_RE = /^application\/([^/]+)\/device\/([0-9A-Fa-f]{16})\/(?:rx|event\/up)$/;

export const chirpstackV3Decoder: Decoder = {
  name: 'chirpstack-v3',
  version: '1.0.0',
  decode(payload: Buffer, ctx: DecodeContext): DecodeResult {
    const m = TOPIC_RE.exec(ctx.topic);
    if (!m) {
      return reject('unsupported_topic', 'topic', 'expected application/{application id}/device/{DevEUI}/event/up (or /rx)');
    }
    const devEuiFromTopic = m[2]!.toUpperCase();

    const json = parseJson(payload);
    if (!json.ok) return reject('not_json', '(payload)', json.message);
    if (!looksLike(json.value, ['devEUI']) && looksLike(json.value, ['deviceInfo'])) {
      return reject('schema', 'devEUI', 'missing; this looks like a ChirpStack v4 event: route the topic to chirpstack-v4');
    }
    const parsed = payloadSchema.safeParse(json.value);
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error);
      return reject('schema', field, message);
    }
    const p = parsed.data;
    const devEui = normalizeDevEui(p.devEUI, { base64: true });
    if (devEui === undefined) return reject('schema', 'devEUI', 'expected 16 hex digits or the base64 of 8 bytes');
    if (devEui !== devEuiFromTopic) return reject('schema', 'devEUI', `must match the DevEUI in the topic (${m[2]})`);

    let decoded: { object: Record<string, unknown>; path: string } | undefined;
    if (p.objectJSON !== undefined && p.objectJSON !== null && p.objectJSON !== '') {
      let obj: unknown;
      try {
        obj = JSON.parse(p.objectJSON);
      } catch (err) {
        return reject('schema', 'objectJSON', `not valid JSON: ${(err as Error).message}`);
      }
      if (obj !== null) {
        if (typeof obj !== 'object' || Array.isArray(obj)) return reject('schema', 'objectJSON', 'must encode a JSON object');
        decoded = { object: obj as Record<string, unknown>, path: 'objectJSON' };
      }
    } else if (p.object) {
      decoded = { object: p.object, path: 'object' };
    }

    const time = p.rxInfo?.find((r) => typeof r.time === 'string')?.time ?? p.publishedAt ?? undefined;
    const result = uplinkValues({
      meta: { deviceRef: devEui, observedAt: time === undefined ? undefined : new Date(time), frameCounter: p.fCnt },
      decoded,
      raw: { base64: p.data ?? undefined, path: 'data' },
      fPort: p.fPort,
      models: [{ model: registryModel(ctx, [devEui]), source: 'registry' }],
    });
    return result.ok ? { ok: true, values: result.values } : { ok: false, rejection: result.rejection };
  },
};
