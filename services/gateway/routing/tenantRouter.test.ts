import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTES } from '../../decoders/index.js';
import { processMessage } from '../messageProcessor.js';
import { DeviceRegistry } from '../../registry/deviceRegistry.js';
import { TenantTopicRouter } from './tenantRouter.js';

const router = new TenantTopicRouter(DEFAULT_ROUTES);
const registry = new DeviceRegistry([
  { id: 'wm-1', tenant: 'a', kind: 'electricity_meter', params: {} },
  { id: 'wm-2', tenant: 'b', kind: 'electricity_meter', params: {} },
]);
const opts = { router, registry, maxPayloadBytes: 10_000, maxFutureMs: 300_000, minObservedAt: new Date('2000-01-01T00:00:00Z') };
const senml = (name: string) => Buffer.from(JSON.stringify([{ bn: `${name}:`, n: 'power', u: 'kW', v: 2.5, t: 1740823200 }]));

describe('TenantTopicRouter', () => {
  it('subscribes to both tenant roots whole, and to the routes outside them, without overlap', () => {
    // klimatpuls/+/+/up and tenants/+/wmbusmeters/+ ... are covered by the roots
    expect(router.filters()).toEqual(['klimatpuls/#', 'tenants/#', ...DEFAULT_ROUTES.map(([f]) => f).filter((f) => !f.startsWith('klimatpuls/'))]);
  });

  it('dead-letters a topic inside a tenant space that no route takes (no_route), never neither', () => {
    for (const topic of ['klimatpuls/a/dev/data', 'tenants/a/unknown/x', 'tenants/a/klimatpuls/a/d/up', 'klimatpuls/a']) {
      const r = processMessage(topic, senml('wm-1'), new Date('2025-03-01T10:00:00Z'), opts);
      expect(r.readings, topic).toEqual([]);
      expect(r.deadLetter, topic).toMatchObject({ reason: 'no_route', field: 'topic', stage: 'gateway', topic });
    }
  });

  it('decodes a prefixed topic like the unprefixed one, as the prefix tenant', () => {
    const r = processMessage('tenants/a/senml/wm-1', senml('wm-1'), new Date('2025-03-01T10:00:00Z'), opts);
    expect(r.deadLetter).toBeUndefined();
    expect(r.readings).toMatchObject([{ tenant: 'a', deviceId: 'wm-1', metric: 'power', value: 2.5 }]);
    expect(r.readings[0]!.source.topic).toBe('tenants/a/senml/wm-1');
  });

  it("dead-letters another tenant's device under the prefix (tenant_mismatch)", () => {
    const r = processMessage('tenants/a/senml/wm-2', senml('wm-2'), new Date('2025-03-01T10:00:00Z'), opts);
    expect(r.readings).toEqual([]);
    expect(r.deadLetter?.reason).toBe('tenant_mismatch');
  });

  it('has no route for the native format under the prefix, nor for unknown formats', () => {
    expect(router.decoderFor('tenants/a/klimatpuls/a/d/up')).toBeUndefined();
    expect(router.decoderFor('tenants/a/nothing/here')).toBeUndefined();
    expect(router.decoderFor('klimatpuls/a/d/up')?.name).toBe('native');
  });
});
