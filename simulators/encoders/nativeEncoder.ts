import { ALL_FAMILIES } from './common.js';
import type { Encoder } from './types.js';

export const nativeEncoder: Encoder = {
  name: 'native',
  deviceClock: true,
  families: ALL_FAMILIES,
  encode(d, values, ctx) {
    return {
      topic: `klimatpuls/${d.registry.tenant}/${d.registry.id}/up`,
      payload: Buffer.from(JSON.stringify({ time: ctx.deviceTime.toISOString(), readings: values.map((v) => ({ metric: v.metric, value: v.value, unit: v.unit, ...(v.channel ? { channel: v.channel } : {}) })) })),
    };
  },
  malformed(d, n) {
    const bad = [`{"time": "2025-01-01T00:00:00Z", "readings": [`, JSON.stringify({ readings: [{ metric: 'energy_total', value: 'twelve' }] }), JSON.stringify({ readings: [] })];
    return { topic: `klimatpuls/${d.registry.tenant}/${d.registry.id}/up`, payload: Buffer.from(bad[n % bad.length]!) };
  },
};
