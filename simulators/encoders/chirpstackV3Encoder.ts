import type { SimDevice } from '../city/devices.js';
import { fnv1a, isoUtc, json } from './common.js';
import { decodedObject, devEuiOf, gatewayFor, LORAWAN_FAMILIES, rawFor, usesRawPayload } from './lorawan.js';
import type { Encoder } from './types.js';

/**
 * ChirpStack Application Server v3 uplink (services/decoders/chirpstack/chirpstackV3Decoder.ts),
 * on `application/{application id}/device/{devEUI}/rx` — the topic DEFAULT_ROUTES sends
 * to chirpstack-v3 (`/event/up` is routed to chirpstack-v4 by default).
 *
 * Both v3 marshalers, by device (a site configures one): devices with an even index use
 * "json" (devEUI and gatewayID base64, the decoded object as the objectJSON *string*),
 * odd ones "json_v3" legacy (hex devEUI/gatewayID, `object` as an object).
 * EM500-UDL waste containers alternate with uplinks without a decoded object
 * (objectJSON "" / no object, only `data`) on even frame counters.
 * rxInfo[0].time (gateway time) = ctx.deviceTime; fCnt = ctx.frameCounter; a duplicate
 * (copy 1) keeps both but is heard by another gateway.
 */
const appIdOf = (d: SimDevice) => String(1 + (fnv1a(`${d.registry.tenant}/${d.family}`) % 900));
const topicOf = (d: SimDevice) => `application/${appIdOf(d)}/device/${d.registry.id.toLowerCase()}/rx`;
const legacy = (d: SimDevice) => d.n % 2 === 1;

export const chirpstackV3Encoder: Encoder = {
  name: 'chirpstack-v3',
  deviceClock: false,
  families: LORAWAN_FAMILIES,
  encode(d, values, ctx) {
    const devEui = devEuiOf(this.name, d);
    const raw = usesRawPayload(d, ctx.frameCounter);
    const object = decodedObject(this.name, d, values, 'snake');
    const { fPort, bytes } = rawFor(d, this.name, values);
    const gw = gatewayFor(d, ctx.copy, ctx.frameCounter);
    const time = isoUtc(ctx.deviceTime);
    const b64 = (h: string) => Buffer.from(h, 'hex').toString('base64');
    const old = legacy(d);
    const msg = {
      applicationID: appIdOf(d),
      applicationName: `${d.registry.tenant}-${d.family}`,
      deviceName: d.registry.site ?? devEui.toLowerCase(),
      devEUI: old ? devEui.toLowerCase() : b64(devEui),
      rxInfo: [
        {
          gatewayID: old ? gw.eui.toLowerCase() : b64(gw.eui),
          time,
          timeSinceGPSEpoch: null,
          rssi: gw.rssi,
          loRaSNR: gw.snr,
          channel: 5,
          rfChain: 0,
          board: 0,
          antenna: 0,
          location: null,
          fineTimestampType: 'NONE',
          context: Buffer.from(gw.id).toString('base64'),
          uplinkID: Buffer.from(`${devEui}${ctx.frameCounter}${ctx.copy}`).toString('base64').slice(0, 24),
        },
      ],
      txInfo: { frequency: 868100000, modulation: 'LORA', loRaModulationInfo: { bandwidth: 125, spreadingFactor: 9, codeRate: '4/5', polarizationInversion: false } },
      adr: true,
      dr: 3,
      fCnt: ctx.frameCounter,
      fPort,
      data: bytes ? bytes.toString('base64') : null,
      ...(old ? (raw ? {} : { object }) : { objectJSON: raw ? '' : JSON.stringify(object) }),
      tags: d.registry.site ? { site: d.registry.site } : {},
      confirmedUplink: false,
      devAddr: old ? '00189440' : 'ABiUQA==',
    };
    return { topic: topicOf(d), payload: json(msg) };
  },
  malformed(d, n) {
    const devEUI = d.registry.id.toLowerCase();
    const bad = [
      // not JSON
      `{"devEUI":"${devEUI}","objectJSON":"{\\"temperature\\":4.5}"`,
      // schema: no devEUI
      JSON.stringify({ applicationID: '1', fCnt: 3, objectJSON: JSON.stringify({ temperature: 4.5 }) }),
      // wrong type: objectJSON that is not a JSON object string
      JSON.stringify({ devEUI, fCnt: 3, objectJSON: '{"temperature":4.5' }),
      // wrong type: a decoded value that is not a number
      JSON.stringify({ devEUI, fCnt: 3, object: { temperature: [4.5] } }),
    ];
    return { topic: topicOf(d), payload: Buffer.from(bad[n % bad.length]!) };
  },
};
