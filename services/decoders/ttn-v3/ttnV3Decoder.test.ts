import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectRejection, itHasASourceNoteForEachFile, testdataPayload } from '../decoderTestdata.js';
import type { DecodeContext, DecodeResult, DeviceInfo } from '../types.js';
import { ttnV3Decoder } from './ttnV3Decoder.js';

const here = dirname(fileURLToPath(import.meta.url));
const testdataDir = join(here, 'testdata');

interface Case {
  note: string;
  topic: string;
  receivedAt?: string;
  devices?: Record<string, { model?: string }>;
  payload?: unknown;
  payloadText?: string;
  payloadBase64?: string;
  expect:
    | { ok: true; tenantHint?: string; values: unknown[] }
    | { ok: false; reason: string; field: string; message?: string };
}

const RECEIVED = new Date('2025-03-01T10:00:01Z');

function registry(devices: Record<string, DeviceInfo>): DecodeContext['lookupDevice'] {
  const byRef = new Map(Object.entries(devices).map(([k, d]) => [k.toLowerCase(), d]));
  return (ref) => byRef.get(ref.toLowerCase());
}

function ctxOf(topic: string, devices: Record<string, { model?: string }> = {}, receivedAt = RECEIVED): DecodeContext {
  const infos = Object.fromEntries(Object.entries(devices).map(([k, d]) => [k, { ...d, params: {} }]));
  return { topic, receivedAt, lookupDevice: registry(infos) };
}

/** Dates as ISO strings, so results compare with the JSON expectations. */
function plain(r: DecodeResult): unknown {
  return JSON.parse(JSON.stringify(r));
}

function decode(topic: string, body: unknown, devices?: Record<string, { model?: string }>): DecodeResult {
  return ttnV3Decoder.decode(Buffer.from(JSON.stringify(body)), ctxOf(topic, devices));
}

const files = readdirSync(testdataDir).filter((f) => f.endsWith('.json')).sort();

describe('ttn-v3 testdata', () => {
  it.each(files)('%s', (file) => {
    const c = JSON.parse(readFileSync(join(testdataDir, file), 'utf8')) as Case;
    const result = ttnV3Decoder.decode(testdataPayload(c), ctxOf(c.topic, c.devices, c.receivedAt ? new Date(c.receivedAt) : RECEIVED));
    if (c.expect.ok) {
      const expected: Record<string, unknown> = { ok: true, values: c.expect.values };
      if (c.expect.tenantHint !== undefined) expected.tenantHint = c.expect.tenantHint;
      expect(plain(result)).toEqual(expected);
    } else {
      expectRejection(result, c.expect);
    }
  });

  itHasASourceNoteForEachFile(testdataDir, files);
});

const TOPIC = 'v3/waste@kalmar/devices/udl-1/up';
const EUI = '24E124136C225107';

function uplink(up: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    end_device_ids: { device_id: 'udl-1', application_ids: { application_id: 'waste' }, dev_eui: EUI },
    received_at: '2025-03-01T10:00:00.300Z',
    uplink_message: { f_port: 85, received_at: '2025-03-01T10:00:00.100Z', ...up },
    ...extra,
  };
}

describe('ttn-v3 decoder', () => {
  it('is named ttn-v3 1.0.0', () => {
    expect(ttnV3Decoder.name).toBe('ttn-v3');
    expect(ttnV3Decoder.version).toBe('1.0.0');
  });

  it('does not take a tenant from the topic (TTS tenants are not Klimatpuls tenants)', () => {
    const body = uplink({ f_cnt: 1, decoded_payload: { battery: 90 } });
    const a = decode('v3/waste@Kalmar-Kommun/devices/udl-1/up', body);
    expect(a.ok && 'tenantHint' in a).toBe(false);
    const b = decode('v3/waste/devices/udl-1/up', body);
    expect(b.ok).toBe(true);
    expect(b.ok && 'tenantHint' in b).toBe(false);
  });

  it('rejects other TTS topics and malformed ones as unsupported_topic', () => {
    const body = uplink({ f_cnt: 1, decoded_payload: { battery: 90 } });
    for (const topic of [
      'v3/waste@kalmar/devices/udl-1/join',
      'v3/waste@kalmar/devices/udl-1/down/queued',
      'v3/waste@kalmar/devices/udl-1/up/extra',
      'v3/waste@/devices/udl-1/up',
      'v2/waste/devices/udl-1/up',
      'klimatpuls/kalmar/udl-1/up',
    ]) {
      const r = decode(topic, body);
      expect(r.ok ? 'ok' : r.rejection.reason, topic).toBe('unsupported_topic');
    }
  });

  it('a duplicate uplink (same f_cnt, later arrival) carries the same frameCounter', () => {
    const first = decode(TOPIC, uplink({ f_cnt: 77, decoded_payload: { distance: 512 } }));
    const again = decode(TOPIC, uplink({ f_cnt: 77, decoded_payload: { distance: 512 }, received_at: '2025-03-01T10:00:09.900Z' }));
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(first.values[0]!.frameCounter).toBe(77);
    expect(again.values[0]!.frameCounter).toBe(77);
    expect(again.values[0]!.observedAt).toEqual(new Date('2025-03-01T10:00:09.900Z'));
  });

  it('TTS omits zero fields: no f_cnt is frame counter 0; a decoded key of 0 is a value', () => {
    const r = decode(TOPIC, uplink({ decoded_payload: { line_1_period_in: 0, line_1_period_out: 4 } }));
    expect(plain(r)).toEqual({
      ok: true,
      values: [
        { deviceRef: EUI, metric: 'count', value: 0, unit: 'count', channel: 'in', observedAt: '2025-03-01T10:00:00.100Z', field: 'uplink_message.decoded_payload.line_1_period_in', frameCounter: 0 },
        { deviceRef: EUI, metric: 'count', value: 4, unit: 'count', channel: 'out', observedAt: '2025-03-01T10:00:00.100Z', field: 'uplink_message.decoded_payload.line_1_period_out', frameCounter: 0 },
      ],
    });
  });

  it('an uplink without decoded_payload and without frm_payload (empty) has no values', () => {
    expect(decode(TOPIC, uplink({ f_cnt: 3 }))).toEqual({ ok: true, values: [] });
  });

  it('a decoded_payload with only unknown keys has no values', () => {
    expect(decode(TOPIC, uplink({ f_cnt: 3, decoded_payload: { rssi: -80, firmware_version: 'v1.1' } }))).toEqual({ ok: true, values: [] });
  });

  it('decoded_payload absent and no codec for the model → decode_error on uplink_message.frm_payload', () => {
    const r = decode(TOPIC, uplink({ f_cnt: 3, frm_payload: 'AXVkA4IeAA==' }), { [EUI]: { model: 'acme-thing' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejection.reason).toBe('decode_error');
    expect(r.rejection.field).toBe('uplink_message.frm_payload');
    expect(r.rejection.message).toContain('"acme-thing" (registry)');
    expect(r.rejection.message).toContain('milesight-em500-udl');
  });

  it('decoded_payload absent and the model is unknown everywhere → decode_error saying so', () => {
    const r = decode(TOPIC, uplink({ f_cnt: 3, frm_payload: 'AXVkA4IeAA==' }));
    expect(!r.ok && r.rejection.message).toContain('the device model is unknown');
  });

  it('the registry model wins over version_ids, and is looked up by DevEUI in any case', () => {
    const body = uplink({ f_cnt: 3, frm_payload: 'BcwMAAkA', version_ids: { brand_id: 'milesight-iot', model_id: 'em500-udl' } });
    const r = decode(TOPIC, body, { [EUI.toLowerCase()]: { model: 'Milesight-VS133' } });
    expect(r.ok && r.values.map((v) => [v.metric, v.channel, v.value])).toEqual([
      ['count', 'in', 12],
      ['count', 'out', 9],
    ]);
  });

  it('the registry model is looked up by device id when the device has no DevEUI', () => {
    const body = uplink({ f_cnt: 3, frm_payload: 'AXVkA4IeAA==' });
    (body.end_device_ids as Record<string, unknown>).dev_eui = undefined;
    const r = decode(TOPIC, body, { 'udl-1': { model: 'milesight-em500-udl' } });
    expect(r.ok && r.values.map((v) => [v.deviceRef, v.metric, v.value])).toEqual([
      ['udl-1', 'battery', 100],
      ['udl-1', 'distance', 30],
    ]);
  });

  it('version_ids with only a model_id selects the codec by the model id alone', () => {
    const r = decode(TOPIC, uplink({ f_cnt: 3, frm_payload: 'AXVkA4IeAA==', version_ids: { model_id: 'em500-udl' } }));
    expect(r.ok && r.values.length).toBe(2);
  });

  it('stored history records get the device time and no frame counter; live values keep it', () => {
    // 20 CE | 1740819600 (2025-03-01T09:00:00Z) LE | 1000 mm LE, then 03 82 30 mm
    const bytes = Buffer.from('20ce90ccc267e80303821e00', 'hex').toString('base64');
    const r = decode(TOPIC, uplink({ f_cnt: 9, frm_payload: bytes }), { [EUI]: { model: 'milesight-em500-udl' } });
    expect(plain(r)).toEqual({
      ok: true,
      values: [
        { deviceRef: EUI, metric: 'distance', value: 1000, unit: 'mm', observedAt: '2025-03-01T09:00:00.000Z', field: 'uplink_message.frm_payload[6]' },
        { deviceRef: EUI, metric: 'distance', value: 30, unit: 'mm', observedAt: '2025-03-01T10:00:00.100Z', field: 'uplink_message.frm_payload[10]', frameCounter: 9 },
      ],
    });
  });

  it('malformed base64 in frm_payload is a schema rejection (Buffer.from would silently skip characters)', () => {
    for (const bad of ['AXVk A4IeAA==', 'AXVkA4IeAA=', 'A', 'AXVkA4IeAA==AA', 'AXVk_A4IeAA=']) {
      const r = decode(TOPIC, uplink({ f_cnt: 3, frm_payload: bad }), { [EUI]: { model: 'milesight-em500-udl' } });
      expect(r.ok ? 'ok' : `${r.rejection.reason} ${r.rejection.field}`, bad).toBe('schema uplink_message.frm_payload');
    }
  });

  it('frm_payload is not checked when decoded_payload is there', () => {
    const r = decode(TOPIC, uplink({ f_cnt: 3, frm_payload: 'not base64!', decoded_payload: { battery: 50 } }));
    expect(r.ok).toBe(true);
  });

  it('non-JSON and invalid UTF-8 → not_json', () => {
    for (const body of [Buffer.from('{"end_device_ids":'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
      const r = ttnV3Decoder.decode(body, ctxOf(TOPIC));
      expect(!r.ok && [r.rejection.reason, r.rejection.field]).toEqual(['not_json', '(payload)']);
    }
  });

  it('schema errors name the field', () => {
    const cases: Array<[unknown, string]> = [
      [{ end_device_ids: { device_id: 'udl-1' } }, 'uplink_message'],
      [uplink({ f_cnt: -1 }), 'uplink_message.f_cnt'],
      [uplink({ f_cnt: 1.5 }), 'uplink_message.f_cnt'],
      [uplink({ decoded_payload: [1, 2] }), 'uplink_message.decoded_payload'],
      [uplink({ decoded_payload: { distance: true } }), 'uplink_message.decoded_payload.distance'],
      [uplink({ decoded_payload: { temperature: 'warm' } }), 'uplink_message.decoded_payload.temperature'],
      [uplink({ received_at: '2025-03-01T10:00:00' }), 'uplink_message.received_at'],
      [uplink({}, { end_device_ids: { device_id: 'udl-1', dev_eui: '24E1' } }), 'end_device_ids.dev_eui'],
      [uplink({ decoded_payload: { energy: 1, energy_kwh: 1 } }), 'uplink_message.decoded_payload.energy_kwh'],
    ];
    for (const [body, field] of cases) {
      const r = decode(TOPIC, body);
      expect(r.ok ? 'ok' : `${r.rejection.reason} ${r.rejection.field}`, JSON.stringify(body)).toBe(`schema ${field}`);
    }
  });

  it('uses the top-level received_at when the uplink has none, and no time when neither is there', () => {
    const body = uplink({ f_cnt: 1, decoded_payload: { battery: 90 } });
    delete (body.uplink_message as Record<string, unknown>).received_at;
    const a = decode(TOPIC, body);
    expect(a.ok && a.values[0]!.observedAt).toEqual(new Date('2025-03-01T10:00:00.300Z'));
    delete body.received_at;
    const b = decode(TOPIC, body);
    expect(b.ok && 'observedAt' in b.values[0]!).toBe(false);
  });
});
