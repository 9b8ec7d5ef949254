import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectRejection, itHasASourceNoteForEachFile, testdataPayload } from '../decoderTestdata.js';
import type { DecodeContext, DecodeResult, Decoder } from '../types.js';
import { chirpstackV3Decoder } from './chirpstackV3Decoder.js';
import { chirpstackV4Decoder } from './chirpstackV4Decoder.js';

const here = dirname(fileURLToPath(import.meta.url));
const testdataDir = join(here, 'testdata');
const DECODERS: Record<string, Decoder> = { 'chirpstack-v4': chirpstackV4Decoder, 'chirpstack-v3': chirpstackV3Decoder };

interface Case {
  decoder: string;
  note: string;
  topic: string;
  receivedAt?: string;
  devices?: Record<string, { model?: string }>;
  payload?: unknown;
  payloadText?: string;
  payloadBase64?: string;
  expect:
    | { ok: true; values: unknown[] }
    | { ok: false; reason: string; field: string; message?: string };
}

const RECEIVED = new Date('2025-03-01T10:00:01Z');

function ctxOf(topic: string, devices: Record<string, { model?: string }> = {}, receivedAt = RECEIVED): DecodeContext {
  const byRef = new Map(Object.entries(devices).map(([k, d]) => [k.toLowerCase(), { ...d, params: {} }]));
  return { topic, receivedAt, lookupDevice: (ref) => byRef.get(ref.toLowerCase()) };
}

const plain = (r: DecodeResult): unknown => JSON.parse(JSON.stringify(r));

const files = readdirSync(testdataDir).filter((f) => f.endsWith('.json')).sort();

describe('chirpstack testdata', () => {
  it.each(files)('%s', (file) => {
    const c = JSON.parse(readFileSync(join(testdataDir, file), 'utf8')) as Case;
    const decoder = DECODERS[c.decoder];
    expect(decoder, `decoder ${c.decoder}`).toBeDefined();
    const result = decoder!.decode(testdataPayload(c), ctxOf(c.topic, c.devices, c.receivedAt ? new Date(c.receivedAt) : RECEIVED));
    if (c.expect.ok) {
      expect(plain(result)).toEqual({ ok: true, values: c.expect.values });
    } else {
      expectRejection(result, c.expect);
    }
  });

  itHasASourceNoteForEachFile(testdataDir, files);
});

const APP = '17c82e96-be03-4f38-aef3-f83d48582d97';
const EUI = '0101010101010101';
const V4_TOPIC = `application/${APP}/device/${EUI}/event/up`;

function v4(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deduplicationId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
    time: '2025-03-01T10:00:00.5+00:00',
    deviceInfo: { tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242', applicationId: APP, deviceName: 'd', devEui: EUI },
    devAddr: '00189440',
    fCnt: 10,
    fPort: 85,
    ...over,
  };
}

const dec = (d: Decoder, topic: string, body: unknown, devices?: Record<string, { model?: string }>) =>
  d.decode(Buffer.from(JSON.stringify(body)), ctxOf(topic, devices));

describe('chirpstack-v4 decoder', () => {
  it('is named chirpstack-v4 1.0.0 and gives no tenantHint', () => {
    expect([chirpstackV4Decoder.name, chirpstackV4Decoder.version]).toEqual(['chirpstack-v4', '1.0.0']);
    const r = dec(chirpstackV4Decoder, V4_TOPIC, v4({ object: { battery: 80 } }));
    expect(r.ok && 'tenantHint' in r).toBe(false);
  });

  it('reads object, devEui (upper-cased), time and fCnt', () => {
    const r = dec(chirpstackV4Decoder, V4_TOPIC, v4({ object: { temperature: 4.25, batteryLevel: 91 } }));
    expect(plain(r)).toEqual({
      ok: true,
      values: [
        { deviceRef: EUI, metric: 'temperature', value: 4.25, unit: '°C', observedAt: '2025-03-01T10:00:00.500Z', field: 'object.temperature', frameCounter: 10 },
        { deviceRef: EUI, metric: 'battery', value: 91, unit: '%', observedAt: '2025-03-01T10:00:00.500Z', field: 'object.batteryLevel', frameCounter: 10 },
      ],
    });
  });

  it('a duplicate event (same fCnt, another deduplicationId and time) carries the same frameCounter', () => {
    const a = dec(chirpstackV4Decoder, V4_TOPIC, v4({ object: { distance: 300 } }));
    const b = dec(chirpstackV4Decoder, V4_TOPIC, v4({ object: { distance: 300 }, deduplicationId: 'b1c9e2f0-0000-4000-8000-000000000000', time: '2025-03-01T10:00:07+00:00' }));
    expect(a.ok && a.values[0]!.frameCounter).toBe(10);
    expect(b.ok && b.values[0]!.frameCounter).toBe(10);
  });

  it('omitted fCnt is 0, omitted data is an empty payload (no values)', () => {
    const body = v4();
    delete body.fCnt;
    expect(dec(chirpstackV4Decoder, V4_TOPIC, body)).toEqual({ ok: true, values: [] });
    const r = dec(chirpstackV4Decoder, V4_TOPIC, { ...body, object: { battery: 5 } });
    expect(r.ok && r.values[0]!.frameCounter).toBe(0);
  });

  it('no object and no codec → decode_error on data; with the registry model the codec decodes data', () => {
    const body = v4({ data: 'AXVkA4IeAA==' });
    const r = dec(chirpstackV4Decoder, V4_TOPIC, body);
    expect(!r.ok && [r.rejection.reason, r.rejection.field]).toEqual(['decode_error', 'data']);
    const ok = dec(chirpstackV4Decoder, V4_TOPIC, body, { [EUI]: { model: 'em500-udl' } });
    expect(ok.ok && ok.values.map((v) => [v.metric, v.value, v.unit, v.field])).toEqual([
      ['battery', 100, '%', 'data[2]'],
      ['distance', 30, 'mm', 'data[5]'],
    ]);
  });

  it('a codec failure names the byte offset in the field', () => {
    // 01 75 64, then 03 82 with one byte only
    const r = dec(chirpstackV4Decoder, V4_TOPIC, v4({ data: Buffer.from('01756403821e', 'hex').toString('base64') }), { [EUI]: { model: 'milesight-em500-udl' } });
    expect(!r.ok && r.rejection).toEqual({
      reason: 'decode_error',
      field: 'data[3]',
      message: 'milesight-em500-udl: byte 3: distance (0x03 0x82) needs 2 bytes, 1 left',
    });
  });

  it('rejects other topics', () => {
    for (const topic of [
      `application/${APP}/device/${EUI}/event/join`,
      `application/${APP}/device/${EUI}/rx`,
      `application/${APP}/device/0101/event/up`,
      `application/${APP}/device/${EUI}/command/down`,
      `v3/app/devices/${EUI}/up`,
    ]) {
      const r = dec(chirpstackV4Decoder, topic, v4({ object: { battery: 1 } }));
      expect(r.ok ? 'ok' : r.rejection.reason, topic).toBe('unsupported_topic');
    }
  });

  it('accepts the DevEUI in the topic in either case', () => {
    const r = dec(chirpstackV4Decoder, `application/${APP}/device/24E124136C225107/event/up`, v4({ deviceInfo: { devEui: '24e124136c225107' }, object: { battery: 1 } }));
    expect(r.ok && r.values[0]!.deviceRef).toBe('24E124136C225107');
  });

  it('schema errors name the field', () => {
    const cases: Array<[unknown, string]> = [
      [v4({ deviceInfo: undefined }), 'deviceInfo'],
      [v4({ deviceInfo: { devEui: 'AQEBAQEBAQE=' } }), 'deviceInfo.devEui'],
      [v4({ time: '2025-03-01 10:00:00' }), 'time'],
      [v4({ fCnt: '10' }), 'fCnt'],
      [v4({ object: 'x' }), 'object'],
      [v4({ object: { distance: '12 furlongs' } }), 'object.distance'],
      [v4({ data: 'AXVk$A4IeAA==' }), 'data'],
    ];
    for (const [body, field] of cases) {
      const r = dec(chirpstackV4Decoder, V4_TOPIC, body, { [EUI]: { model: 'milesight-em500-udl' } });
      expect(r.ok ? 'ok' : `${r.rejection.reason} ${r.rejection.field}`, JSON.stringify(body)).toBe(`schema ${field}`);
    }
  });

  it('non-JSON → not_json', () => {
    const r = chirpstackV4Decoder.decode(Buffer.from('\x0a\x24'), ctxOf(V4_TOPIC));
    expect(!r.ok && r.rejection.reason).toBe('not_json');
  });
});

const V3_EUI = '0202020202020202';
const V3_TOPIC = `application/123/device/${V3_EUI}/event/up`;

function v3(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    applicationID: '123',
    applicationName: 'temperature-sensor',
    deviceName: 'garden-sensor',
    devEUI: 'AgICAgICAgI=',
    rxInfo: [{ gatewayID: 'AwMDAwMDAwM=', time: '2019-11-08T13:59:25.048445Z', rssi: -48, loRaSNR: 9 }],
    adr: false,
    dr: 5,
    fCnt: 10,
    fPort: 5,
    data: '',
    objectJSON: '{"temperature":25}',
    tags: {},
    confirmedUplink: false,
    devAddr: 'AQIDBA==',
    ...over,
  };
}

describe('chirpstack-v3 decoder', () => {
  it('is named chirpstack-v3 1.0.0', () => {
    expect([chirpstackV3Decoder.name, chirpstackV3Decoder.version]).toEqual(['chirpstack-v3', '1.0.0']);
  });

  it('reads objectJSON (a JSON string), base64 devEUI, rxInfo[0].time and fCnt', () => {
    const r = dec(chirpstackV3Decoder, V3_TOPIC, v3());
    expect(plain(r)).toEqual({
      ok: true,
      values: [{ deviceRef: V3_EUI, metric: 'temperature', value: 25, unit: '°C', observedAt: '2019-11-08T13:59:25.048Z', field: 'objectJSON.temperature', frameCounter: 10 }],
    });
  });

  it('accepts a hex devEUI and the /rx topic', () => {
    const r = dec(chirpstackV3Decoder, `application/123/device/${V3_EUI}/rx`, v3({ devEUI: V3_EUI }));
    expect(r.ok && r.values[0]!.deviceRef).toBe(V3_EUI);
  });

  it('devEUI (base64 or hex) must match the topic', () => {
    const a = dec(chirpstackV3Decoder, V3_TOPIC, v3({ devEUI: 'AQEBAQEBAQE=' }));
    expect(!a.ok && [a.rejection.reason, a.rejection.field]).toEqual(['schema', 'devEUI']);
    const b = dec(chirpstackV3Decoder, V3_TOPIC, v3({ devEUI: '0202020202020203' }));
    expect(!b.ok && [b.rejection.reason, b.rejection.field]).toEqual(['schema', 'devEUI']);
  });

  it('objectJSON that is not valid JSON, or not an object → schema on objectJSON', () => {
    for (const objectJSON of ['{"temperature":', 'temperature=25', '[1,2]', '42', '"x"']) {
      const r = dec(chirpstackV3Decoder, V3_TOPIC, v3({ objectJSON }));
      expect(r.ok ? 'ok' : `${r.rejection.reason} ${r.rejection.field}`, objectJSON).toBe('schema objectJSON');
    }
  });

  it('objectJSON "", null or "null" is no decoded object: the raw data is decoded instead', () => {
    for (const objectJSON of ['', null, 'null']) {
      const r = dec(chirpstackV3Decoder, V3_TOPIC, v3({ objectJSON, data: 'BcwMAAkA' }), { [V3_EUI]: { model: 'milesight-vs133' } });
      expect(r.ok && r.values.map((v) => [v.channel, v.value, v.field]), String(objectJSON)).toEqual([
        ['in', 12, 'data[2]'],
        ['out', 9, 'data[4]'],
      ]);
    }
  });

  it('no decoded object, data, no codec → decode_error on data', () => {
    const r = dec(chirpstackV3Decoder, V3_TOPIC, v3({ objectJSON: '', data: 'AXVkA4IeAA==' }));
    expect(!r.ok && [r.rejection.reason, r.rejection.field]).toEqual(['decode_error', 'data']);
  });

  it('values in objectJSON get the objectJSON.<key> field; schema errors inside it too', () => {
    const r = dec(chirpstackV3Decoder, V3_TOPIC, v3({ objectJSON: '{"battery":"low"}' }));
    expect(!r.ok && [r.rejection.reason, r.rejection.field]).toEqual(['schema', 'objectJSON.battery']);
  });

  it('takes the first gateway time, else publishedAt, else none', () => {
    const a = dec(chirpstackV3Decoder, V3_TOPIC, v3({ rxInfo: [{ time: null }, { time: '2019-11-08T13:59:25.1Z' }] }));
    expect(a.ok && a.values[0]!.observedAt).toEqual(new Date('2019-11-08T13:59:25.100Z'));
    const b = dec(chirpstackV3Decoder, V3_TOPIC, v3({ rxInfo: [{ rssi: -40 }], publishedAt: '2019-11-08T13:59:26Z' }));
    expect(b.ok && b.values[0]!.observedAt).toEqual(new Date('2019-11-08T13:59:26Z'));
    const c = dec(chirpstackV3Decoder, V3_TOPIC, v3({ rxInfo: null }));
    expect(c.ok && 'observedAt' in c.values[0]!).toBe(false);
  });

  it('a duplicate uplink (same fCnt) carries the same frameCounter; a missing fCnt gives none', () => {
    const a = dec(chirpstackV3Decoder, V3_TOPIC, v3());
    const b = dec(chirpstackV3Decoder, V3_TOPIC, v3({ rxInfo: [{ time: '2019-11-08T13:59:31Z' }] }));
    expect(a.ok && b.ok && [a.values[0]!.frameCounter, b.values[0]!.frameCounter]).toEqual([10, 10]);
    const c = dec(chirpstackV3Decoder, V3_TOPIC, v3({ fCnt: undefined }));
    expect(c.ok && 'frameCounter' in c.values[0]!).toBe(false);
  });

  it('rejects other topics', () => {
    for (const topic of [
      `application/123/device/${V3_EUI}/event/join`,
      `application/123/device/${V3_EUI}/event/status`,
      `application/123/device/AgICAgICAgI=/event/up`,
      `application/123/node/${V3_EUI}/rx`,
    ]) {
      const r = dec(chirpstackV3Decoder, topic, v3());
      expect(r.ok ? 'ok' : r.rejection.reason, topic).toBe('unsupported_topic');
    }
  });

  it('a v3 event sent to the v4 decoder says so', () => {
    const r = dec(chirpstackV4Decoder, `application/123/device/${V3_EUI}/event/up`, v3());
    expect(!r.ok && r.rejection.message).toContain('chirpstack-v3');
  });
});
