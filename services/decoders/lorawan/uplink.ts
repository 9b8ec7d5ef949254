import { z } from 'zod';
import type { DecodeContext } from '../types.js';
import { CODEC_NAMES, findCodec } from './codecs/index.js';
import { valuesFromDecodedObject, withMeta, type UplinkMeta, type ValuesResult } from './decodedValues.js';

/**
 * The part of a LoRaWAN network-server uplink every NS decoder shares: times, DevEUIs,
 * base64 payloads, and "decoded object if there is one, else a built-in codec for the
 * device's model on the raw bytes".
 */

const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 with an offset, any fraction digits (TTS and ChirpStack send nanoseconds). */
export const timeString = z
  .string()
  .regex(TIME_RE, 'an RFC 3339 time with offset (Z or +01:00)')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid time');

export const HEX_EUI_RE = /^[0-9A-Fa-f]{16}$/;

/** A DevEUI as 16 upper-case hex digits, from hex or from base64 of its 8 bytes. */
export function normalizeDevEui(s: string, opts: { base64: boolean }): string | undefined {
  if (HEX_EUI_RE.test(s)) return s.toUpperCase();
  if (!opts.base64) return undefined;
  const b = decodeBase64(s);
  return b && b.length === 8 ? b.toString('hex').toUpperCase() : undefined;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Standard base64 (padding optional); undefined for anything else. Buffer.from alone skips bad characters. */
export function decodeBase64(s: string): Buffer | undefined {
  return BASE64_RE.test(s) ? Buffer.from(s, 'base64') : undefined;
}

/** Registry model of the first of `refs` the registry knows. */
export function registryModel(ctx: DecodeContext, refs: Array<string | undefined>): string | undefined {
  for (const ref of refs) {
    if (ref === undefined) continue;
    const model = ctx.lookupDevice?.(ref)?.model;
    if (model !== undefined && model !== '') return model;
  }
  return undefined;
}

export interface UplinkInput {
  meta: UplinkMeta;
  /** The NS's decoded object (absent: no payload formatter / codec ran). */
  decoded?: { object: Record<string, unknown>; path: string };
  /** The raw FRMPayload, base64 (absent or empty: the uplink carried no application data). */
  raw?: { base64: string | undefined; path: string };
  fPort?: number;
  /** Model names to pick a codec by, in priority order, with where each came from. */
  models: Array<{ model: string | undefined; source: string }>;
}

/**
 * Values of one uplink: from the decoded object when there is one (its keys by the
 * key map in decodedValues.ts), else from the raw payload by the built-in codec of the
 * first model that has one. Raw-payload values' `field` is `<raw path>[byte offset]`.
 */
export function uplinkValues(input: UplinkInput): ValuesResult {
  const { meta, decoded, raw } = input;
  if (decoded) return valuesFromDecodedObject(decoded.object, decoded.path, meta);
  if (!raw || raw.base64 === undefined || raw.base64 === '') return { ok: true, values: [] };

  const bytes = decodeBase64(raw.base64);
  if (!bytes) return { ok: false, rejection: { reason: 'schema', field: raw.path, message: 'not valid base64' } };

  const known = input.models.filter((m) => m.model !== undefined && m.model !== '');
  const pick = known.map((m) => ({ ...m, codec: findCodec(m.model) })).find((m) => m.codec !== undefined);
  if (!pick?.codec) {
    const tried = known.length === 0 ? 'the device model is unknown' : known.map((m) => `${JSON.stringify(m.model)} (${m.source})`).join(', ');
    return {
      ok: false,
      rejection: {
        reason: 'decode_error',
        field: raw.path,
        message:
          `no decoded values in the message and no built-in codec for it: ${tried}. ` +
          `Configure a payload formatter/codec in the network server, or set the device's model in the registry to one of: ${CODEC_NAMES.join(', ')}`,
      },
    };
  }
  const codec = pick.codec;
  const result = codec.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), input.fPort);
  if (!result.ok) {
    return { ok: false, rejection: { reason: 'decode_error', field: `${raw.path}[${result.offset}]`, message: `${codec.name}: ${result.message}` } };
  }
  return {
    ok: true,
    values: result.values.map((v) =>
      withMeta(
        { metric: v.metric, value: v.value, unit: v.unit, channel: v.channel, field: `${raw.path}[${v.offset}]`, observedAt: v.observedAt },
        meta,
        // A stored history record is its own measurement with its own time: giving it
        // the uplink's frame counter would merge its time with the live values'.
        { frameCounter: v.observedAt === undefined },
      ),
    ),
  };
}

/** A hint for a message routed to the wrong ChirpStack decoder. */
export function looksLike(json: unknown, keys: string[]): boolean {
  return typeof json === 'object' && json !== null && keys.some((k) => Object.prototype.hasOwnProperty.call(json, k));
}
