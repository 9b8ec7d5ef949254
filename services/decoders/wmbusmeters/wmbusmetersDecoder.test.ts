import { describe, expect, it } from 'vitest';
import { itDecodesTestdata, loadTestdataCases, messageBytes, testdataPayload } from '../decoderTestdata.js';
import type { DecodeContext, DecodeResult } from '../types.js';
import { normalize } from '../../gateway/normalize.js';
import { mediaClass, wmbusmetersDecoder } from './wmbusmetersDecoder.js';

const cases = loadTestdataCases(import.meta.url);

const RECEIVED = new Date('2025-03-01T10:00:05Z');

function decode(topic: string, payload: unknown, ctx: Partial<DecodeContext> = {}): DecodeResult {
  return wmbusmetersDecoder.decode(messageBytes(payload), { topic, receivedAt: RECEIVED, ...ctx });
}

describe('wmbusmeters decoder: testdata', () => {
  itDecodesTestdata(wmbusmetersDecoder, cases, {
    receivedAt: RECEIVED,
    onAccepted: (r) => expect(r.tenantHint).toBeUndefined(),
    onRejected: (r) => expect(r.rejection.message.length).toBeGreaterThan(0),
  });
});

describe('wmbusmeters decoder', () => {
  it('has a stable name and version', () => {
    expect(wmbusmetersDecoder.name).toBe('wmbusmeters');
    expect(wmbusmetersDecoder.version).toBe('1.1.0');
  });

  it('classifies media', () => {
    expect(mediaClass('heat')).toBe('heat');
    expect(mediaClass('heat/cooling load')).toBe('heat');
    expect(mediaClass('electricity')).toBe('electricity');
    expect(mediaClass('warm water')).toBe('water');
    expect(mediaClass('Cold Water')).toBe('water');
    expect(mediaClass('gas')).toBe('gas');
  });

  it('passes -127 °C through unchanged (range rules belong to the normalizer)', () => {
    const r = decode('wmbusmeters/v', { id: '1', media: 'heat', flow_temperature_c: -127 });
    expect(r).toEqual({
      ok: true,
      values: [{ deviceRef: '1', metric: 'flow_temperature', value: -127, unit: '°C', observedAt: undefined, field: 'flow_temperature_c' }],
    });
  });

  it('maps the unit from the key suffix, for every energy suffix', () => {
    for (const [suffix, unit] of [['wh', 'Wh'], ['kwh', 'kWh'], ['mwh', 'MWh'], ['mj', 'MJ'], ['gj', 'GJ']] as const) {
      const r = decode('wmbusmeters/v', { id: 'h1', media: 'heat', [`total_energy_consumption_${suffix}`]: 5 });
      expect(r.ok && r.values[0]).toMatchObject({ metric: 'heat_energy_total', unit, value: 5 });
    }
  });

  it('ignores keys whose suffix is not a unit, or whose unit does not fit the metric', () => {
    const r = decode('wmbusmeters/v', {
      id: 'e1',
      media: 'electricity',
      total_energy_consumption_tariff_1_kwh: 1, // tariff register: not the total
      total_energy_consumption: 2, // no unit suffix
      current_power_consumption_kwh: 3, // energy unit on a power key
      total_m3: 4, // water key on an electricity meter
      status: 'OK',
    });
    expect(r).toEqual({ ok: true, values: [] });
  });

  it('converts power production in W against consumption in kW', () => {
    const r = decode('wmbusmeters/v', { id: 'e1', media: 'electricity', current_power_consumption_kw: 1.5, current_power_production_w: 500 });
    expect(r.ok && r.values).toEqual([
      { deviceRef: 'e1', metric: 'power', value: 1, unit: 'kW', observedAt: undefined, field: 'current_power_consumption_kw' },
    ]);
  });

  it('reports production alone as negative power', () => {
    const r = decode('wmbusmeters/v', { id: 'e1', media: 'electricity', current_power_production_kw: 0.7 });
    expect(r.ok && r.values).toEqual([
      { deviceRef: 'e1', metric: 'power', value: -0.7, unit: 'kW', observedAt: undefined, field: 'current_power_production_kw' },
    ]);
  });

  it('rejects a numeric id (wmbusmeters writes ids as strings, leading zeros matter)', () => {
    const r = decode('wmbusmeters/v', { id: 1234, media: 'water', total_m3: 1 });
    expect(r.ok || r.rejection).toMatchObject({ reason: 'schema', field: 'id' });
  });

  it('rejects an empty id', () => {
    const r = decode('wmbusmeters/v', { id: '', media: 'water', total_m3: 1 });
    expect(r.ok || r.rejection).toMatchObject({ reason: 'schema', field: 'id' });
  });

  it('rejects a boolean in a decoded key', () => {
    const r = decode('wmbusmeters/v', { id: 'w', media: 'water', total_m3: true });
    expect(r.ok || r.rejection).toMatchObject({ reason: 'schema', field: 'total_m3' });
  });

  it('rejects an empty payload and invalid UTF-8 as not_json', () => {
    expect(wmbusmetersDecoder.decode(Buffer.alloc(0), { topic: 'wmbusmeters/v', receivedAt: RECEIVED })).toMatchObject({
      ok: false,
      rejection: { reason: 'not_json' },
    });
    const bad = Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","media":"water"}')]);
    expect(wmbusmetersDecoder.decode(bad, { topic: 'wmbusmeters/v', receivedAt: RECEIVED })).toMatchObject({
      ok: false,
      rejection: { reason: 'not_json', field: '(payload)' },
    });
  });

  it('checks the topic before the payload', () => {
    for (const topic of ['wmbusmeters', 'wmbusmeters/', 'other/MyTapWater', 'wmbusmeters/a/b']) {
      expect(decode(topic, 'not json')).toMatchObject({ ok: false, rejection: { reason: 'unsupported_topic', field: 'topic' } });
    }
  });

  it('accepts a timestamp with a numeric offset', () => {
    const r = decode('wmbusmeters/v', { id: 'w', media: 'water', total_m3: 1, timestamp: '2025-03-01T11:00:00+01:00' });
    expect(r.ok && r.values[0]!.observedAt?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
  });

  it('leaves sentinels to the normalizer, which dead-letters them with the field', () => {
    const c = cases.find(([f]) => f === 'valid-heat-sentinel-flow-127.json')![1];
    const r = wmbusmetersDecoder.decode(testdataPayload(c), { topic: c.topic, receivedAt: RECEIVED });
    if (!r.ok) throw new Error(JSON.stringify(r));
    const n = normalize(
      r.values,
      { topic: c.topic, receivedAt: RECEIVED, decoder: wmbusmetersDecoder },
      {
        registry: { get: (id) => (id === '68881234' ? { id: 'heat-berga', tenant: 'kalmar', kind: 'heat_meter', params: {} } : undefined) },
        maxFutureMs: 60_000,
        minObservedAt: new Date('2000-01-01T00:00:00Z'),
      },
    );
    expect(n.readings.map((x) => [x.metric, x.value])).toEqual([['heat_energy_total', 48124]]);
    expect(n.rejected).toEqual([
      { reason: 'implausible_value', field: 'flow_temperature_c.value', message: expect.stringContaining('flow_temperature') as unknown },
    ]);
  });
});
