import { describe, expect, it } from 'vitest';
import { SOURCE_UNITS } from '../../core/units.js';
import { DECODED_KEY_MAP, lookupKey, normalizeKey, parseValueWithUnit, valuesFromDecodedObject } from './decodedValues.js';

const meta = { deviceRef: 'DEV', observedAt: new Date('2025-03-01T10:00:00Z'), frameCounter: 3 };

describe('key map', () => {
  it('normalizes camelCase and case', () => {
    expect(normalizeKey('batteryLevel')).toBe('battery_level');
    expect(normalizeKey('Battery_Level')).toBe('battery_level');
    expect(normalizeKey('line1PeriodIn')).toBe('line1_period_in');
    expect(lookupKey('fillLevel')).toEqual({ metric: 'fill_level', unit: '%' });
    expect(lookupKey('TEMPERATURE')).toEqual({ metric: 'temperature', unit: '°C' });
  });

  it('maps the documented keys', () => {
    expect(lookupKey('battery')).toEqual({ metric: 'battery', unit: '%' });
    expect(lookupKey('distance')).toEqual({ metric: 'distance', unit: 'mm' });
    expect(lookupKey('energy_kwh')).toEqual({ metric: 'energy_total', unit: 'kWh' });
    expect(lookupKey('energy_wh')).toEqual({ metric: 'energy_total', unit: 'Wh' });
    expect(lookupKey('power')).toEqual({ metric: 'power', unit: 'W' });
    expect(lookupKey('power_kw')).toEqual({ metric: 'power', unit: 'kW' });
    expect(lookupKey('water_m3')).toEqual({ metric: 'water_total', unit: 'm3' });
    expect(lookupKey('in')).toEqual({ metric: 'count', unit: 'count', channel: 'in' });
    expect(lookupKey('people_out')).toEqual({ metric: 'count', unit: 'count', channel: 'out' });
    expect(lookupKey('line_1_period_in')).toEqual({ metric: 'count', unit: 'count', channel: 'in' });
    expect(lookupKey('line_3_period_out')).toEqual({ metric: 'count', unit: 'count', channel: 'line3_out' });
  });

  it('does not read ambiguous or cumulative-count keys', () => {
    for (const k of ['water', 'volume', 'level', 'voltage', 'battery_v', 'line_1_total_in', 'total_in', 'line_5_period_in', 'rssi']) {
      expect(lookupKey(k), k).toBeUndefined();
    }
  });

  it('every default unit is one the normalizer converts (distance: mm/cm)', () => {
    for (const [k, s] of DECODED_KEY_MAP) {
      if (s.metric === 'distance') expect(['mm', 'cm'], k).toContain(s.unit);
      else expect(SOURCE_UNITS, k).toContain(s.unit);
    }
  });
});

describe('parseValueWithUnit', () => {
  it('takes numbers in the key unit', () => {
    expect(parseValueWithUnit(21.5, '°C', 'temperature')).toEqual({ ok: true, value: 21.5, unit: '°C' });
    expect(parseValueWithUnit(0, '%', 'battery')).toEqual({ ok: true, value: 0, unit: '%' });
  });

  it('parses number strings with and without units', () => {
    expect(parseValueWithUnit('21.5 °C', '°C', 'temperature')).toEqual({ ok: true, value: 21.5, unit: '°C' });
    expect(parseValueWithUnit('21.5°C', '°C', 'temperature')).toEqual({ ok: true, value: 21.5, unit: '°C' });
    expect(parseValueWithUnit('-3.5 ℃', '°C', 'temperature')).toEqual({ ok: true, value: -3.5, unit: '°C' });
    expect(parseValueWithUnit('98%', '%', 'battery')).toEqual({ ok: true, value: 98, unit: '%' });
    expect(parseValueWithUnit(' 42 ', '%', 'battery')).toEqual({ ok: true, value: 42, unit: '%' });
    expect(parseValueWithUnit('1.2e3 Wh', 'kWh', 'energy_total')).toEqual({ ok: true, value: 1200, unit: 'Wh' });
    expect(parseValueWithUnit('2.5 kW', 'W', 'power')).toEqual({ ok: true, value: 2.5, unit: 'kW' });
    expect(parseValueWithUnit('.5 m3', 'L', 'water_total')).toEqual({ ok: true, value: 0.5, unit: 'm3' });
  });

  it('reports distances in mm', () => {
    expect(parseValueWithUnit(81.2, 'cm', 'distance')).toEqual({ ok: true, value: 812, unit: 'mm' });
    expect(parseValueWithUnit('1.25 m', 'mm', 'distance')).toEqual({ ok: true, value: 1250, unit: 'mm' });
    expect(parseValueWithUnit('640', 'mm', 'distance')).toEqual({ ok: true, value: 640, unit: 'mm' });
    expect(parseValueWithUnit('3 ft', 'mm', 'distance').ok).toBe(false);
  });

  it('rejects unknown units and non-numbers', () => {
    const v = parseValueWithUnit('3.384 V', '%', 'battery');
    expect(v.ok).toBe(false);
    expect(!v.ok && v.message).toContain('unknown unit "V"');
    expect(parseValueWithUnit('5 constructor', 'mm', 'distance').ok).toBe(false);
    expect(parseValueWithUnit('5 __proto__', '°C', 'temperature').ok).toBe(false);
    for (const raw of ['low', '', '21,5 °C', true, [1], { value: 1 }]) {
      expect(parseValueWithUnit(raw, '°C', 'temperature').ok, JSON.stringify(raw)).toBe(false);
    }
  });
});

describe('valuesFromDecodedObject', () => {
  it('reads mapped keys with field paths and the uplink meta; ignores others and nulls', () => {
    const r = valuesFromDecodedObject({ battery: 87, batteryLevel: null, rssi: -90, distance: '64 cm', firmware: 'v1' }, 'object', meta);
    expect(r).toEqual({
      ok: true,
      values: [
        { deviceRef: 'DEV', metric: 'battery', value: 87, unit: '%', field: 'object.battery', observedAt: meta.observedAt, frameCounter: 3 },
        { deviceRef: 'DEV', metric: 'distance', value: 640, unit: 'mm', field: 'object.distance', observedAt: meta.observedAt, frameCounter: 3 },
      ],
    });
  });

  it('leaves out observedAt and frameCounter when the uplink has none', () => {
    const r = valuesFromDecodedObject({ temperature: 5 }, 'o', { deviceRef: 'D' });
    expect(r).toEqual({ ok: true, values: [{ deviceRef: 'D', metric: 'temperature', value: 5, unit: '°C', field: 'o.temperature' }] });
  });

  it('rejects two keys for the same metric and channel, naming the second', () => {
    const r = valuesFromDecodedObject({ energy: 1, total_energy: 1 }, 'o', meta);
    expect(r).toEqual({ ok: false, rejection: { reason: 'schema', field: 'o.total_energy', message: 'total_energy and energy both give energy_total' } });
    // different channels do not collide
    expect(valuesFromDecodedObject({ in: 1, out: 2, line_2_period_in: 3 }, 'o', meta).ok).toBe(true);
  });

  it('rejects a mapped key with a bad value, naming it', () => {
    const r = valuesFromDecodedObject({ battery: 50, temperature: { value: 3 } }, 'o', meta);
    expect(!r.ok && r.rejection.reason).toBe('schema');
    expect(!r.ok && r.rejection.field).toBe('o.temperature');
  });
});

describe('indoor climate keys (issue 16)', () => {
  it('reads humidity (%, or "%RH" in a string) and co2 (ppm) as Elsys/Milesight codecs name them', () => {
    const r = valuesFromDecodedObject({ temperature: 21.7, humidity: 34, co2: 812, relativeHumidity: null }, 'object', { deviceRef: 'D' });
    expect(r.ok && r.values.map((v) => [v.metric, v.value, v.unit])).toEqual([
      ['temperature', 21.7, '°C'],
      ['humidity', 34, '%'],
      ['co2', 812, 'ppm'],
    ]);
    const s = valuesFromDecodedObject({ rh: '45.5 %RH', co2_ppm: '650 ppm' }, 'object', { deviceRef: 'D' });
    expect(s.ok && s.values.map((v) => [v.metric, v.value, v.unit])).toEqual([
      ['humidity', 45.5, '%RH'],
      ['co2', 650, 'ppm'],
    ]);
  });
});
