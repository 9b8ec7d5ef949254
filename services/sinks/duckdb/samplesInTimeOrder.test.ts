import { describe, expect, it } from 'vitest';
import { samplesInTimeOrder } from './duckdbRollups.js';

describe('samplesInTimeOrder (DuckDB string_agg pairs come in no set order)', () => {
  it('sorts the pairs by time and keeps one value per instant', () => {
    expect(samplesInTimeOrder([3, 30, 1, 10, 2, 20, 2, 21])).toEqual([
      { t: 1, v: 10 },
      { t: 2, v: 21 },
      { t: 3, v: 30 },
    ]);
  });
  it('leaves sorted pairs as they are', () => {
    expect(samplesInTimeOrder([1, 1.5, 2, -0.25])).toEqual([{ t: 1, v: 1.5 }, { t: 2, v: -0.25 }]);
    expect(samplesInTimeOrder([])).toEqual([]);
  });
});
