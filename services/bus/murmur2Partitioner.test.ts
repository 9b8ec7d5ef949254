import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, murmur2Partitioner } from './murmur2Partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;

describe('murmur2', () => {
  it("is kafkajs's (the Java client's) murmur2 for any key, ASCII or not, short or long", () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^[a-z0-9-]{1,20}\/[a-zA-Z0-9_.:-]{1,60}$/), fc.string({ minLength: 340, maxLength: 700 })), (key) => {
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }), { numRuns: 5000 });
  });

  it('gives the same values as today (partitions of existing keys must never move)', () => {
    expect(murmur2('0')).toBe(971027396);
    expect(murmur2('1')).toBe(-1993445489);
    expect(murmur2('kafkajs')).toBe(kafkajsMurmur2('kafkajs'));
  });
});

describe('murmur2Partitioner', () => {
  const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], offlineReplicas: [], partitionErrorCode: 0 }));
  it('sends every key to the partition kafkajs would, and keeps explicit partitions', () => {
    const ours = murmur2Partitioner();
    const theirs = Partitioners.DefaultPartitioner();
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (key) => {
      const message = { key, value: 'x' };
      expect(ours({ topic: 't', partitionMetadata, message })).toBe(theirs({ topic: 't', partitionMetadata, message }));
    }), { numRuns: 2000 });
    expect(ours({ topic: 't', partitionMetadata, message: { key: 'a', value: 'x', partition: 4 } })).toBe(4);
  });
});
