import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DecodeResult, DecodedValue } from '../types.js';
import { nativeDecoder, parseNativeTopic } from './nativeDecoder.js';

/**
 * Fixtures in testdata/: {note, topic, payload | payloadText | payloadBase64,
 * repeatReadings?, expect}. `repeatReadings` repeats payload.readings[0] n times.
 */
interface Fixture {
  note: string;
  topic: string;
  payload?: { readings?: unknown[] } & Record<string, unknown>;
  payloadText?: string;
  payloadBase64?: string;
  repeatReadings?: number;
  expect:
    | { ok: true; tenantHint: string; values?: Array<Record<string, unknown>>; count?: number }
    | { ok: false; reason: string; field: string; message?: string };
}

const TESTDATA = join(import.meta.dirname, 'testdata');
const fixtureNames = readdirSync(TESTDATA).filter((f) => f.endsWith('.json')).sort();

function load(name: string): { fixture: Fixture; topic: string; payload: Buffer } {
  const fixture = JSON.parse(readFileSync(join(TESTDATA, name), 'utf8')) as Fixture;
  let payload: Buffer;
  if (fixture.payloadBase64 !== undefined) payload = Buffer.from(fixture.payloadBase64, 'base64');
  else if (fixture.payloadText !== undefined) payload = Buffer.from(fixture.payloadText, 'utf8');
  else {
    const p = structuredClone(fixture.payload!);
    if (fixture.repeatReadings !== undefined) p.readings = Array.from({ length: fixture.repeatReadings }, () => p.readings![0]);
    payload = Buffer.from(JSON.stringify(p));
  }
  return { fixture, topic: fixture.topic, payload };
}

const receivedAt = new Date('2025-03-01T10:00:05Z');
const decode = (topic: string, payload: Buffer | string): DecodeResult =>
  nativeDecoder.decode(Buffer.isBuffer(payload) ? payload : Buffer.from(payload), { topic, receivedAt });

/** Decoded values as plain JSON (Dates as ISO strings, undefined fields dropped). */
const plain = (values: DecodedValue[]) => JSON.parse(JSON.stringify(values)) as unknown;

function decodeFixture(name: string) {
  const { topic, payload } = load(name);
  return decode(topic, payload);
}

function expectRejection(r: DecodeResult, reason: string, field: string): string {
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.rejection.reason).toBe(reason);
  expect(r.rejection.field).toBe(field);
  expect(r.rejection.message.length).toBeGreaterThan(0);
  return r.rejection.message;
}

describe('native decoder fixtures (testdata/)', () => {
  it('has fixtures, each with a note saying where it came from', () => {
    expect(fixtureNames.length).toBeGreaterThanOrEqual(10);
    for (const name of fixtureNames) {
      const { fixture } = load(name);
      expect(fixture.note, name).toMatch(/\w{3,}/);
      expect(name.startsWith('valid-') === fixture.expect.ok, `${name}: name prefix and expect.ok agree`).toBe(true);
    }
  });

  it.each(fixtureNames)('%s decodes as expected', (name) => {
    const { fixture } = load(name);
    const r = decodeFixture(name);
    const e = fixture.expect;
    if (e.ok) {
      if (!r.ok) throw new Error(`${name}: rejected: ${JSON.stringify(r.rejection)}`);
      expect(r.tenantHint).toBe(e.tenantHint);
      if (e.values) expect(plain(r.values)).toEqual(e.values);
      if (e.count !== undefined) expect(r.values).toHaveLength(e.count);
    } else {
      const message = expectRejection(r, e.reason, e.field);
      if (e.message !== undefined) expect(message).toBe(e.message);
    }
  });
});

describe('native decoder: valid messages', () => {
  it('decodes a single reading with tenant hint, device and time from the topic/payload', () => {
    const r = decodeFixture('valid-single.json');
    if (!r.ok) throw new Error('rejected');
    expect(r.tenantHint).toBe('kalmar');
    expect(r.values).toHaveLength(1);
    const v = r.values[0]!;
    expect(v.deviceRef).toBe('el-norrgard');
    expect(v.observedAt).toBeInstanceOf(Date);
    expect(v.observedAt!.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(v.channel).toBeUndefined();
  });

  it('decodes several readings, each with its JSON path', () => {
    const r = decodeFixture('valid-multiple.json');
    if (!r.ok) throw new Error('rejected');
    expect(r.values.map((v) => [v.metric, v.field, v.channel])).toEqual([
      ['energy_total', 'readings[0]', undefined],
      ['power', 'readings[1]', 'l1'],
    ]);
  });

  it("lets a reading's own time win over the message time, offsets included", () => {
    const r = decodeFixture('valid-reading-time.json');
    if (!r.ok) throw new Error('rejected');
    expect(r.values.map((v) => v.observedAt!.toISOString())).toEqual([
      '2025-03-01T09:30:00.000Z',
      '2025-03-01T10:00:00.000Z',
      '2025-03-01T10:15:00.000Z',
    ]);
  });

  it('accepts epoch milliseconds', () => {
    const r = decodeFixture('valid-epoch-ms.json');
    if (!r.ok) throw new Error('rejected');
    expect(r.values[0]!.observedAt!.getTime()).toBe(1740823200000);
    expect(r.values[1]!.observedAt!.getTime()).toBe(1740822300000);
  });

  it('leaves observedAt undefined when no time is given', () => {
    const r = decodeFixture('valid-no-time.json');
    if (!r.ok) throw new Error('rejected');
    for (const v of r.values) expect(v.observedAt).toBeUndefined();
  });

  it('accepts exactly 1000 readings', () => {
    const r = decodeFixture('valid-1000-readings.json');
    expect(r.ok && r.values.length).toBe(1000);
    if (r.ok) expect(r.values[999]!.field).toBe('readings[999]');
  });

  it('accepts a device field that equals the topic device', () => {
    const r = decode('klimatpuls/kalmar/el-norrgard/up', JSON.stringify({ device: 'el-norrgard', readings: [{ metric: 'power', value: 1 }] }));
    expect(r.ok).toBe(true);
  });
});

describe('native decoder: rejections', () => {
  it('not JSON', () => {
    expectRejection(decodeFixture('reject-not-json.json'), 'not_json', '(payload)');
    expectRejection(decode('klimatpuls/kalmar/el-norrgard/up', ''), 'not_json', '(payload)');
  });

  it('invalid UTF-8 bytes, even when a lenient decoding would be valid JSON', () => {
    const { topic, payload } = load('reject-invalid-utf8.json');
    // The fixture is really "JSON but for the encoding": a lossy decode parses.
    expect(() => JSON.parse(payload.toString('utf8'))).not.toThrow();
    expectRejection(decode(topic, payload), 'not_json', '(payload)');
  });

  it('wrong topic', () => {
    expectRejection(decodeFixture('reject-wrong-topic.json'), 'unsupported_topic', 'topic');
    const good = JSON.stringify({ readings: [{ metric: 'power', value: 1 }] });
    for (const topic of ['klimatpuls/kalmar/up', 'klimatpuls/kalmar/a/b/up', 'other/kalmar/x/up', 'klimatpuls//x/up', '/klimatpuls/kalmar/x/up']) {
      expectRejection(decode(topic, good), 'unsupported_topic', 'topic');
    }
  });

  it('checks the topic before the payload', () => {
    expectRejection(decode('klimatpuls/kalmar/x/down', 'not json'), 'unsupported_topic', 'topic');
  });

  it('missing readings', () => {
    expectRejection(decodeFixture('reject-missing-readings.json'), 'schema', 'readings');
  });

  it('empty readings', () => {
    expect(expectRejection(decodeFixture('reject-empty-readings.json'), 'schema', 'readings')).toBe('at least one reading');
  });

  it('value as a string with its unit', () => {
    expect(expectRejection(decodeFixture('reject-value-string.json'), 'schema', 'readings[0].value')).toBe('a finite number');
  });

  it('time without offset, on the message or on a reading', () => {
    expectRejection(decodeFixture('reject-time-without-offset.json'), 'schema', 'time');
    expectRejection(decodeFixture('reject-reading-time-without-offset.json'), 'schema', 'readings[1].time');
  });

  it('epoch times that are not positive whole milliseconds', () => {
    for (const time of [0, -1, 1.5]) {
      expectRejection(decode('klimatpuls/kalmar/x/up', JSON.stringify({ time, readings: [{ metric: 'power', value: 1 }] })), 'schema', 'time');
    }
  });

  it('device mismatch', () => {
    const msg = expectRejection(decodeFixture('reject-device-mismatch.json'), 'schema', 'device');
    expect(msg).toContain('el-norrgard');
  });

  it('more than 1000 readings', () => {
    expect(expectRejection(decodeFixture('reject-too-many-readings.json'), 'schema', 'readings')).toBe('at most 1000 readings per message');
  });

  it('a payload that is JSON but not an object', () => {
    for (const p of ['null', '[]', '42', '"text"', 'true']) expectRejection(decode('klimatpuls/kalmar/x/up', p), 'schema', '(root)');
  });

  it('a reading without metric, or with an over-long unit', () => {
    expectRejection(decode('klimatpuls/kalmar/x/up', JSON.stringify({ readings: [{ value: 1 }] })), 'schema', 'readings[0].metric');
    expectRejection(decode('klimatpuls/kalmar/x/up', JSON.stringify({ readings: [{ metric: 'power', value: 1, unit: 'k'.repeat(17) }] })), 'schema', 'readings[0].unit');
  });
});

describe('parseNativeTopic', () => {
  const TOPIC_RE = /^klimatpuls\/([^/]+)\/([^/]+)\/up$/;
  const part = fc.oneof(fc.constantFrom('', 'klimatpuls', 'up', 'a', 'x/y', '\n', '/'), fc.string({ maxLength: 4 }));
  const topic = fc.oneof(fc.array(part, { maxLength: 6 }).map((p) => p.join('/')), fc.tuple(part, part).map(([t, d]) => `klimatpuls/${t}/${d}/up`));

  it('matches what the topic regex matches, with the same tenant and device', () => {
    fc.assert(
      fc.property(topic, (t) => {
        const m = TOPIC_RE.exec(t);
        expect(parseNativeTopic(t), t).toEqual(m ? { tenant: m[1], device: m[2] } : undefined);
      }),
      { numRuns: 20_000 },
    );
  });
});
