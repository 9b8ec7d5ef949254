import { describe, expect, it } from 'vitest';
import { deadLetterSchema, type DeadLetter } from '../core/deadLetter.js';
import { canonicalReadingSchema, readingId } from '../core/reading.js';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import type { Decoder } from '../decoders/types.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { seededRandom } from '../core/random.js';
import { DecoderRouter } from './routing/decoderRouter.js';
import { processMessage, type ProcessorOptions } from './messageProcessor.js';

const registry = new DeviceRegistry([
  { id: 'EL-Norrgard', tenant: 'kalmar', kind: 'electricity_meter', site: 'norrgard', params: {} },
  { id: 'heat-berga', tenant: 'kalmar', kind: 'heat_meter', site: 'berga', params: {} },
  { id: 'bike-tullbron', tenant: 'kalmar', kind: 'bike_counter', params: {} },
  { id: 'el-vaxjo-1', tenant: 'vaxjo', kind: 'electricity_meter', site: 'centrum', params: {} },
]);

const opts: ProcessorOptions = {
  router: new DecoderRouter(DEFAULT_ROUTES),
  registry,
  maxPayloadBytes: 4096,
  maxFutureMs: 300_000,
  minObservedAt: new Date('2000-01-01T00:00:00Z'),
};

const receivedAt = new Date('2025-03-01T10:00:05.000Z');
const T = '2025-03-01T10:00:00Z';
const topicOf = (device: string, tenant = 'kalmar') => `klimatpuls/${tenant}/${device}/up`;
const run = (topic: string, payload: unknown, o: ProcessorOptions = opts) =>
  processMessage(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), receivedAt, o);

/** Runs a message that must be rejected as a whole and returns its dead letter. */
function deadLetterOf(topic: string, payload: unknown, o: ProcessorOptions = opts): DeadLetter {
  const r = run(topic, payload, o);
  expect(r.readings).toEqual([]);
  expect(r.deadLetter).toBeDefined();
  expect(deadLetterSchema.safeParse(r.deadLetter).success).toBe(true);
  return r.deadLetter!;
}

function expectReason(d: DeadLetter, reason: DeadLetter['reason'], field: string) {
  expect({ reason: d.reason, field: d.field }).toEqual({ reason, field });
  expect(d.rejected[0]).toMatchObject({ reason, field });
  expect(d.message).toBe(d.rejected[0]!.message);
}

describe('processMessage: good messages', () => {
  it('turns a message into canonical readings with the registry tenant, kind and site', () => {
    const payload = { time: T, readings: [{ metric: 'energy_total', value: 1234567, unit: 'Wh' }, { metric: 'power', value: 8500, unit: 'W', channel: 'l1' }] };
    const r = run(topicOf('el-norrgard'), payload);
    expect(r.deadLetter).toBeUndefined();
    expect(r.readings).toHaveLength(2);
    for (const reading of r.readings) expect(canonicalReadingSchema.parse(reading)).toEqual(reading);
    const [energy, power] = r.readings;
    expect(energy).toEqual({
      id: readingId({ tenant: 'kalmar', deviceId: 'EL-Norrgard', metric: 'energy_total', observedAt: '2025-03-01T10:00:00.000Z' }),
      tenant: 'kalmar',
      deviceId: 'EL-Norrgard', // the registry's spelling, whatever case the topic used
      site: 'norrgard',
      kind: 'electricity_meter',
      metric: 'energy_total',
      value: 1234.567,
      unit: 'kWh',
      observedAt: '2025-03-01T10:00:00.000Z',
      receivedAt: '2025-03-01T10:00:05.000Z',
      source: { format: 'native', decoderVersion: '1.0.0', topic: topicOf('el-norrgard') },
    });
    expect(power).toMatchObject({ metric: 'power', value: 8.5, unit: 'kW', channel: 'l1' });
  });

  it('converts MWh to kWh and keeps values without unit as they are', () => {
    const r = run(topicOf('heat-berga'), { time: T, readings: [{ metric: 'heat_energy_total', value: 10.892314, unit: 'MWh' }, { metric: 'flow_temperature', value: 70.5 }] });
    expect(r.deadLetter).toBeUndefined();
    expect(r.readings.map((x) => [x.metric, x.value, x.unit, x.kind, x.site])).toEqual([
      ['heat_energy_total', 10892.314, 'kWh', 'heat_meter', 'berga'],
      ['flow_temperature', 70.5, '°C', 'heat_meter', 'berga'],
    ]);
  });

  it('leaves site out when the device has none, and uses the received time when the message has none', () => {
    const r = run(topicOf('bike-tullbron'), { readings: [{ metric: 'count', value: 12, channel: 'in' }] });
    expect(r.readings).toHaveLength(1);
    expect(r.readings[0]).not.toHaveProperty('site');
    expect(r.readings[0]!.observedAt).toBe(receivedAt.toISOString());
  });

  it('gives deterministic ids: the same message processed again (redelivery) has the same ids', () => {
    const payload = { time: T, readings: [{ metric: 'count', value: 3, channel: 'in' }, { metric: 'count', value: 4, channel: 'out' }] };
    const a = run(topicOf('bike-tullbron'), payload);
    const b = processMessage(topicOf('bike-tullbron'), Buffer.from(JSON.stringify(payload)), new Date('2025-03-01T10:07:00Z'), opts);
    expect(a.readings.map((x) => x.id)).toEqual(b.readings.map((x) => x.id));
    expect(new Set(a.readings.map((x) => x.id)).size).toBe(2); // channels differ, so ids differ
    // the same instant written with another offset is the same reading
    const c = run(topicOf('bike-tullbron'), { ...payload, time: '2025-03-01T11:00:00+01:00' });
    expect(c.readings.map((x) => x.id)).toEqual(a.readings.map((x) => x.id));
  });

  it('matches the device id in any case', () => {
    const r = run(topicOf('EL-NORRGARD'), { time: T, readings: [{ metric: 'power', value: 1, unit: 'kW' }] });
    expect(r.readings[0]?.deviceId).toBe('EL-Norrgard');
  });
});

describe('processMessage: dead-letter reasons', () => {
  it('payload_too_large (checked before anything else, no decoder)', () => {
    const d = deadLetterOf(topicOf('el-norrgard'), Buffer.alloc(4097, 0x20));
    expectReason(d, 'payload_too_large', '(payload)');
    expect(d.decoder).toBeNull();
    // exactly at the limit is not too large
    const atLimit = run(topicOf('el-norrgard'), Buffer.alloc(4096, 0x20));
    expect(atLimit.deadLetter?.reason).toBe('not_json');
  });

  it('no_route when no route matches', () => {
    const d = deadLetterOf('sensors/kalmar/el-norrgard', { readings: [{ metric: 'power', value: 1 }] });
    expectReason(d, 'no_route', 'topic');
    expect(d.decoder).toBeNull();
  });

  it('not_json', () => {
    expectReason(deadLetterOf(topicOf('el-norrgard'), 'energy_total=5'), 'not_json', '(payload)');
  });

  it('schema', () => {
    expectReason(deadLetterOf(topicOf('el-norrgard'), { readings: [{ metric: 'power', value: '3.5 kW' }] }), 'schema', 'readings[0].value');
  });

  it('unknown_device', () => {
    const d = deadLetterOf(topicOf('el-nowhere'), { time: T, readings: [{ metric: 'power', value: 1 }] });
    expectReason(d, 'unknown_device', 'device');
    expect(d.message).toContain('el-nowhere');
  });

  it('tenant_mismatch: the topic names another tenant than the registry', () => {
    expectReason(deadLetterOf(topicOf('el-vaxjo-1', 'kalmar'), { time: T, readings: [{ metric: 'power', value: 1 }] }), 'tenant_mismatch', 'topic');
    expectReason(deadLetterOf(topicOf('el-norrgard', 'vaxjo'), { time: T, readings: [{ metric: 'power', value: 1 }] }), 'tenant_mismatch', 'topic');
  });

  it('unknown_metric', () => {
    const d = deadLetterOf(topicOf('el-norrgard'), { time: T, readings: [{ metric: 'energy', value: 1 }] });
    expectReason(d, 'unknown_metric', 'readings[0].metric');
    // an inherited property name is not a metric either
    expectReason(deadLetterOf(topicOf('el-norrgard'), { time: T, readings: [{ metric: 'constructor', value: 1 }] }), 'unknown_metric', 'readings[0].metric');
  });

  it('bad_unit: unknown unit, and a known unit of another quantity', () => {
    expectReason(deadLetterOf(topicOf('el-norrgard'), { time: T, readings: [{ metric: 'energy_total', value: 1, unit: 'BTU' }] }), 'bad_unit', 'readings[0].unit');
    expectReason(deadLetterOf(topicOf('el-norrgard'), { time: T, readings: [{ metric: 'energy_total', value: 1, unit: 'kW' }] }), 'bad_unit', 'readings[0].unit');
  });

  it('implausible_value: negative cumulative register', () => {
    const d = deadLetterOf(topicOf('el-norrgard'), { time: T, readings: [{ metric: 'energy_total', value: -5, unit: 'kWh' }] });
    expectReason(d, 'implausible_value', 'readings[0].value');
    expect(d.message).toMatch(/cumulative/);
  });

  it('implausible_value: out of range (power above 100 MW, temperature above 70 °C)', () => {
    expectReason(deadLetterOf(topicOf('el-norrgard'), { time: T, readings: [{ metric: 'power', value: 200, unit: 'MW' }] }), 'implausible_value', 'readings[0].value');
    expectReason(deadLetterOf(topicOf('el-norrgard'), { time: T, readings: [{ metric: 'temperature', value: 85 }] }), 'implausible_value', 'readings[0].value');
    // the range applies to the converted value: 100 000 kW = 100 MW is still fine
    expect(run(topicOf('el-norrgard'), { time: T, readings: [{ metric: 'power', value: 100, unit: 'MW' }] }).readings[0]?.value).toBe(100_000);
  });

  it('implausible_value: a value that overflows to Infinity after conversion', () => {
    expectReason(deadLetterOf(topicOf('el-norrgard'), { time: T, readings: [{ metric: 'energy_total', value: 1e308, unit: 'MWh' }] }), 'implausible_value', 'readings[0].value');
  });

  it('implausible_value: non-integer count', () => {
    const d = deadLetterOf(topicOf('bike-tullbron'), { time: T, readings: [{ metric: 'count', value: 2.5, channel: 'in' }] });
    expectReason(d, 'implausible_value', 'readings[0].value');
    expect(d.message).toMatch(/whole number/);
  });

  it('future_time: more than maxFutureMs after the received time', () => {
    const d = deadLetterOf(topicOf('el-norrgard'), { time: '2025-03-01T10:05:06Z', readings: [{ metric: 'power', value: 1 }] });
    expectReason(d, 'future_time', 'readings[0].time');
    // within the allowed skew is fine
    expect(run(topicOf('el-norrgard'), { time: '2025-03-01T10:05:04Z', readings: [{ metric: 'power', value: 1 }] }).readings).toHaveLength(1);
  });

  it('implausible_time: a clock that was never set (year 1111, 1970)', () => {
    expectReason(deadLetterOf(topicOf('el-norrgard'), { time: '1111-11-11T11:11:11Z', readings: [{ metric: 'power', value: 1 }] }), 'implausible_time', 'readings[0].time');
    expectReason(deadLetterOf(topicOf('el-norrgard'), { time: 1000, readings: [{ metric: 'power', value: 1 }] }), 'implausible_time', 'readings[0].time');
  });

  it('decode_error when a decoder throws, with the decoder named', () => {
    const throwing: Decoder = { name: 'broken', version: '0.0.1', decode: () => { throw new Error('boom'); } };
    class BrokenRouter extends DecoderRouter {
      override decoderFor(): Decoder { return throwing; }
    }
    const d = deadLetterOf(topicOf('el-norrgard'), '{}', { ...opts, router: new BrokenRouter([]) });
    expectReason(d, 'decode_error', '(payload)');
    expect(d.message).toContain('boom');
    expect(d.decoder).toEqual({ name: 'broken', version: '0.0.1' });
  });
});

describe('processMessage: partly good messages and the dead letter', () => {
  const payload = {
    time: T,
    readings: [
      { metric: 'energy_total', value: 1000, unit: 'kWh' }, // ok
      { metric: 'energy_total', value: -1, unit: 'kWh', time: '2025-03-01T09:45:00Z' }, // negative register
      { metric: 'power', value: 3, unit: 'kW' }, // ok
      { metric: 'voltage', value: 230 }, // unknown metric
      { metric: 'power', value: 1, unit: 'm3' }, // bad unit
      { metric: 'battery', value: 50, time: '2030-01-01T00:00:00Z' }, // future
    ],
  };
  const raw = Buffer.from(JSON.stringify(payload));
  const r = processMessage(topicOf('el-norrgard'), raw, receivedAt, opts);

  it('gives the good readings and one dead letter listing each rejected value', () => {
    expect(r.readings.map((x) => [x.metric, x.value])).toEqual([['energy_total', 1000], ['power', 3]]);
    expect(r.deadLetter).toBeDefined();
    expect(r.deadLetter!.rejected).toEqual([
      { reason: 'implausible_value', field: 'readings[1].value', message: expect.any(String) },
      { reason: 'unknown_metric', field: 'readings[3].metric', message: expect.any(String) },
      { reason: 'bad_unit', field: 'readings[4].unit', message: expect.any(String) },
      { reason: 'future_time', field: 'readings[5].time', message: expect.any(String) },
    ]);
    // the headline is the first rejection
    expect(r.deadLetter!.reason).toBe('implausible_value');
    expect(r.deadLetter!.field).toBe('readings[1].value');
  });

  it('keeps the raw payload (base64), the topic, the decoder name/version and the times', () => {
    const d = r.deadLetter!;
    expect(deadLetterSchema.parse(d)).toEqual(d);
    expect(Buffer.from(d.payloadBase64, 'base64').equals(raw)).toBe(true);
    expect(d.topic).toBe(topicOf('el-norrgard'));
    expect(d.stage).toBe('gateway');
    expect(d.decoder).toEqual({ name: 'native', version: '1.0.0' });
    expect(d.receivedAt).toBe(receivedAt.toISOString());
    expect(Number.isNaN(Date.parse(d.deadLetteredAt))).toBe(false);
  });

  it('keeps bytes that are not text intact in the dead letter', () => {
    const bin = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x80]);
    const d = deadLetterOf(topicOf('el-norrgard'), bin);
    expect(Buffer.from(d.payloadBase64, 'base64').equals(bin)).toBe(true);
  });
});

describe('processMessage: never throws', () => {
  const rnd = seededRandom(20250301);
  const int = (n: number) => Math.floor(rnd() * n);
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const alphabet = ['klimatpuls', 'kalmar', 'vaxjo', 'el-norrgard', 'EL-NORRGARD', 'bike-tullbron', 'up', '+', '#', '', 'ä', '\u0000', '..'];
  const randomTopic = () => Array.from({ length: 1 + int(6) }, () => (rnd() < 0.2 ? randomBytes(int(8)).toString('latin1') : pick(alphabet))).join('/');
  /** A topic some default route sends to its decoder, so every decoder gets fuzzed. */
  const routedTopic = () => pick(DEFAULT_ROUTES)[0].split('/').map((level) => (level === '+' ? pick(['el-norrgard', 'bike-tullbron', 'kalmar', 'A84041000181C5B2', 'x']) : level === '#' ? 'x/y' : level)).join('/');
  const keys = ['readings', 'metric', 'value', 'unit', 'time', 'device', 'channel', 'end_device_ids', 'dev_eui', 'device_id', 'uplink_message',
    'decoded_payload', 'frm_payload', 'f_cnt', 'fCnt', 'received_at', 'deviceInfo', 'devEui', 'object', 'data', 'bn', 'bt', 'n', 'v', 'u', 't',
    'e', 'meter', 'id', 'total_kwh', 'total_m3', 'timestamp', 'ENERGY', 'Total', 'Power', 'Time', 'StatusSNS'];
  const randomJson = (depth = 0): unknown => {
    const r = rnd();
    if (depth > 4 || r < 0.3) return pick([0, -1, 1.5, 1e308, -0, 42, 1740823200000, '', 'kWh', 'Wh', 'm3', '2025-03-01T10:00:00Z', 'AAEC', 'x'.repeat(int(80)), null, true, false]);
    if (r < 0.55) return Array.from({ length: int(4) }, () => randomJson(depth + 1));
    return Object.fromEntries(Array.from({ length: 1 + int(5) }, () => [pick(keys), randomJson(depth + 1)]));
  };
  const seeds = [
    JSON.stringify({ time: T, readings: [{ metric: 'energy_total', value: 1234.5, unit: 'Wh' }, { metric: 'count', value: 3, channel: 'in' }] }),
    JSON.stringify({ device: 'bike-tullbron', time: 1740823200000, readings: [{ metric: 'count', value: 7, channel: 'out', time: '2025-03-01T10:00:00+01:00' }] }),
  ];

  function check(topic: string, payload: Buffer) {
    const r = processMessage(topic, payload, receivedAt, opts);
    for (const reading of r.readings) expect(canonicalReadingSchema.safeParse(reading).success).toBe(true);
    if (r.deadLetter) {
      expect(deadLetterSchema.safeParse(r.deadLetter).success).toBe(true);
      expect(r.deadLetter.rejected.length).toBeGreaterThan(0);
      expect(Buffer.from(r.deadLetter.payloadBase64, 'base64').equals(payload)).toBe(true);
    } else if (opts.router.decoderFor(topic)?.name === 'native') {
      // The native format carries at least one reading, and every decoded value ends up as
      // a reading or in the dead letter. (Other formats may decode to zero values.)
      expect(r.readings.length).toBeGreaterThan(0);
    }
  }

  it('on random bytes, on a valid topic, on every routed topic and on random topics', () => {
    for (let i = 0; i < 300; i++) {
      const payload = randomBytes(int(600));
      check(topicOf(pick(['el-norrgard', 'bike-tullbron', 'x'])), payload);
      check(routedTopic(), payload);
      check(randomTopic(), payload);
    }
  });

  it('on random JSON on every routed topic', () => {
    for (let i = 0; i < 1000; i++) check(routedTopic(), Buffer.from(JSON.stringify(randomJson())));
  });

  it('on valid messages with random bytes changed', () => {
    let readingsSeen = 0;
    for (let i = 0; i < 400; i++) {
      const buf = Buffer.from(pick(seeds));
      for (let k = int(4); k >= 0; k--) buf[int(buf.length)] = rnd() < 0.5 ? int(256) : pick([0x22, 0x2c, 0x7b, 0x7d, 0x5b, 0x5d, 0x30, 0x2d, 0x2e]);
      const topic = rnd() < 0.8 ? topicOf(pick(['el-norrgard', 'bike-tullbron'])) : randomTopic();
      check(topic, buf);
      readingsSeen += processMessage(topic, buf, receivedAt, opts).readings.length;
    }
    // some mutations must survive, or the test would only ever exercise the decoder's rejections
    expect(readingsSeen).toBeGreaterThan(0);
  });
});
