/**
 * A decoder turns one MQTT message into decoded values (zero or more), or a
 * rejection that names the field and the rule it broke. Decoders know payload
 * shapes; they do not know tenants, the registry or canonical units — the
 * normalizer does that, the same way for every format.
 */
export interface DecodedValue {
  /** External device id as the payload/topic names it (DevEUI, meter id ...). */
  deviceRef: string;
  metric: string;
  value: number;
  /** Unit as the source reports it; converted by the normalizer. */
  unit?: string;
  channel?: string;
  /** Observed time; the normalizer falls back to the received time when absent. */
  observedAt?: Date;
  /** JSON path of the value in the payload, for precise dead-letter reasons. */
  field: string;
  /**
   * LoRaWAN frame counter (or another per-device message sequence number). Two
   * uplinks of one device with the same counter are the same measurement, even if
   * their arrival times differ: the gateway gives them the same observed time.
   */
  frameCounter?: number;
}

/** What a decoder may know of a device from the registry (to pick a payload codec). */
export interface DeviceInfo {
  model?: string;
  params: Record<string, string | number | boolean>;
}

export interface DecodeContext {
  topic: string;
  receivedAt: Date;
  /** Registry lookup by external id (any case); undefined when the device is unknown. */
  lookupDevice?: (externalId: string) => DeviceInfo | undefined;
}

export type RejectReason = 'not_json' | 'schema' | 'unsupported_topic' | 'decode_error';

export interface Rejection {
  reason: RejectReason;
  field: string;
  message: string;
}

/**
 * A value the message carries that Klimatpuls has no metric for (a meter's voltages,
 * currents, reactive energy ...). Not stored and not a reason to refuse the message:
 * the gateway stores the message's known values and reports these (README "Partial
 * messages").
 */
export interface UnknownValue {
  /** JSON path of the value in the payload (`data.U1`, `[3]`). */
  field: string;
  /**
   * What the format calls it (`U1`, `voltage`, `/3303/0/5601`), without device ids:
   * the gateway counts unknown values by decoder and name.
   */
  name: string;
  message: string;
}

export type DecodeResult =
  | { ok: true; values: DecodedValue[]; tenantHint?: string; unknown?: UnknownValue[] }
  | { ok: false; rejection: Rejection };

export interface Decoder {
  /** Stable name used in config and on the CLI (e.g. `native`, `ttn-v3`). */
  readonly name: string;
  /** Bumped when the decoder's output for the same input changes. */
  readonly version: string;
  decode(payload: Buffer, ctx: DecodeContext): DecodeResult;
}

export function reject(reason: RejectReason, field: string, message: string): DecodeResult {
  return { ok: false, rejection: { reason, field, message } };
}
