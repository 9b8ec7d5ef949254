import { RequestError } from '../core/errors.js';
import type { DecodedValue, Decoder } from '../decoders/types.js';
import type { DecoderRouter } from './routing/decoderRouter.js';
import { processMessage } from './messageProcessor.js';
import type { DeviceLookup } from '../registry/deviceRegistry.js';
import { lookupForTenant } from '../tenants/tenantDevices.js';
import { mayPublish } from '../tenants/topicSpace.js';

export interface DryRunOptions {
  router: DecoderRouter;
  devices: DeviceLookup;
  maxPayloadBytes: number;
  maxReadingsPerMessage: number;
  maxFutureMs: number;
}

/**
 * "What would Klimatpuls make of this message?" for a tenant, before its devices go
 * live: the gateway's own processing (processMessage, as `klimatpuls decode` does),
 * with only the tenant's devices visible, plus whether the tenant's MQTT
 * credentials may publish on that topic at all. Nothing is stored or sent.
 */
export function dryRun(tenant: string, body: unknown, o: DryRunOptions): Record<string, unknown> {
  const b = (body ?? {}) as { topic?: unknown; payload?: unknown; payloadBase64?: unknown };
  if (typeof b.topic !== 'string' || b.topic.length === 0 || b.topic.length > 1024) throw new RequestError('INVALID_INPUT', 'topic: the MQTT topic the device will publish on');
  let payload: Buffer;
  if (typeof b.payloadBase64 === 'string') payload = Buffer.from(b.payloadBase64, 'base64');
  else if (typeof b.payload === 'string') payload = Buffer.from(b.payload, 'utf8');
  else if (b.payload !== undefined && b.payload !== null) payload = Buffer.from(serialized(b.payload), 'utf8');
  else throw new RequestError('INVALID_INPUT', 'payload (JSON or text) or payloadBase64 is required');

  let decoded: DecodedValue[] = [];
  let used: Decoder | undefined;
  const result = processMessage(b.topic, payload, new Date(), {
    router: o.router,
    registry: lookupForTenant(o.devices, tenant),
    maxPayloadBytes: o.maxPayloadBytes,
    maxReadingsPerMessage: o.maxReadingsPerMessage,
    maxFutureMs: o.maxFutureMs,
    minObservedAt: new Date('2000-01-01T00:00:00Z'),
    onDecoded: (values, decoder) => {
      decoded = values;
      used = decoder;
    },
  });
  const allowed = mayPublish(tenant, b.topic);
  return {
    topic: b.topic,
    topicAllowed: allowed,
    ...(allowed ? {} : { topicNote: `your MQTT credentials may publish only under klimatpuls/${tenant}/ and tenants/${tenant}/` }),
    decoder: used ? { name: used.name, version: used.version } : (result.deadLetter?.decoder ?? null),
    decoded: decoded.map((v) => ({ ...v, observedAt: v.observedAt?.toISOString() })),
    readings: result.readings,
    rejected: result.deadLetter?.rejected ?? [],
    wouldStore: result.readings.length,
    wouldDeadLetter: result.deadLetter ? { reason: result.deadLetter.reason, field: result.deadLetter.field } : null,
  };
}

/** A JSON payload given as an object, as the device would send it; 400 when it cannot be serialized (nested too deep). */
function serialized(payload: unknown): string {
  try {
    return JSON.stringify(payload);
  } catch (err) {
    if (err instanceof RangeError) throw new RequestError('INVALID_INPUT', 'payload: nested too deep to serialize');
    throw err;
  }
}
