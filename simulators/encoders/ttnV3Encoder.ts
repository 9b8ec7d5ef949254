import type { SimDevice } from '../city/devices.js';
import { fnv1a, isoUtc, json } from './common.js';
import { decodedObject, devEuiOf, gatewayFor, isEm500, LORAWAN_FAMILIES, rawFor, usesRawPayload } from './lorawan.js';
import type { Encoder } from './types.js';

/**
 * The Things Stack v3 uplink message (services/decoders/ttn-v3), on
 * `v3/{application id}/devices/{device id}/up`. The device id is TTS's default for a
 * device registered by EUI (`eui-<deveui lower case>`), the application id
 * `{tenant}-{family}`.
 *
 * - decoded_payload: the payload formatter's object (keys of the shared LoRaWAN key map);
 *   EM500-UDL waste containers send it only on odd frame counters, on even ones TTS
 *   forwards the raw frm_payload alone (no formatter ran) and the decoder's built-in
 *   codec reads it.
 * - uplink_message.received_at (network time) = ctx.deviceTime: not a device clock.
 * - f_cnt = ctx.frameCounter (omitted when 0, as TTS does). A duplicate (copy 1) has
 *   the same f_cnt and times, heard by another gateway.
 */
const appIdOf = (d: SimDevice) => `${d.registry.tenant}-${d.family}`.replace(/_/g, '-');
const topicOf = (d: SimDevice) => `v3/${appIdOf(d)}/devices/${deviceIdOf(d)}/up`;
const deviceIdOf = (d: SimDevice) => `eui-${d.registry.id.toLowerCase()}`;

export const ttnV3Encoder: Encoder = {
  name: 'ttn-v3',
  deviceClock: false,
  families: LORAWAN_FAMILIES,
  encode(d, values, ctx) {
    const devEui = devEuiOf(this.name, d);
    const raw = usesRawPayload(d, ctx.frameCounter);
    const decoded = decodedObject(this.name, d, values, 'snake');
    const { fPort, bytes } = rawFor(d, this.name, values);
    const gw = gatewayFor(d, ctx.copy, ctx.frameCounter);
    const time = isoUtc(ctx.deviceTime);
    const fcnt = ctx.frameCounter;
    const corr = fnv1a(`${devEui}/${fcnt}`).toString(36).toUpperCase().padStart(7, '0');
    const msg = {
      end_device_ids: {
        device_id: deviceIdOf(d),
        application_ids: { application_id: appIdOf(d) },
        dev_eui: devEui,
        join_eui: '70B3D57ED0000000',
      },
      correlation_ids: [`as:up:01JN${corr}`, `gs:uplink:01JN${corr}${ctx.copy}`],
      received_at: time,
      uplink_message: {
        ...(fPort !== 0 ? { f_port: fPort } : {}),
        ...(fcnt !== 0 ? { f_cnt: fcnt } : {}),
        ...(bytes ? { frm_payload: bytes.toString('base64') } : {}),
        ...(raw ? {} : { decoded_payload: decoded }),
        rx_metadata: [
          {
            gateway_ids: { gateway_id: gw.id, eui: gw.eui },
            time,
            rssi: gw.rssi,
            channel_rssi: gw.rssi,
            snr: gw.snr,
            received_at: time,
          },
        ],
        settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 9, coding_rate: '4/5' } }, frequency: '867500000' },
        received_at: time,
        consumed_airtime: '0.185344s',
        ...(isEm500(d) ? { version_ids: { brand_id: 'milesight-iot', model_id: 'em500-udl', band_id: 'EU_863_870' } } : {}),
      },
    };
    return { topic: topicOf(d), payload: json(msg) };
  },
  malformed(d, n) {
    const ids = { device_id: deviceIdOf(d), dev_eui: d.registry.id.toUpperCase() };
    const bad = [
      // not JSON: a truncated message
      `{"end_device_ids":{"device_id":"${ids.device_id}"},"uplink_message":{"f_cnt":`,
      // schema: no end_device_ids
      JSON.stringify({ uplink_message: { f_cnt: 7, decoded_payload: { temperature: 4.5 } } }),
      // wrong type: a decoded value that is not a number
      JSON.stringify({ end_device_ids: ids, uplink_message: { f_cnt: 7, decoded_payload: { temperature: 'warm' }, received_at: '2025-03-01T10:00:00Z' } }),
      // wrong type: f_cnt as a string
      JSON.stringify({ end_device_ids: ids, uplink_message: { f_cnt: '7', decoded_payload: { temperature: 4.5 } } }),
    ];
    return { topic: topicOf(d), payload: Buffer.from(bad[n % bad.length]!) };
  },
};
