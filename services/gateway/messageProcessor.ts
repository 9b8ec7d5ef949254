import { makeDeadLetter, type DeadLetter, type RejectedValue } from '../core/deadLetter.js';
import type { CanonicalReading } from '../core/reading.js';
import type { DecodedValue, Decoder, DeviceInfo, UnknownValue } from '../decoders/types.js';
import type { DeviceLookup } from '../registry/deviceRegistry.js';
import { normalize, type NormalizeOptions } from './normalize.js';
import type { DecoderRouter } from './routing/decoderRouter.js';

export interface ProcessorOptions extends NormalizeOptions {
  router: DecoderRouter;
  maxPayloadBytes: number;
  /** At most this many values per message, whatever the decoder (MAX_READINGS_PER_MESSAGE; default 1000). */
  maxReadingsPerMessage?: number;
  /** Use this decoder whatever the topic (`--format`). */
  forceDecoder?: Decoder;
  /** Sees the decoded values before normalization (`klimatpuls decode` prints them). */
  onDecoded?: (values: DecodedValue[], decoder: Decoder) => void;
}

function deadLettered(topic: string, payload: Buffer, receivedAt: Date, decoder: Decoder | null, rejected: DeadLetter['rejected']): ProcessedMessage {
  return {
    readings: [],
    deadLetter: makeDeadLetter({ rejected, stage: 'gateway', topic, payload, decoder: decoder && { name: decoder.name, version: decoder.version }, receivedAt }),
  };
}

/** The decoders' view of the registry: one function per registry, not one per message. */
const deviceInfoLookups = new WeakMap<DeviceLookup, (ref: string) => DeviceInfo | undefined>();
function deviceInfoLookup(registry: DeviceLookup): (ref: string) => DeviceInfo | undefined {
  let lookup = deviceInfoLookups.get(registry);
  if (!lookup) {
    lookup = (ref) => {
      const d = registry.get(ref);
      return d && { model: d.model, params: d.params };
    };
    deviceInfoLookups.set(registry, lookup);
  }
  return lookup;
}

export interface ProcessedMessage {
  readings: CanonicalReading[];
  /** Zero or one: a message's rejected values travel together with its raw payload. */
  deadLetter?: DeadLetter;
  /**
   * Values the message carried that Klimatpuls has no metric for, when it also carried
   * known ones (those are in `readings`): reported, not dead-lettered. A message with
   * only unknown values is an `unknown_metric` dead letter instead.
   */
  unknown?: { decoder: string; values: UnknownValue[] };
}

/** A message without unknown values (most): no empty array per message. Never modified. */
const NO_UNKNOWN: UnknownValue[] = [];

function unknownRejections(unknown: UnknownValue[]): RejectedValue[] {
  return unknown.map((u) => ({ reason: 'unknown_metric', field: u.field, message: u.message }));
}

/**
 * One MQTT message in, canonical readings and/or a dead letter out. Pure (no I/O):
 * the gateway, `klimatpuls decode` and tests all use it. Never throws on bad input.
 */
export function processMessage(topic: string, payload: Buffer, receivedAt: Date, opts: ProcessorOptions): ProcessedMessage {
  if (payload.length > opts.maxPayloadBytes) {
    return deadLettered(topic, payload, receivedAt, null, [{ reason: 'payload_too_large', field: '(payload)', message: `${payload.length} bytes, at most ${opts.maxPayloadBytes}` }]);
  }
  const decoder = opts.forceDecoder ?? opts.router.decoderFor(topic);
  if (!decoder) {
    return deadLettered(topic, payload, receivedAt, null, [{ reason: 'no_route', field: 'topic', message: 'no decoder route (DECODER_ROUTES) takes this topic' }]);
  }
  let result;
  try {
    result = decoder.decode(payload, { topic, receivedAt, lookupDevice: deviceInfoLookup(opts.registry) });
  } catch (err) {
    // A decoder bug must not take the gateway down; the message is kept for replay.
    return deadLettered(topic, payload, receivedAt, decoder, [{ reason: 'decode_error', field: '(payload)', message: `decoder failed: ${(err as Error).message}` }]);
  }
  if (!result.ok) return deadLettered(topic, payload, receivedAt, decoder, [result.rejection]);
  const unknown = result.unknown ?? NO_UNKNOWN;
  if (result.values.length === 0 && unknown.length > 0) {
    // Only values without a metric (a meter's voltages): kept whole for replay, the
    // reason naming each field.
    return deadLettered(topic, payload, receivedAt, decoder, unknownRejections(unknown));
  }
  if (result.values.length === 0) {
    // Nothing to store (a status frame, only unknown keys): kept as a dead letter so no
    // message disappears without a trace; `dlq replay` can send it again once a decoder knows more.
    return deadLettered(topic, payload, receivedAt, decoder, [{ reason: 'no_values', field: '(payload)', message: 'the message holds no value Klimatpuls knows' }]);
  }
  const maxReadings = opts.maxReadingsPerMessage ?? 1000;
  if (result.values.length > maxReadings) {
    return deadLettered(topic, payload, receivedAt, decoder, [{ reason: 'schema', field: 'readings', message: `${result.values.length} values in one message, at most ${maxReadings}` }]);
  }
  opts.onDecoded?.(result.values, decoder);

  const n = normalize(result.values, { topic, receivedAt, tenantHint: result.tenantHint, decoder }, opts);
  if (n.rejected.length === 0) return unknown.length === 0 ? { readings: n.readings } : { readings: n.readings, unknown: { decoder: decoder.name, values: unknown } };
  // A dead letter anyway (a known value was rejected): it lists the unknown values too.
  const rejected = unknown.length === 0 ? n.rejected : [...n.rejected, ...unknownRejections(unknown)];
  const deadLetter = deadLettered(topic, payload, receivedAt, decoder, rejected).deadLetter!;
  return unknown.length === 0 ? { readings: n.readings, deadLetter } : { readings: n.readings, deadLetter, unknown: { decoder: decoder.name, values: unknown } };
}
