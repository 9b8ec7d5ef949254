import { describe, expect, it } from 'vitest';
import { numberOf, timeOf } from './cells.js';
import { ZoneClock } from './zoneClock.js';

const clock = new ZoneClock('Europe/Stockholm');
const at = (cell: string | Date, time?: string) => {
  const t = timeOf(cell, time, { clock, zone: 'Europe/Stockholm' });
  return t && new Date(t.ms).toISOString();
};

describe('cells', () => {
  it('numbers as Swedish and English exports write them', () => {
    expect(numberOf('1 234,5', ',')).toBe(1234.5);
    expect(numberOf('1\u00a0234,5', ',')).toBe(1234.5);
    expect(numberOf('1.234,5', ',')).toBe(1234.5);
    expect(numberOf('\u22122,5', ',')).toBe(-2.5);
    expect(numberOf('1,234.5', '.')).toBe(1234.5);
    expect(numberOf('1,5', '.')).toBeUndefined();
    expect(numberOf('tolv', ',')).toBeUndefined();
  });

  it('times in Stockholm, across both DST changes, year-months and instants with an offset', () => {
    expect(at('2025-01-01', '00:00')).toBe('2024-12-31T23:00:00.000Z');
    expect(at('2025-07-01 13:00')).toBe('2025-07-01T11:00:00.000Z');
    expect(at('2024-03')).toBe('2024-02-29T23:00:00.000Z');
    expect(at('202403')).toBe('2024-02-29T23:00:00.000Z');
    expect(at('2024-03-31', '02:00')).toBe('2024-03-31T01:00:00.000Z'); // does not exist: 03:00 summer time
    expect(at('2024-10-27', '02:00')).toBe('2024-10-27T00:00:00.000Z'); // repeated: the first (summer time)
    expect(at('2025-01-01T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(at(new Date(Date.UTC(2025, 5, 1)))).toBe('2025-05-31T22:00:00.000Z'); // an Excel date cell is wall time
    expect(at('2025-13-03')).toBeUndefined();
    expect(at('2025-02-30')).toBeUndefined();
  });
});
