import { describe, expect, it } from 'vitest';
import { isMetricName } from '../../core/metrics.js';
import { itDecodesTestdata, loadTestdataCases, messageBytes } from '../decoderTestdata.js';
import type { DecodeResult } from '../types.js';
import { IPSO_RESOURCES, NAME_TO_METRIC, UNIT_TO_METRIC, metricFor, senmlDecoder } from './senmlDecoder.js';
import { ipsoPath, urnName } from './senmlNames.js';

const RECEIVED = new Date('2025-03-01T10:00:05Z');

function decode(payload: unknown, topic = 'senml/dev-x'): DecodeResult {
  return senmlDecoder.decode(messageBytes(payload), { topic, receivedAt: RECEIVED });
}

describe('senml decoder: testdata', () => {
  itDecodesTestdata(senmlDecoder, loadTestdataCases(import.meta.url), { receivedAt: RECEIVED, onAccepted: (r) => expect(r.tenantHint).toBeUndefined() });
});

describe('senml decoder', () => {
  it('has a stable name and version', () => {
    expect(senmlDecoder.name).toBe('senml');
    expect(senmlDecoder.version).toBe('1.1.0');
  });

  it('maps only to canonical metrics', () => {
    for (const m of Object.values(NAME_TO_METRIC)) expect(isMetricName(m), m).toBe(true);
    for (const m of Object.values(UNIT_TO_METRIC)) expect(isMetricName(m), m).toBe(true);
    for (const s of IPSO_RESOURCES.values()) expect(isMetricName(s.metric), s.metric).toBe(true);
    expect(metricFor('flow_temperature')).toBe('flow_temperature');
    expect(metricFor('Energy')).toBeUndefined(); // names are case-sensitive
    expect(metricFor('toString')).toBeUndefined();
    expect(metricFor('')).toBeUndefined();
  });

  it('switches between relative and absolute time at 2^28 seconds', () => {
    const below = decode([{ bn: 'd:', n: 'power', u: 'W', v: 1, t: 2 ** 28 - 1 }]);
    expect(below.ok && below.values[0]!.observedAt!.getTime()).toBe(RECEIVED.getTime() + (2 ** 28 - 1) * 1000);
    const at = decode([{ bn: 'd:', n: 'power', u: 'W', v: 1, t: 2 ** 28 }]);
    expect(at.ok && at.values[0]!.observedAt!.getTime()).toBe(2 ** 28 * 1000);
  });

  it('adds t to an absolute bt, including negative t', () => {
    const r = decode([{ bn: 'd:', bt: 1740823200, n: 'power', u: 'W', v: 1, t: -30 }]);
    expect(r.ok && r.values[0]!.observedAt!.toISOString()).toBe('2025-03-01T09:59:30.000Z');
  });

  it('lets a later record redefine bu and bt, and u override bu', () => {
    const r = decode([
      { bn: 'd:', bt: 1740823200, bu: 'Wh', n: 'energy', v: 1 },
      { n: 'energy', u: 'kWh', v: 2 },
      { bu: 'W', bt: 1740823260, n: 'power', v: 3 },
    ]);
    expect(r.ok && r.values.map((v) => [v.unit, v.observedAt!.toISOString()])).toEqual([
      ['Wh', '2025-03-01T10:00:00.000Z'],
      ['kWh', '2025-03-01T10:00:00.000Z'],
      ['W', '2025-03-01T10:01:00.000Z'],
    ]);
  });

  it('strips trailing separators from bn but keeps inner ones', () => {
    for (const [bn, ref] of [
      ['urn:dev:ow:10e2073a01080063:', 'urn:dev:ow:10e2073a01080063'],
      ['building-7/floor-2/', 'building-7/floor-2'],
      ['dev.1.', 'dev.1'],
      ['plain', 'plain'],
    ] as const) {
      const r = decode([{ bn, n: 'temperature', u: 'Cel', v: 20 }]);
      expect(r.ok && r.values[0]!.deviceRef).toBe(ref);
    }
  });

  it('falls back to the topic when bn is only a separator', () => {
    const r = decode([{ bn: ':', n: 'temperature', u: 'Cel', v: 20 }], 'senml/sensor-9');
    expect(r.ok && r.values[0]!.deviceRef).toBe('sensor-9');
  });

  it('does not need a unit for count', () => {
    const r = decode([{ bn: 'cykel-1:', n: 'count', v: 42 }]);
    expect(r.ok && r.values[0]).toMatchObject({ metric: 'count', value: 42, unit: undefined });
  });

  it('ignores sums, vb and unknown fields on unmapped records; rejects a mapped record with only a sum', () => {
    expect(decode([{ bn: 'd:', n: 'door', vb: true }, { n: 'x', s: 5, foo: 1 }])).toEqual({ ok: true, values: [] });
    const r = decode([{ bn: 'd:', n: 'energy', u: 'kWh', s: 1234 }]);
    expect(r.ok || r.rejection).toMatchObject({ reason: 'schema', field: '[0].s' });
  });

  it('ignores unknown non-must-understand fields on mapped records', () => {
    const r = decode([{ bn: 'd:', n: 'energy', u: 'kWh', v: 1, vendor: 'x' }]);
    expect(r.ok && r.values).toHaveLength(1);
  });

  it('rejects a must-understand field on an otherwise ignored record too', () => {
    const r = decode([{ n: 'voltage', v: 1, foo_: 1 }]);
    expect(r.ok || r.rejection).toMatchObject({ reason: 'schema', field: '[0].foo_' });
  });

  it('rejects values of the wrong JSON type with the record path', () => {
    expect(decode([{ bn: 'd:', n: 'energy', u: 'kWh', v: 1 }, { n: 'energy', u: 'kWh', v: null }])).toMatchObject({
      ok: false,
      rejection: { reason: 'schema', field: '[1].v' },
    });
    expect(decode([{ bn: 5 }])).toMatchObject({ ok: false, rejection: { reason: 'schema', field: '[0].bn' } });
    expect(decode([1, 2])).toMatchObject({ ok: false, rejection: { reason: 'schema', field: '[0]' } });
  });

  it('rejects more than 1000 records', () => {
    const pack = Array.from({ length: 1001 }, () => ({ n: 'x', v: 1 }));
    expect(decode(pack)).toMatchObject({ ok: false, rejection: { reason: 'schema', field: '(root)' } });
  });

  it('rejects non-JSON and invalid UTF-8', () => {
    expect(decode('temperature=21.5')).toMatchObject({ ok: false, rejection: { reason: 'not_json', field: '(payload)' } });
    const bad = Buffer.concat([Buffer.from('[{"n":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","v":1}]')]);
    expect(senmlDecoder.decode(bad, { topic: 'senml/x', receivedAt: RECEIVED })).toMatchObject({
      ok: false,
      rejection: { reason: 'not_json' },
    });
  });

  it('adds bv without binary noise', () => {
    const r = decode([{ bn: 'd:', bv: 0.1, n: 'energy', u: 'kWh', v: 0.2 }]);
    expect(r.ok && r.values[0]!.value).toBe(0.3);
  });
});

describe('senml decoder: LwM2M paths, URNs and units', () => {
  it('finds the LwM2M path after an empty prefix or a separator only', () => {
    expect(ipsoPath('/3303/0/5700')).toEqual({ prefix: '', object: 3303, instance: 0, resource: 5700 });
    expect(ipsoPath('3303/0/5700')).toEqual({ prefix: '', object: 3303, instance: 0, resource: 5700 });
    expect(ipsoPath('urn:dev:imei:353000000000017:/3303/0/5700')).toMatchObject({ prefix: 'urn:dev:imei:353000000000017', object: 3303 });
    expect(ipsoPath('urn:dev:imei:353000000000017:3303/0/5700')).toMatchObject({ prefix: 'urn:dev:imei:353000000000017', object: 3303 });
    expect(ipsoPath('/3/0/6/1')).toEqual({ prefix: '', object: 3, instance: 0, resource: 6, resourceInstance: 1 });
    expect(ipsoPath('sensor3303/0/5700')).toBeUndefined();
    expect(ipsoPath('temperature')).toBeUndefined();
    expect(ipsoPath('3303/0')).toBeUndefined();
  });

  it('reads RFC 9039 device URNs at the start of a name', () => {
    expect(urnName('urn:dev:ow:10e2073a01080063')).toEqual({ device: 'urn:dev:ow:10e2073a01080063', local: '' });
    expect(urnName('urn:dev:mac:0024befffe804ff1:voltage')).toEqual({ device: 'urn:dev:mac:0024befffe804ff1', local: 'voltage' });
    expect(urnName('urn:dev:imei:353000000000017/temp')).toEqual({ device: 'urn:dev:imei:353000000000017', local: 'temp' });
    expect(urnName('urn:x:y')).toBeUndefined();
  });

  it('a unit that names no single metric (%, /, l, ppm, V) leaves an unknown name unknown', () => {
    for (const u of ['%', '/', 'l', 'ppm', 'V', 'A', 'lon']) {
      const r = decode([{ bn: 'd:', n: 'x', u, v: 1 }]);
      expect(r.ok && r.values, u).toEqual([]);
      expect(r.ok && r.unknown, u).toEqual([{ field: '[0]', name: 'x', message: `"x" (unit ${u}) has no Klimatpuls metric` }]);
    }
  });

  it('a record without a number is ignored, not reported', () => {
    expect(decode([{ bn: 'd:', n: 'label', vs: 'Machine Room' }, { n: 'open', vb: false }, { n: 'nfc', vd: 'aGkgCg' }])).toEqual({ ok: true, values: [] });
  });

  it('the record unit wins over the Sensor Units resource, which wins over the usual unit', () => {
    const r = decode([{ bn: '/3303/0/', n: '5700', u: 'K', v: 294.65 }, { n: '5701', vs: 'Cel' }]);
    expect(r.ok && r.values[0]!.unit).toBe('K');
    const f = decode([{ bn: '/3303/0/', n: '5701', vs: 'Far' }, { n: '5700', v: 70 }]);
    expect(f.ok && f.values[0]!.unit).toBe('Far');
  });

  it('the Sensor Units of one instance do not apply to another', () => {
    const r = decode([{ bn: '/3331/', n: '0/5701', vs: 'Wh' }, { n: '1/5700', v: 5 }]);
    expect(r.ok || r.rejection).toMatchObject({ reason: 'schema', field: '[1].u' });
  });

  it('a unit-derived name longer than a channel may be is reported, not stored', () => {
    const r = decode([{ bn: 'd:', n: 'x'.repeat(65), u: 'Cel', v: 1 }]);
    expect(r.ok && r.values).toEqual([]);
    expect(r.ok && r.unknown?.length).toBe(1);
  });
});
