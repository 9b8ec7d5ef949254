import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { DecoderRouter } from './routing/decoderRouter.js';
import { processMessage } from './messageProcessor.js';

const registry = new DeviceRegistry([{ id: 'd1', tenant: 'a', kind: 'temperature', params: {} }]);
const base = { router: new DecoderRouter(DEFAULT_ROUTES), registry, maxPayloadBytes: 1_000_000, maxFutureMs: 300_000, minObservedAt: new Date('2000-01-01T00:00:00Z') };
const at = new Date('2025-03-01T12:00:00Z');
const senml = (n: number) => Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => ({ ...(i === 0 ? { bn: 'd1:' } : {}), n: 'temperature', u: 'Cel', v: 1, t: 1740820000 + i }))));
const native = (n: number) => Buffer.from(JSON.stringify({ readings: Array.from({ length: n }, () => ({ metric: 'temperature', value: 1 })) }));

describe('input limits in processMessage (all decoders)', () => {
  it('dead-letters a message with more values than MAX_READINGS_PER_MESSAGE, whatever the format', () => {
    for (const [topic, payload] of [['senml/d1', senml(11)], ['klimatpuls/a/d1/up', native(11)]] as const) {
      const r = processMessage(topic, payload, at, { ...base, maxReadingsPerMessage: 10 });
      expect(r.readings, topic).toEqual([]);
      expect(r.deadLetter, topic).toMatchObject({ reason: 'schema', field: 'readings', message: '11 values in one message, at most 10' });
    }
    expect(processMessage('senml/d1', senml(10), at, { ...base, maxReadingsPerMessage: 10 }).readings).toHaveLength(10);
  });

  it('keeps the 1000 default and the payload size limit', () => {
    expect(processMessage('senml/d1', senml(1000), at, base).readings).toHaveLength(1000);
    expect(processMessage('klimatpuls/a/d1/up', native(5), at, { ...base, maxPayloadBytes: 64 }).deadLetter?.reason).toBe('payload_too_large');
  });
});
