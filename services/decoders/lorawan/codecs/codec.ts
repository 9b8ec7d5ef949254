/**
 * A payload codec decodes a LoRaWAN FRMPayload (the application bytes) of one device
 * model, for uplinks the network server forwarded without a decoded object (no payload
 * formatter configured, or it failed).
 */
export interface CodecValue {
  metric: string;
  value: number;
  unit?: string;
  channel?: string;
  /** Offset of the value's first byte in the payload; becomes `field` `<payload path>[offset]`. */
  offset: number;
  /**
   * The device's own time for this value (stored history records). Such a value is a
   * different measurement than the uplink's live values, so it gets no frame counter.
   */
  observedAt?: Date;
}

export type CodecResult =
  | { ok: true; values: CodecValue[] }
  | {
      ok: false;
      /** Offset of the byte where decoding stopped. */
      offset: number;
      message: string;
    };

export interface Codec {
  /** Registry `model` value that selects the codec, lower case (`milesight-em500-udl`). */
  readonly name: string;
  /**
   * Other spellings that select it: the model id alone and the TTS Device Repository
   * `brand_id/model_id` (from `uplink_message.version_ids`).
   */
  readonly aliases: readonly string[];
  decode(bytes: Uint8Array, fPort: number | undefined): CodecResult;
}

export const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0').toUpperCase()}`;
