import { describe, expect, it } from 'vitest';
import { itDecodesTestdata, loadTestdataCases, messageBytes } from '../decoderTestdata.js';
import type { DecodeContext, DecodeResult } from '../types.js';
import { DEFAULT_TIME_ZONE, isTimeZone, parseTasmotaTime, tasmotaDecoder } from './tasmotaDecoder.js';

const RECEIVED = new Date('2025-03-01T10:00:05Z');

function decode(payload: unknown, topic = 'tele/plug-1/SENSOR', ctx: Partial<DecodeContext> = {}): DecodeResult {
  return tasmotaDecoder.decode(messageBytes(payload), { topic, receivedAt: RECEIVED, ...ctx });
}

const sthlm = (s: string) => parseTasmotaTime(s, DEFAULT_TIME_ZONE)?.toISOString();

describe('tasmota decoder: testdata', () => {
  itDecodesTestdata(tasmotaDecoder, loadTestdataCases(import.meta.url), {
    receivedAt: RECEIVED,
    onAccepted: (r) => expect(r.tenantHint).toBeUndefined(),
  });
});

describe('Tasmota local time (Europe/Stockholm)', () => {
  it('reads winter and summer times', () => {
    expect(sthlm('2025-01-15T12:00:00')).toBe('2025-01-15T11:00:00.000Z');
    expect(sthlm('2025-07-15T12:00:00')).toBe('2025-07-15T10:00:00.000Z');
  });

  it('spring change 2025-03-30: 01:59:59 CET, the 02:xx gap, 03:00 CEST', () => {
    expect(sthlm('2025-03-30T01:59:59')).toBe('2025-03-30T00:59:59.000Z');
    expect(sthlm('2025-03-30T02:00:00')).toBe('2025-03-30T01:00:00.000Z'); // gap: = 03:00 CEST
    expect(sthlm('2025-03-30T02:59:59')).toBe('2025-03-30T01:59:59.000Z'); // gap
    expect(sthlm('2025-03-30T03:00:00')).toBe('2025-03-30T01:00:00.000Z');
    expect(sthlm('2025-03-30T03:00:01')).toBe('2025-03-30T01:00:01.000Z');
  });

  it('autumn change 2025-10-26: 02:00–02:59:59 happen twice, the earlier (CEST) instant wins', () => {
    expect(sthlm('2025-10-26T01:59:59')).toBe('2025-10-25T23:59:59.000Z');
    expect(sthlm('2025-10-26T02:00:00')).toBe('2025-10-26T00:00:00.000Z');
    expect(sthlm('2025-10-26T02:30:00')).toBe('2025-10-26T00:30:00.000Z');
    expect(sthlm('2025-10-26T02:59:59')).toBe('2025-10-26T00:59:59.000Z');
    expect(sthlm('2025-10-26T03:00:00')).toBe('2025-10-26T02:00:00.000Z');
  });

  it('keeps milliseconds and honours an explicit offset or Z', () => {
    expect(sthlm('2025-03-01T11:00:00.25')).toBe('2025-03-01T10:00:00.250Z');
    expect(sthlm('2025-10-26T02:30:00+02:00')).toBe('2025-10-26T00:30:00.000Z');
    expect(sthlm('2025-10-26T02:30:00+01:00')).toBe('2025-10-26T01:30:00.000Z');
    expect(sthlm('2025-03-01T10:00:00Z')).toBe('2025-03-01T10:00:00.000Z');
    expect(sthlm('2025-03-01T10:00:00-05:30')).toBe('2025-03-01T15:30:00.000Z');
  });

  it('works in other zones (southern hemisphere, no DST)', () => {
    // Sydney: 2025-04-06 03:00 AEDT → 02:00 AEST; 02:30 occurs twice, earlier = +11:00.
    expect(parseTasmotaTime('2025-04-06T02:30:00', 'Australia/Sydney')?.toISOString()).toBe('2025-04-05T15:30:00.000Z');
    expect(parseTasmotaTime('2025-07-01T12:00:00', 'UTC')?.toISOString()).toBe('2025-07-01T12:00:00.000Z');
    expect(parseTasmotaTime('2025-07-01T12:00:00', 'Etc/GMT-1')?.toISOString()).toBe('2025-07-01T11:00:00.000Z');
  });

  it('rejects malformed times', () => {
    for (const s of ['2025-02-29T00:00:00', '2025-13-01T00:00:00', '2025-03-01T24:00:00', '2025-03-01 11:00:00', '2025-03-01T11:00', '0099-03-01T11:00:00', '2025-03-01T11:00:00+25:00', '']) {
      expect(sthlm(s), s).toBeUndefined();
    }
    expect(sthlm('2024-02-29T00:00:00')).toBe('2024-02-28T23:00:00.000Z');
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Stockholm')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('tasmota decoder', () => {
  it('has a stable name and version', () => {
    expect(tasmotaDecoder.name).toBe('tasmota');
    expect(tasmotaDecoder.version).toBe('1.0.0');
  });

  it('uses the registry timezone param when the device has one', () => {
    const lookupDevice = (ref: string) => (ref === 'plug-1' ? { params: { timezone: 'UTC' } } : undefined);
    const r = decode({ Time: '2025-07-01T12:00:00', ENERGY: { Total: 1 } }, 'tele/plug-1/SENSOR', { lookupDevice });
    expect(r.ok && r.values[0]!.observedAt?.toISOString()).toBe('2025-07-01T12:00:00.000Z');
    const other = decode({ Time: '2025-07-01T12:00:00', ENERGY: { Total: 1 } }, 'tele/plug-2/SENSOR', { lookupDevice });
    expect(other.ok && other.values[0]!.observedAt?.toISOString()).toBe('2025-07-01T10:00:00.000Z');
  });

  it('rejects an invalid timezone param', () => {
    const lookupDevice = () => ({ params: { timezone: 'CET+1' } });
    const r = decode({ Time: '2025-07-01T12:00:00', ENERGY: { Total: 1 } }, 'tele/plug-1/SENSOR', { lookupDevice });
    expect(r.ok || r.rejection).toMatchObject({ reason: 'decode_error', field: 'Time' });
  });

  it('checks the topic shape', () => {
    for (const topic of ['tele/SENSOR', 'tele/a/b/SENSOR', 'tele/plug/sensor', 'cmnd/plug/SENSOR', 'tele//SENSOR']) {
      expect(decode({ ENERGY: { Total: 1 } }, topic)).toMatchObject({ ok: false, rejection: { reason: 'unsupported_topic', field: 'topic' } });
    }
  });

  it('rejects a non-string Time, a non-object block and non-number array elements', () => {
    expect(decode({ Time: 1740823200, ENERGY: { Total: 1 } })).toMatchObject({ ok: false, rejection: { reason: 'schema', field: 'Time' } });
    expect(decode({ ENERGY: 5 })).toMatchObject({ ok: false, rejection: { reason: 'schema', field: 'ENERGY' } });
    expect(decode({ ENERGY: { Power: [1, '2 W'] } })).toMatchObject({ ok: false, rejection: { reason: 'schema', field: 'ENERGY.Power[1]' } });
    expect(decode({ SML: { Total_in: [1, 2] } })).toMatchObject({ ok: false, rejection: { reason: 'schema', field: 'SML.Total_in' } });
  });

  it('treats null as absent', () => {
    expect(decode({ Time: null, ENERGY: { Total: null, Power: [null, 5] }, SML: null })).toEqual({
      ok: true,
      values: [{ deviceRef: 'plug-1', metric: 'power', value: 5, unit: 'W', channel: '2', observedAt: undefined, field: 'ENERGY.Power[1]' }],
    });
  });

  it('allows the same metric from ENERGY (per channel) and SML (no channel)', () => {
    const r = decode({ ENERGY: { Total: [1, 2] }, SML: { Total_in: 3 } });
    expect(r.ok && r.values.map((v) => [v.field, v.channel])).toEqual([
      ['ENERGY.Total[0]', '1'],
      ['ENERGY.Total[1]', '2'],
      ['SML.Total_in', undefined],
    ]);
  });

  it('ignores Today, Yesterday and sensors in other blocks, and SML keys in other blocks', () => {
    expect(decode({ ENERGY: { Today: 1, Yesterday: 2 }, Strom: { Total_in: 5 }, AM2301: { Temperature: 20 } })).toEqual({ ok: true, values: [] });
  });
});
