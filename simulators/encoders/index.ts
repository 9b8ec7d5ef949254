import { nativeEncoder } from './nativeEncoder.js';
import type { Encoder } from './types.js';

/** Encoders by format name (the same names as the decoders). */
export const encoders: Readonly<Record<string, Encoder>> = Object.freeze({
  [nativeEncoder.name]: nativeEncoder,
});

export type { Encoder, EncodeContext } from './types.js';
