import { getDecoder } from '../../services/decoders/index.js';
import { normalize } from '../../services/gateway/normalize.js';
import { DeviceRegistry } from '../../services/registry/deviceRegistry.js';
import { cityDevices, type SimDevice } from '../city/devices.js';
import { scenarioSchema } from '../city/scenario.js';
import { seededRandom } from '../../services/core/random.js';
import { ALL_FAMILIES } from './common.js';
import type { EncodeContext, Encoder } from './types.js';

/*
 * Test support for the encoders' round trips (encoders.test.ts, and the decoder
 * registry's convention test): devices of a format as the city simulator makes them,
 * and one encoded message decoded + normalized as the gateway does.
 */

export const MIN_OBSERVED = new Date('2000-01-01Z');
export const NORMALIZE_LIMITS = { maxFutureMs: 300_000, minObservedAt: MIN_OBSERVED };

/** Two devices of every family in `format`, with the ids/models/params the city simulator gives them. */
export function devicesIn(format: string): SimDevice[] {
  const formats = Object.fromEntries(ALL_FAMILIES.map((f) => [f, { [format]: 1 }]));
  const s = scenarioSchema.parse({
    name: `enc-${format}`,
    seed: 4711,
    tenant: 'testby',
    start: '2025-10-25T00:00:00Z',
    days: 2,
    devices: { electricityMeters: 2, heatMeters: 2, wasteContainers: 2, countingPoints: 2, carCounterShare: 1, temperatureSensors: 2 },
    formats,
  });
  return cityDevices(s, seededRandom(s.seed));
}

export function registryOf(d: SimDevice): DeviceRegistry {
  return new DeviceRegistry([d.registry]);
}

export function ctxAt(t: Date, frameCounter: number, copy = 0, deviceTime = t): EncodeContext {
  return { observedAt: t, deviceTime, frameCounter, copy };
}

/**
 * decode → normalize, as the gateway does (without the frame-time cache), with the
 * decoder named like the encoder; received 1 s after `observedAt`. Throws when the
 * decoder is missing or rejects the payload.
 */
export function roundTrip(e: Encoder, d: SimDevice, msg: { topic: string; payload: Buffer }, observedAt: Date) {
  const decoder = getDecoder(e.name);
  if (!decoder) throw new Error(`encoder ${e.name} has no decoder named like it`);
  const registry = registryOf(d);
  const receivedAt = new Date(observedAt.getTime() + 1000);
  const decoded = decoder.decode(msg.payload, {
    topic: msg.topic,
    receivedAt,
    lookupDevice: (ref) => {
      const x = registry.get(ref);
      return x && { model: x.model, params: x.params };
    },
  });
  if (!decoded.ok) throw new Error(`${e.name} rejected its own payload: ${JSON.stringify(decoded.rejection)}\n${msg.payload.toString()}`);
  const n = normalize(decoded.values, { topic: msg.topic, receivedAt, tenantHint: decoded.tenantHint, decoder }, { registry, ...NORMALIZE_LIMITS });
  return { decoded: decoded.values, ...n };
}
