import type { Decoder } from './types.js';
import { amsleserDecoder } from './amsleser/amsleserDecoder.js';
import { chirpstackV3Decoder } from './chirpstack/chirpstackV3Decoder.js';
import { chirpstackV4Decoder } from './chirpstack/chirpstackV4Decoder.js';
import { hanP1Decoder } from './han-p1/hanP1Decoder.js';
import { nativeDecoder } from './native/nativeDecoder.js';
import { senmlDecoder } from './senml/senmlDecoder.js';
import { tasmotaDecoder } from './tasmota/tasmotaDecoder.js';
import { ttnV3Decoder } from './ttn-v3/ttnV3Decoder.js';
import { wmbusmetersDecoder } from './wmbusmeters/wmbusmetersDecoder.js';

/**
 * Every decoder, by its stable name. Adding a sensor format = one folder + one line here
 * (+ route, README row, encoder): README.md "Adding a format"; registry.test.ts checks it.
 */
export const decoders: Readonly<Record<string, Decoder>> = Object.freeze({
  [nativeDecoder.name]: nativeDecoder,
  [ttnV3Decoder.name]: ttnV3Decoder,
  [chirpstackV4Decoder.name]: chirpstackV4Decoder,
  [chirpstackV3Decoder.name]: chirpstackV3Decoder,
  [wmbusmetersDecoder.name]: wmbusmetersDecoder,
  [hanP1Decoder.name]: hanP1Decoder,
  [senmlDecoder.name]: senmlDecoder,
  [tasmotaDecoder.name]: tasmotaDecoder,
  [amsleserDecoder.name]: amsleserDecoder,
});

/** Topic filter → decoder name; the first match wins. Configurable with DECODER_ROUTES. */
export const DEFAULT_ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['klimatpuls/+/+/up', 'native'],
  ['v3/+/devices/+/up', 'ttn-v3'],
  // ChirpStack v3.x publishes on the same /event/up topic as v4: a v3 site sets
  // DECODER_ROUTES=application/+/device/+/event/up=chirpstack-v3
  ['application/+/device/+/event/up', 'chirpstack-v4'],
  ['application/+/device/+/rx', 'chirpstack-v3'],
  ['wmbusmeters/+', 'wmbusmeters'],
  // han-p1 and senml take the device id from the payload, else the last topic level
  ['han/+', 'han-p1'],
  ['senml/+', 'senml'],
  ['tele/+/SENSOR', 'tasmota'],
  // the reader's publish topic set to amsleser/{name}; payload format 5 adds /list1 ... /prices
  ['amsleser/#', 'amsleser'],
];

export function getDecoder(name: string): Decoder | undefined {
  return Object.prototype.hasOwnProperty.call(decoders, name) ? decoders[name] : undefined;
}

export type { Decoder, DecodeResult, DecodedValue, DecodeContext, Rejection, UnknownValue } from './types.js';
