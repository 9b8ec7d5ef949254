import { describe, expect, it } from 'vitest';
import { readingId, type CanonicalReading } from '../../core/reading.js';
import type { ProcessedMessage } from '../messageProcessor.js';
import { MessageRateLimiter } from './messageRateLimiter.js';

const at = new Date('2025-03-01T10:00:00Z');
function msg(tenant: string, deviceId: string): ProcessedMessage {
  const base = { tenant, deviceId, metric: 'power' as const, observedAt: at.toISOString() };
  const r: CanonicalReading = { id: readingId(base), ...base, kind: 'electricity_meter', value: 1, unit: 'kW', receivedAt: at.toISOString(), source: { format: 'native', decoderVersion: '1.0.0', topic: `klimatpuls/${tenant}/${deviceId}/up` } };
  return { readings: [r] };
}

describe('MessageRateLimiter', () => {
  it('is off unless a limit is set', () => {
    const l = new MessageRateLimiter({ devicePerMin: 0, tenantPerSec: 0, maxKeys: 100 });
    expect(l.enabled).toBe(false);
    const m = msg('a', 'd');
    expect(l.apply('t', Buffer.from('x'), at, m)).toBe(m);
  });

  it('dead-letters a device over its rate as rate_limited, keeping the payload', () => {
    let now = 0;
    const l = new MessageRateLimiter({ devicePerMin: 60, deviceBurst: 2, tenantPerSec: 0, maxKeys: 100, now: () => now });
    const out = [1, 2, 3].map(() => l.apply('klimatpuls/a/d/up', Buffer.from('payload'), at, msg('a', 'd')));
    expect(out.map((o) => o.readings.length)).toEqual([1, 1, 0]);
    const dl = out[2]!.deadLetter!;
    expect(dl).toMatchObject({ reason: 'rate_limited', field: '(message)', stage: 'gateway', topic: 'klimatpuls/a/d/up', decoder: { name: 'native', version: '1.0.0' } });
    expect(Buffer.from(dl.payloadBase64, 'base64').toString()).toBe('payload');
    expect(l.apply('klimatpuls/a/other/up', Buffer.from('p'), at, msg('a', 'other')).readings).toHaveLength(1); // another device
    now += 1000;
    expect(l.apply('klimatpuls/a/d/up', Buffer.from('p'), at, msg('a', 'd')).readings).toHaveLength(1);
  });

  it('limits a tenant across its devices, and unattributable messages by topic', () => {
    const l = new MessageRateLimiter({ devicePerMin: 0, tenantPerSec: 1, tenantBurst: 2, maxKeys: 100, now: () => 0 });
    const r = ['d1', 'd2', 'd3'].map((d) => l.apply(`klimatpuls/a/${d}/up`, Buffer.from('p'), at, msg('a', d)));
    expect(r.map((x) => x.deadLetter?.reason ?? 'ok')).toEqual(['ok', 'ok', 'rate_limited']);
    expect(r[2]!.deadLetter!.message).toMatch(/tenant a/);
    expect(l.apply('klimatpuls/b/d/up', Buffer.from('p'), at, msg('b', 'd')).readings).toHaveLength(1);
    // A message that decoded to nothing still counts against the tenant its topic names.
    const garbage: ProcessedMessage = { readings: [] };
    expect(l.apply('tenants/a/senml/x', Buffer.from('p'), at, garbage).deadLetter?.reason).toBe('rate_limited');
  });
});
