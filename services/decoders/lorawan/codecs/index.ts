import type { Codec } from './codec.js';
import { milesightEm500Udl } from './milesightEm500Udl.js';
import { milesightVs133 } from './milesightVs133.js';

/**
 * Built-in payload codecs, by device model. Used when the network server forwarded an
 * uplink without a decoded object. A model is matched case-insensitively against each
 * codec's name and aliases. Adding a codec = one file here + one entry in CODECS.
 */
export const CODECS: readonly Codec[] = [milesightEm500Udl, milesightVs133];

const BY_NAME: ReadonlyMap<string, Codec> = new Map(
  CODECS.flatMap((c) => [c.name, ...c.aliases].map((n) => [n.toLowerCase(), c] as const)),
);

export function findCodec(model: string | undefined): Codec | undefined {
  return model === undefined ? undefined : BY_NAME.get(model.trim().toLowerCase());
}

export const CODEC_NAMES: readonly string[] = CODECS.map((c) => c.name);

export type { Codec, CodecResult, CodecValue } from './codec.js';
