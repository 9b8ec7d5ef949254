import type { Family } from '../city/devices.js';
import { amsleserEncoder } from './amsleserEncoder.js';
import { chirpstackV3Encoder } from './chirpstackV3Encoder.js';
import { chirpstackV4Encoder } from './chirpstackV4Encoder.js';
import { hanP1Encoder } from './hanP1Encoder.js';
import { nativeEncoder } from './nativeEncoder.js';
import { senmlEncoder } from './senmlEncoder.js';
import { tasmotaEncoder } from './tasmotaEncoder.js';
import { ttnV3Encoder } from './ttnV3Encoder.js';
import type { Encoder } from './types.js';
import { wmbusmetersEncoder } from './wmbusmetersEncoder.js';

/** Encoders by format name (the same names as the decoders). */
export const encoders: Readonly<Record<string, Encoder>> = Object.freeze({
  [nativeEncoder.name]: nativeEncoder,
  [ttnV3Encoder.name]: ttnV3Encoder,
  [chirpstackV4Encoder.name]: chirpstackV4Encoder,
  [chirpstackV3Encoder.name]: chirpstackV3Encoder,
  [wmbusmetersEncoder.name]: wmbusmetersEncoder,
  [hanP1Encoder.name]: hanP1Encoder,
  [senmlEncoder.name]: senmlEncoder,
  [tasmotaEncoder.name]: tasmotaEncoder,
  [amsleserEncoder.name]: amsleserEncoder,
});

/**
 * Whether `format` can carry devices of `family` (false for an unknown format), so a
 * scenario can refuse an impossible mix before it runs. What each format carries:
 *   native, ttn-v3, chirpstack-v4, chirpstack-v3   every family
 *   wmbusmeters                                    electricity_meter, heat_meter
 *   senml                                          electricity_meter, heat_meter, temperature
 *   han-p1, tasmota, amsleser                      electricity_meter
 */
export function supports(format: string, family: Family): boolean {
  const e = Object.prototype.hasOwnProperty.call(encoders, format) ? encoders[format] : undefined;
  return e !== undefined && e.families.includes(family);
}

export type { Encoder, EncodeContext } from './types.js';
