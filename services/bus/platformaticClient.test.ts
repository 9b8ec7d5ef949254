import fc from 'fast-check';
import { compatibilityPartitioner, MultipleErrors, NetworkError, UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { isRetriable, KlimatpulsError } from '../core/errors.js';
import { partitionOfKey } from './murmur2.js';
import { murmur2 } from './murmur2Partitioner.js';
import { toBusError } from './platformaticClient.js';

describe('toBusError', () => {
  it('maps what the client may retry to a retriable BUS_UNAVAILABLE, and what it may not to a final one', () => {
    const down = toBusError(new MultipleErrors('produce failed 9 times.', [new NetworkError('Connection to 127.0.0.1:9092 failed.')]), 'produce');
    expect(down).toBeInstanceOf(KlimatpulsError);
    expect(down).toMatchObject({ code: 'BUS_UNAVAILABLE', retriable: true });
    expect(down.message).toBe('kafka produce: produce failed 9 times. (Connection to 127.0.0.1:9092 failed.)');
    expect(isRetriable(down)).toBe(true);
    const refused = toBusError(new MultipleErrors('failed', [new NetworkError('x'), new UserError('bad option')]), 'commit');
    expect(refused).toMatchObject({ code: 'BUS_UNAVAILABLE', retriable: false });
    expect(isRetriable(refused)).toBe(false);
    const ours = new KlimatpulsError('SHUTTING_DOWN', 'stop');
    expect(toBusError(ours, 'x')).toBe(ours);
  });
});

describe('partitionOfKey', () => {
  it("is kafkajs's and the Java client's partition (platformatic's compatibilityPartitioner) for any key", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
      const bytes = Buffer.from(key, 'utf8');
      expect(partitionOfKey(bytes, n)).toBe((murmur2(key) & 0x7fffffff) % n);
      expect(partitionOfKey(bytes, n)).toBe(compatibilityPartitioner(undefined as never, bytes) % n);
    }), { numRuns: 2000 });
  });
});
