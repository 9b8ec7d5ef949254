import { z } from 'zod';
import { reject, type DecodeContext, type DecodeResult, type Decoder } from '../types.js';
import { describeIssue, parseJson } from '../zodIssue.js';
import { HEX_EUI_RE, registryModel, timeString, uplinkValues } from '../lorawan/uplink.js';

/**
 * The Things Stack v3 (The Things Network, TTS Cloud / Enterprise / open source)
 * uplink messages from its MQTT server.
 *
 * Topic:   v3/{application id}[@{tenant id}]/devices/{device id}/up
 *          The TTS tenant id (after @) is not used: it is not a Klimatpuls tenant
 *          (`ttn` on the community network); the device registry decides.
 * Payload: TTS's JSON uplink message ("Data Formats" in the TTS docs):
 *   end_device_ids.device_id         must equal the device id in the topic
 *   end_device_ids.dev_eui           → deviceRef (16 hex digits, upper-cased); without
 *                                      it (ABP devices may have none) the device id
 *   uplink_message.decoded_payload   object from the payload formatter → values by the
 *                                      key map in ../lorawan/decodedValues.ts
 *   uplink_message.frm_payload       base64; decoded by a built-in codec
 *                                      (../lorawan/codecs) only when decoded_payload is
 *                                      absent. The codec is chosen by the registry model
 *                                      of the device (by DevEUI, then device id), else by
 *                                      uplink_message.version_ids (brand_id/model_id).
 *   uplink_message.f_cnt             → frameCounter
 *   uplink_message.f_port            passed to the codec
 *   uplink_message.received_at       → observedAt (else the top-level received_at)
 * TTS omits fields whose value is "", 0 or false: a missing f_cnt is 0 (the first
 * uplink after a join), a missing f_port is 0, a missing frm_payload is an empty
 * payload (no values). Keys of decoded_payload are a Struct and are kept even when 0;
 * a key that is missing gives no value.
 * No decoded_payload, a payload and no codec → `decode_error` on uplink_message.frm_payload.
 */
const eui = z.string().regex(HEX_EUI_RE, '16 hex digits');

const payloadSchema = z.object({
  end_device_ids: z.object({
    device_id: z.string().min(1),
    dev_eui: eui.optional(),
  }),
  received_at: timeString.optional(),
  uplink_message: z.object({
    f_port: z.number().int().min(0).max(255).optional(),
    f_cnt: z.number().int().min(0).max(0xffffffff).optional(),
    frm_payload: z.string().optional(),
    decoded_payload: z.record(z.string(), z.unknown()).optional(),
    received_at: timeString.optional(),
    version_ids: z.object({ brand_id: z.string().optional(), model_id: z.string().optional() }).optional(),
  }),
});

const TOPIC_RE = /^v3\/([^/@]+)(?:@([^/@]+))?\/devices\/([^/]+)\/up$/;

export const ttnV3Decoder: Decoder = {
  name: 'ttn-v3',
  version: '1.0.0',
  decode(payload: Buffer, ctx: DecodeContext): DecodeResult {
    const m = TOPIC_RE.exec(ctx.topic);
    if (!m) return reject('unsupported_topic', 'topic', 'expected v3/{application id}[@{tenant id}]/devices/{device id}/up');
    const tenant = m[2];
    const deviceFromTopic = m[3]!;

    const json = parseJson(payload);
    if (!json.ok) return reject('not_json', '(payload)', json.message);
    const parsed = payloadSchema.safeParse(json.value);
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error);
      return reject('schema', field, message);
    }
    const p = parsed.data;
    const up = p.uplink_message;
    if (p.end_device_ids.device_id !== deviceFromTopic) {
      return reject('schema', 'end_device_ids.device_id', `must match the device in the topic (${deviceFromTopic})`);
    }

    const devEui = p.end_device_ids.dev_eui?.toUpperCase();
    const time = up.received_at ?? p.received_at;
    const vid = up.version_ids;
    const result = uplinkValues({
      meta: {
        deviceRef: devEui ?? p.end_device_ids.device_id,
        observedAt: time === undefined ? undefined : new Date(time),
        frameCounter: up.f_cnt ?? 0,
      },
      decoded: up.decoded_payload && { object: up.decoded_payload, path: 'uplink_message.decoded_payload' },
      raw: { base64: up.frm_payload, path: 'uplink_message.frm_payload' },
      fPort: up.f_port ?? 0,
      models: [
        { model: registryModel(ctx, [devEui, p.end_device_ids.device_id]), source: 'registry' },
        {
          model: vid?.model_id && (vid.brand_id ? `${vid.brand_id}/${vid.model_id}` : vid.model_id),
          source: 'uplink_message.version_ids',
        },
      ],
    });
    if (!result.ok) return { ok: false, rejection: result.rejection };
    // No tenantHint: TTS tenant ids (`ttn` on the community network, whatever a TTS
    // Cloud customer chose) are not Klimatpuls tenants. The registry decides the
    // tenant; MQTT credentials decide who may publish where.
    void tenant;
    return { ok: true, values: result.values };
  },
};
