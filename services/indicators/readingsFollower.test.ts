import { describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/memoryBus.js';
import { followReadings } from './readingsFollower.js';

describe('followReadings', () => {
  it('marks the tenant and observed time of every reading, skips what is not one, and commits the batch', async () => {
    const bus = createMemoryBus({ lingerMs: 0 });
    const marks: Array<[string, number]> = [];
    const producer = bus.producer();
    await producer.send([
      { topic: 'readings', key: 'a/d1', value: JSON.stringify({ tenant: 'a', deviceId: 'd1', observedAt: '2025-03-01T12:00:00.000Z' }) },
      { topic: 'readings', key: 'x', value: 'not json' },
      { topic: 'readings', key: 'b/d2', value: JSON.stringify({ tenant: 'b', deviceId: 'd2' }) },
      { topic: 'readings', key: 'b/d3', value: JSON.stringify({ tenant: 'b', deviceId: 'd3', observedAt: '2024-12-31T23:00:00.000Z' }) },
    ]);
    const follower = await followReadings({ bus, readingsTopic: 'readings', groupId: 'g', scheduler: { mark: (t, at) => marks.push([t, at]) } });
    while (marks.length < 2) await new Promise((r) => setImmediate(r));
    await follower.stop();
    expect(marks).toEqual([
      ['a', Date.parse('2025-03-01T12:00:00.000Z')],
      ['b', Date.parse('2024-12-31T23:00:00.000Z')],
    ]);
    // Committed: a follower started again sees only what came after.
    await producer.send([{ topic: 'readings', key: 'a/d1', value: JSON.stringify({ tenant: 'a', deviceId: 'd1', observedAt: '2025-03-02T00:00:00.000Z' }) }]);
    const again = await followReadings({ bus, readingsTopic: 'readings', groupId: 'g', scheduler: { mark: (t, at) => marks.push([t, at]) } });
    while (marks.length < 3) await new Promise((r) => setImmediate(r));
    await again.stop();
    expect(marks.slice(2)).toEqual([['a', Date.parse('2025-03-02T00:00:00.000Z')]]);
  });
});
