import type { SimDevice } from '../city/devices.js';
import { fakeUuid, json } from './common.js';
import { decodedObject, devEuiOf, gatewayFor, LORAWAN_FAMILIES, rawFor, usesRawPayload } from './lorawan.js';
import type { Encoder } from './types.js';

/**
 * ChirpStack v4 UplinkEvent, JSON encoding (services/decoders/chirpstack/chirpstackV4Decoder.ts),
 * on `application/{application UUID}/device/{devEui}/event/up`.
 *
 * - object: the device profile codec's output, with camelCase keys (energyTotal, powerKw,
 *   countIn ...; the shared key map normalizes them); EM500-UDL waste containers alternate
 *   with uplinks that carry only `data` (no codec in the profile) on even frame counters.
 * - time (network time, with ChirpStack's `+00:00` and nanoseconds) = ctx.deviceTime.
 * - fCnt = ctx.frameCounter (omitted when 0, as protobuf JSON does); a duplicate (copy 1)
 *   keeps fCnt and time but has another gateway in rxInfo.
 */
const appIdOf = (d: SimDevice) => fakeUuid(`${d.registry.tenant}/${d.family}`);
const topicOf = (d: SimDevice) => `application/${appIdOf(d)}/device/${d.registry.id.toLowerCase()}/event/up`;

/** `2025-03-01T10:00:00.000000000+00:00`, as ChirpStack v4 prints times. */
function csTime(t: Date): string {
  return `${t.toISOString().slice(0, -1)}000000+00:00`;
}

export const chirpstackV4Encoder: Encoder = {
  name: 'chirpstack-v4',
  deviceClock: false,
  families: LORAWAN_FAMILIES,
  encode(d, values, ctx) {
    const devEui = devEuiOf(this.name, d).toLowerCase();
    const raw = usesRawPayload(d, ctx.frameCounter);
    const object = decodedObject(this.name, d, values, 'camel');
    const { fPort, bytes } = rawFor(d, this.name, values);
    const gw = gatewayFor(d, ctx.copy, ctx.frameCounter);
    const time = csTime(ctx.deviceTime);
    const msg = {
      deduplicationId: fakeUuid(`${devEui}/${ctx.frameCounter}/${ctx.deviceTime.getTime()}`),
      time,
      deviceInfo: {
        tenantId: fakeUuid(d.registry.tenant),
        tenantName: d.registry.tenant,
        applicationId: appIdOf(d),
        applicationName: d.family,
        deviceProfileId: fakeUuid(d.registry.model ?? 'generic'),
        deviceProfileName: d.registry.model ?? 'generic',
        deviceName: d.registry.site ?? devEui,
        devEui,
        deviceClassEnabled: 'CLASS_A',
        tags: d.registry.site ? { site: d.registry.site } : {},
      },
      devAddr: (0x00180000 + (parseInt(devEui.slice(-4), 16) & 0xffff)).toString(16).padStart(8, '0'),
      adr: true,
      dr: 3,
      ...(ctx.frameCounter !== 0 ? { fCnt: ctx.frameCounter } : {}),
      ...(fPort !== 0 ? { fPort } : {}),
      confirmed: false,
      ...(bytes ? { data: bytes.toString('base64') } : {}),
      ...(raw ? {} : { object }),
      rxInfo: [
        {
          gatewayId: gw.eui.toLowerCase(),
          uplinkId: ctx.frameCounter * 7919 + ctx.copy,
          gwTime: time,
          nsTime: time,
          rssi: gw.rssi,
          snr: gw.snr,
          channel: 2,
          location: {},
          context: Buffer.from(gw.id).toString('base64'),
          crcStatus: 'CRC_OK',
        },
      ],
      txInfo: { frequency: 867500000, modulation: { lora: { bandwidth: 125000, spreadingFactor: 9, codeRate: 'CR_4_5' } } },
    };
    return { topic: topicOf(d), payload: json(msg) };
  },
  malformed(d, n) {
    const devEui = d.registry.id.toLowerCase();
    const bad = [
      // not JSON
      `{"deviceInfo":{"devEui":"${devEui}"},"object":{"temperature":4.5`,
      // schema: no deviceInfo
      JSON.stringify({ time: '2025-03-01T10:00:00+00:00', fCnt: 3, object: { temperature: 4.5 } }),
      // wrong type: an object value that is not a number
      JSON.stringify({ time: '2025-03-01T10:00:00+00:00', deviceInfo: { devEui }, fCnt: 3, object: { temperature: true } }),
      // wrong type: data that is not base64
      JSON.stringify({ time: '2025-03-01T10:00:00+00:00', deviceInfo: { devEui }, fCnt: 3, fPort: 85, data: '03-82-2C-03' }),
    ];
    return { topic: topicOf(d), payload: Buffer.from(bad[n % bad.length]!) };
  },
};
