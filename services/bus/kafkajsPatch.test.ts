import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// patches/kafkajs+2.2.4.patch: kafkajs groups a send's records per partition in one pass.
const require = createRequire(import.meta.url);
const path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
const group = require(path) as (a: { topic: string; partitionMetadata: unknown[]; messages: Array<{ key: string }>; partitioner: (a: { message: { key: string } }) => number }) => Record<string, Array<{ key: string }>>;

describe('kafkajs patch (patch-package)', () => {
  it('is applied by npm ci', () => {
    expect(readFileSync(path, 'utf8')).toContain('Klimatpuls patch');
  });

  it('groups records per partition, in order, as the original did', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}` }));
    const partitioner = ({ message }: { message: { key: string } }) => Number(message.key.slice(1)) % 3;
    const out = group({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner });
    expect(Object.keys(out).sort()).toEqual(['0', '1', '2']);
    for (const p of [0, 1, 2]) expect(out[p]).toEqual(messages.filter((_, i) => i % 3 === p));
    expect(group({ topic: 't', partitionMetadata: [], messages, partitioner })).toEqual({});
  });
});
