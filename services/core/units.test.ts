import { describe, expect, it } from 'vitest';
import { SOURCE_UNITS, toCanonical } from './units.js';

describe('toCanonical', () => {
  it('converts Wh to kWh without binary noise', () => {
    expect(toCanonical(1234, 'Wh', 'kWh')).toBe(1.234);
    expect(toCanonical(1, 'Wh', 'kWh')).toBe(0.001);
  });

  it('converts MWh, MJ and GJ to kWh', () => {
    expect(toCanonical(1.5, 'MWh', 'kWh')).toBe(1500);
    expect(toCanonical(3.6, 'MJ', 'kWh')).toBe(1);
    expect(toCanonical(36, 'MJ', 'kWh')).toBe(10);
    expect(toCanonical(3.6, 'GJ', 'kWh')).toBe(1000);
  });

  it('converts m3 (both spellings) and l to L', () => {
    expect(toCanonical(1.25, 'm3', 'L')).toBe(1250);
    expect(toCanonical(2, 'm³', 'L')).toBe(2000);
    expect(toCanonical(7, 'l', 'L')).toBe(7);
  });

  it('converts W and MW to kW, C and Cel to °C', () => {
    expect(toCanonical(8500, 'W', 'kW')).toBe(8.5);
    expect(toCanonical(-2, 'MW', 'kW')).toBe(-2000);
    expect(toCanonical(-3.5, 'C', '°C')).toBe(-3.5);
    expect(toCanonical(21, 'Cel', '°C')).toBe(21);
  });

  it('returns the value unchanged for the canonical unit itself', () => {
    expect(toCanonical(0.1 + 0.2, 'kWh', 'kWh')).toBe(0.1 + 0.2);
  });

  it('returns undefined for an unknown unit', () => {
    expect(toCanonical(1, 'BTU', 'kWh')).toBeUndefined();
    expect(toCanonical(1, 'kwh', 'kWh')).toBeUndefined(); // case matters: no guessing
    expect(toCanonical(1, '', 'kWh')).toBeUndefined();
    expect(toCanonical(1, 'toString', 'kWh')).toBeUndefined(); // not an inherited property
  });

  it('returns undefined when the unit is known but measures something else', () => {
    expect(toCanonical(1, 'Wh', 'kW')).toBeUndefined();
    expect(toCanonical(1, 'm3', 'kWh')).toBeUndefined();
    expect(toCanonical(1, '%', '°C')).toBeUndefined();
  });

  it('lists every accepted source unit', () => {
    expect(SOURCE_UNITS).toEqual(expect.arrayContaining(['Wh', 'kWh', 'MWh', 'MJ', 'GJ', 'm3', 'm³', 'L', '%', 'count', '°C']));
  });
});

describe('toCanonical: units of the metrics added in issue 16', () => {
  it('reads any volume unit as m³ for a metric in m³ (gas volume)', () => {
    expect(toCanonical(123.456, 'm3', 'm³')).toBe(123.456);
    expect(toCanonical(2, 'm³', 'm³')).toBe(2);
    expect(toCanonical(1500, 'L', 'm³')).toBe(1.5);
    expect(toCanonical(1, 'l', 'm³')).toBe(0.001);
    expect(toCanonical(1, 'kWh', 'm³')).toBeUndefined();
  });

  it('reads %RH as % and ppm as ppm', () => {
    expect(toCanonical(45.5, '%RH', '%')).toBe(45.5);
    expect(toCanonical(812, 'ppm', 'ppm')).toBe(812);
    expect(toCanonical(812, '%', 'ppm')).toBeUndefined();
  });
});
