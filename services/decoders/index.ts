import type { Decoder } from './types.js';
import { nativeDecoder } from './native/nativeDecoder.js';

/**
 * Every decoder, by its stable name. Adding a sensor format = one folder + one line here.
 */
export const decoders: Readonly<Record<string, Decoder>> = Object.freeze({
  [nativeDecoder.name]: nativeDecoder,
});

/** Topic filter → decoder name; the first match wins. Configurable with DECODER_ROUTES. */
export const DEFAULT_ROUTES: ReadonlyArray<readonly [string, string]> = [['klimatpuls/+/+/up', 'native']];

export function getDecoder(name: string): Decoder | undefined {
  return Object.prototype.hasOwnProperty.call(decoders, name) ? decoders[name] : undefined;
}

export type { Decoder, DecodeResult, DecodedValue, DecodeContext, Rejection } from './types.js';
