import { z } from 'zod';
import { reject, type DecodeContext, type DecodeResult, type Decoder } from '../types.js';
import { describeIssue, parseJson } from '../zodIssue.js';
import { HEX_EUI_RE, looksLike, registryModel, timeString, uplinkValues } from '../lorawan/uplink.js';

/**
 * ChirpStack v4 uplink events from its MQTT integration (JSON encoding).
 *
 * Topic:   application/{application id (UUID)}/device/{DevEUI}/event/up
 *          (the default `event_topic` of the MQTT integration). No tenantHint: the
 *          topic has no tenant, and ChirpStack's tenant is not a Klimatpuls tenant.
 * Payload: ChirpStack's UplinkEvent ("Event types" in the ChirpStack v4 docs):
 *   deviceInfo.devEui   → deviceRef (16 hex digits, upper-cased); must equal the
 *                         DevEUI in the topic
 *   object              decoded object of the device profile's codec → values by the
 *                         key map in ../lorawan/decodedValues.ts
 *   data                base64 FRMPayload; decoded by a built-in codec
 *                         (../lorawan/codecs) only when `object` is absent, chosen by
 *                         the device's registry model
 *   fCnt                → frameCounter; fPort → codec
 *   time                → observedAt
 * The protobuf JSON mapping omits fields with default values: a missing fCnt/fPort is
 * 0, a missing data is an empty payload (no values).
 * No `object`, a payload and no codec → `decode_error` on `data`.
 */
const payloadSchema = z.object({
  time: timeString.optional(),
  deviceInfo: z.object({
    devEui: z.string().regex(HEX_EUI_RE, '16 hex digits'),
  }),
  fCnt: z.number().int().min(0).max(0xffffffff).optional(),
  fPort: z.number().int().min(0).max(255).optional(),
  data: z.string().optional(),
  object: z.record(z.string(), z.unknown()).optional(),
});

const TOPIC_RE = /^application\/([^/]+)\/device\/([0-9A-Fa-f]{16})\/event\/up$/;

export const chirpstackV4Decoder: Decoder = {
  name: 'chirpstack-v4',
  version: '1.0.0',
  decode(payload: Buffer, ctx: DecodeContext): DecodeResult {
    const m = TOPIC_RE.exec(ctx.topic);
    if (!m) return reject('unsupported_topic', 'topic', 'expected application/{application id}/device/{DevEUI}/event/up');
    const devEuiFromTopic = m[2]!.toUpperCase();

    const json = parseJson(payload);
    if (!json.ok) return reject('not_json', '(payload)', json.message);
    if (!looksLike(json.value, ['deviceInfo']) && looksLike(json.value, ['devEUI', 'objectJSON', 'applicationID'])) {
      return reject('schema', 'deviceInfo', 'missing; this looks like a ChirpStack v3 event: route the topic to chirpstack-v3');
    }
    const parsed = payloadSchema.safeParse(json.value);
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error);
      return reject('schema', field, message);
    }
    const p = parsed.data;
    const devEui = p.deviceInfo.devEui.toUpperCase();
    if (devEui !== devEuiFromTopic) {
      return reject('schema', 'deviceInfo.devEui', `must match the DevEUI in the topic (${m[2]})`);
    }

    const result = uplinkValues({
      meta: { deviceRef: devEui, observedAt: p.time === undefined ? undefined : new Date(p.time), frameCounter: p.fCnt ?? 0 },
      decoded: p.object && { object: p.object, path: 'object' },
      raw: { base64: p.data, path: 'data' },
      fPort: p.fPort ?? 0,
      models: [{ model: registryModel(ctx, [devEui]), source: 'registry' }],
    });
    return result.ok ? { ok: true, values: result.values } : { ok: false, rejection: result.rejection };
  },
};
