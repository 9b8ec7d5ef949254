import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTES, decoders } from '../../services/decoders/index.js';
import { DecoderRouter } from '../../services/gateway/routing/decoderRouter.js';
import { processMessage, type ProcessorOptions } from '../../services/gateway/messageProcessor.js';
import type { Family, SimDevice } from '../city/devices.js';
import { DeviceModel, type TrueValue, type WireValue } from '../city/model.js';
import { seededRandom } from '../../services/core/random.js';
import { ALL_FAMILIES } from './common.js';
import { encoders, supports } from './index.js';
import { ctxAt, devicesIn, NORMALIZE_LIMITS as norm, registryOf, roundTrip } from './roundTrip.js';

/** The formats: the decoder registry's names (registry.test.ts checks each has an encoder). */
const FORMATS = Object.keys(decoders);
/** The formats with an encoder (all of them, unless one is missing: the first test then fails). */
const ENCODED = FORMATS.filter((f) => Object.hasOwn(encoders, f));
const HOUR = 3_600_000;
const router = new DecoderRouter(DEFAULT_ROUTES);

/** 48 hourly steps from `start` + 1 h: across the DST end (2025-10-26 01:00Z) and start (2025-03-30 01:00Z). */
const WINDOWS = [
  { name: 'DST end', start: Date.parse('2025-10-25T00:00:00Z') },
  { name: 'DST start', start: Date.parse('2025-03-29T00:00:00Z') },
  { name: 'winter', start: Date.parse('2025-01-14T00:00:00Z') },
];

const key = (v: { metric: string; channel?: string }) => `${v.metric}/${v.channel ?? ''}`;

function expectTruth(readings: ReturnType<typeof roundTrip>['readings'], truth: TrueValue[], d: SimDevice, t: Date, what: string) {
  const got = [...readings].sort((a, b) => key(a).localeCompare(key(b)));
  const want = [...truth].sort((a, b) => key(a).localeCompare(key(b)));
  expect(got.map(key), what).toEqual(want.map(key));
  for (const [i, r] of got.entries()) {
    const w = want[i]!;
    expect(Math.abs(r.value - w.value) <= 1e-9 * Math.max(Math.abs(r.value), Math.abs(w.value)), `${what} ${key(w)}: ${r.value} vs ${w.value}`).toBe(true);
    expect(r.observedAt, `${what} ${key(w)}`).toBe(t.toISOString());
    expect(r.deviceId).toBe(d.registry.id);
    expect(r.tenant).toBe(d.registry.tenant);
  }
}

function processorOptions(d: SimDevice): ProcessorOptions {
  return { router, registry: registryOf(d), maxPayloadBytes: 256 * 1024, ...norm };
}

describe('encoder registry', () => {
  it('has one encoder per decoder, named like it', () => {
    expect(Object.keys(encoders).sort()).toEqual([...FORMATS].sort());
    for (const [name, e] of Object.entries(encoders)) expect(e.name, name).toBe(name);
  });

  it('marks which formats take their time from the device clock', () => {
    expect(Object.fromEntries(FORMATS.map((f) => [f, encoders[f]!.deviceClock]))).toEqual({
      native: true,
      'ttn-v3': false,
      'chirpstack-v4': false,
      'chirpstack-v3': false,
      wmbusmeters: false,
      'han-p1': true,
      senml: true,
      tasmota: true,
      amsleser: true,
    });
  });

  it('supports() lists what each format carries', () => {
    const table = Object.fromEntries(FORMATS.map((f) => [f, ALL_FAMILIES.filter((fam) => supports(f, fam))]));
    expect(table).toEqual({
      native: [...ALL_FAMILIES],
      'ttn-v3': [...ALL_FAMILIES],
      'chirpstack-v4': [...ALL_FAMILIES],
      'chirpstack-v3': [...ALL_FAMILIES],
      wmbusmeters: ['electricity_meter', 'heat_meter'],
      'han-p1': ['electricity_meter'],
      senml: ['electricity_meter', 'heat_meter', 'temperature'],
      tasmota: ['electricity_meter'],
      amsleser: ['electricity_meter'],
    });
    expect(supports('no-such-format', 'temperature')).toBe(false);
    expect(supports('constructor', 'temperature')).toBe(false);
  });

  it.each(FORMATS)('%s: supports() matches what encode accepts', (format) => {
    const e = encoders[format]!;
    const t = new Date('2025-03-01T10:00:00Z');
    for (const d of devicesIn(format)) {
      const { wire } = new DeviceModel(d, seededRandom(1)).step(t, 1, 0);
      const run = () => e.encode(d, wire, ctxAt(t, 1));
      if (supports(format, d.family)) {
        expect(run, `${format} ${d.family}`).not.toThrow();
      } else {
        expect(run, `${format} ${d.family}`).toThrow(new RegExp(`${format} cannot carry ${d.family}`));
      }
    }
  });
});

describe.each(ENCODED)('%s: exact round trip through decoder + normalizer', (format) => {
  const e = encoders[format]!;
  const devices = devicesIn(format).filter((d) => supports(format, d.family));
  const families = [...new Set(devices.map((d) => d.family))];

  it.each(families)('%s over 48 hourly steps in each window', (family: Family) => {
    for (const d of devices.filter((x) => x.family === family)) {
      for (const w of WINDOWS) {
        const model = new DeviceModel(d, seededRandom(d.n + 17));
        for (let k = 1; k <= 48; k++) {
          const t = new Date(w.start + k * HOUR);
          const { wire, truth } = model.step(t, 1, k < 24 ? -7 : 3);
          const msg = e.encode(d, wire, ctxAt(t, k));
          const what = `${format} ${d.registry.id} ${w.name} ${t.toISOString()}`;
          expect(router.decoderFor(msg.topic)?.name, `${what}: route of ${msg.topic}`).toBe(format);
          const r = roundTrip(e, d, msg, t);
          expect(r.rejected, what).toEqual([]);
          expectTruth(r.readings, truth, d, t, what);
          // the whole gateway path agrees
          const p = processMessage(msg.topic, msg.payload, new Date(t.getTime() + 1000), processorOptions(d));
          expect(p.deadLetter, what).toBeUndefined();
          expect(p.readings).toEqual(r.readings);
        }
      }
    }
  });

  it('a duplicate delivery (copy 1) gives the same readings', () => {
    for (const d of devices) {
      const model = new DeviceModel(d, seededRandom(3));
      for (let k = 1; k <= 6; k++) {
        const t = new Date(Date.parse('2025-10-26T00:00:00Z') + k * HOUR);
        const { wire } = model.step(t, 1, 0);
        const a = e.encode(d, wire, ctxAt(t, k, 0));
        const b = e.encode(d, wire, ctxAt(t, k, 1));
        expect(b.topic).toBe(a.topic);
        const ra = roundTrip(e, d, a, t);
        const rb = roundTrip(e, d, b, t);
        expect(rb.readings).toEqual(ra.readings);
        expect(rb.decoded).toEqual(ra.decoded);
      }
    }
  });

  it('every malformed() payload is dead-lettered on the device topic, with no readings', () => {
    for (const d of devices) {
      const t = new Date('2025-03-01T10:00:00Z');
      const { wire } = new DeviceModel(d, seededRandom(5)).step(t, 1, 0);
      const good = e.encode(d, wire, ctxAt(t, 1));
      const seen = new Set<string>();
      for (let n = 0; n < 12; n++) {
        const bad = e.malformed(d, n);
        seen.add(bad.payload.toString('base64'));
        expect(bad.topic, `${format} malformed ${n}`).toBe(good.topic);
        const p = processMessage(bad.topic, bad.payload, new Date(t.getTime() + 1000), processorOptions(d));
        expect(p.readings, `${format} malformed ${n}: ${bad.payload.toString()}`).toEqual([]);
        expect(p.deadLetter, `${format} malformed ${n}`).toBeDefined();
        expect(p.deadLetter!.decoder?.name).toBe(format);
        expect(['not_json', 'schema', 'decode_error']).toContain(p.deadLetter!.reason);
      }
      expect(seen.size, `${format}: malformed payloads vary`).toBeGreaterThanOrEqual(2);
    }
  });

  // Only formats whose time comes from the device clock can carry a wrong one.
  if (e.deviceClock) it('a device clock decades ahead is dead-lettered as future_time', () => {
    for (const d of devices) {
      const t = new Date('2025-10-26T01:00:00Z');
      const { wire } = new DeviceModel(d, seededRandom(9)).step(t, 1, 0);
      const skewed = new Date(t.getTime() + 50 * 365 * 86_400_000);
      const msg = e.encode(d, wire, ctxAt(t, 1, 0, skewed));
      const p = processMessage(msg.topic, msg.payload, new Date(t.getTime() + 1000), processorOptions(d));
      expect(p.readings).toEqual([]);
      expect(p.deadLetter?.reason).toBe('future_time');
    }
  });
});

describe('device-clock formats around the DST changes, every 10 minutes', () => {
  const sweeps = [
    { from: Date.parse('2025-10-25T23:00:00Z'), to: Date.parse('2025-10-26T03:00:00Z') },
    { from: Date.parse('2025-03-29T23:00:00Z'), to: Date.parse('2025-03-30T03:00:00Z') },
  ];
  it.each(ENCODED.filter((f) => encoders[f]!.deviceClock))('%s keeps the instant', (format) => {
    const e = encoders[format]!;
    for (const d of devicesIn(format).filter((x) => x.family === 'electricity_meter')) {
      const wire: WireValue[] = [
        { metric: 'energy_total', value: 12345.678, unit: 'kWh' },
        { metric: 'power', value: 1.727, unit: 'kW' },
      ];
      for (const s of sweeps) {
        for (let ms = s.from, k = 1; ms <= s.to; ms += 10 * 60_000, k++) {
          const t = new Date(ms);
          const r = roundTrip(e, d, e.encode(d, wire, ctxAt(t, k)), t);
          expect(r.rejected).toEqual([]);
          expect(r.readings.map((x) => x.observedAt), `${format} ${t.toISOString()}`).toEqual([t.toISOString(), t.toISOString()]);
        }
      }
    }
  });

  it('tasmota writes an offset (SetOption52) only for the second pass through the repeated hour', () => {
    const d = devicesIn('tasmota').find((x) => x.family === 'electricity_meter')!;
    const wire: WireValue[] = [
      { metric: 'energy_total', value: 1, unit: 'kWh' },
      { metric: 'power', value: 0.5, unit: 'kW' },
    ];
    const timeOf = (iso: string) => JSON.parse(encoders.tasmota!.encode(d, wire, ctxAt(new Date(iso), 1)).payload.toString()).Time;
    expect(timeOf('2025-10-26T00:30:00Z')).toBe('2025-10-26T02:30:00');
    expect(timeOf('2025-10-26T01:30:00Z')).toBe('2025-10-26T02:30:00+01:00');
    expect(timeOf('2025-10-26T02:00:00Z')).toBe('2025-10-26T03:00:00');
    expect(timeOf('2025-03-30T01:00:00Z')).toBe('2025-03-30T03:00:00');
    expect(timeOf('2025-07-01T10:00:00Z')).toBe('2025-07-01T12:00:00');
  });

  it('han-p1 writes the W/S flag, so both passes through the repeated hour are distinct', () => {
    const d = devicesIn('han-p1').find((x) => x.family === 'electricity_meter')!;
    const wire: WireValue[] = [
      { metric: 'energy_total', value: 1, unit: 'kWh' },
      { metric: 'power', value: 0.5, unit: 'kW' },
    ];
    const lineOf = (iso: string) => /0-0:1\.0\.0\(([^)]*)\)/.exec(encoders['han-p1']!.encode(d, wire, ctxAt(new Date(iso), 1)).payload.toString())![1];
    expect(lineOf('2025-10-26T00:30:00Z')).toBe('251026023000S');
    expect(lineOf('2025-10-26T01:30:00Z')).toBe('251026023000W');
    expect(lineOf('2025-03-30T01:00:00Z')).toBe('250330030000S');
  });
});

describe('han-p1 telegram', () => {
  it('has a header, the time, meter id, 1.8.0 and 1.7.0 lines and a 4-digit CRC', () => {
    const d = devicesIn('han-p1').find((x) => x.family === 'electricity_meter')!;
    const wire: WireValue[] = [
      { metric: 'energy_total', value: 6678.394, unit: 'kWh' },
      { metric: 'power', value: 1.727, unit: 'kW' },
    ];
    const text = encoders['han-p1']!.encode(d, wire, ctxAt(new Date('2021-02-17T17:40:19Z'), 1)).payload.toString('latin1');
    const lines = text.split('\r\n');
    expect(lines[0]).toMatch(/^\/\S+/);
    expect(lines).toContain('0-0:1.0.0(210217184019W)');
    expect(lines).toContain(`0-0:96.1.1(${Buffer.from(d.registry.id).toString('hex').toUpperCase()})`);
    expect(lines).toContain('1-0:1.8.0(00006678.394*kWh)');
    expect(lines).toContain('1-0:1.7.0(0001.727*kW)');
    expect(text).toMatch(/\r\n![0-9A-F]{4}\r\n$/);
  });
});

describe('LoRaWAN encoders', () => {
  it.each(['ttn-v3', 'chirpstack-v4', 'chirpstack-v3'])('%s: f_cnt is the frame counter; EM500-UDL alternates decoded object and raw bytes', (format) => {
    const e = encoders[format]!;
    const waste = devicesIn(format).filter((x) => x.family === 'waste_fill');
    expect(waste.length).toBeGreaterThan(0);
    for (const d of waste) {
      expect(d.registry.model).toBe('milesight-em500-udl');
      const model = new DeviceModel(d, seededRandom(11));
      for (let k = 1; k <= 4; k++) {
        const t = new Date(Date.parse('2025-03-01T00:00:00Z') + k * HOUR);
        const { wire } = model.step(t, 1, 0);
        const r = roundTrip(e, d, e.encode(d, wire, ctxAt(t, 100 + k)), t);
        expect(r.decoded.map((v) => v.frameCounter)).toEqual([100 + k]);
        const field = r.decoded[0]!.field;
        if (k % 2 === 0) expect(field, `frame ${100 + k}`).toMatch(/(frm_payload|data)\[2\]$/);
        else expect(field, `frame ${100 + k}`).toMatch(/(decoded_payload|object|objectJSON)\.distance$/);
      }
    }
  });

  it.each(['ttn-v3', 'chirpstack-v4', 'chirpstack-v3'])('%s: a duplicate has other gateway metadata, the same time and f_cnt', (format) => {
    const e = encoders[format]!;
    const d = devicesIn(format).find((x) => x.family === 'temperature')!;
    const t = new Date('2025-03-01T10:00:00Z');
    const wire: WireValue[] = [{ metric: 'temperature', value: -3.4, unit: '°C' }];
    const a = JSON.parse(e.encode(d, wire, ctxAt(t, 42, 0)).payload.toString());
    const b = JSON.parse(e.encode(d, wire, ctxAt(t, 42, 1)).payload.toString());
    expect(a).not.toEqual(b);
    const rx = (m: { uplink_message?: { rx_metadata: unknown[] }; rxInfo?: unknown[] }) => (m.uplink_message?.rx_metadata ?? m.rxInfo)![0] as Record<string, unknown>;
    expect(rx(b)).not.toEqual(rx(a));
    expect(rx(b).rssi).not.toBe(rx(a).rssi);
    const gw = (x: Record<string, unknown>) => JSON.stringify(x.gateway_ids ?? x.gatewayId ?? x.gatewayID);
    expect(gw(rx(b))).not.toBe(gw(rx(a)));
    const r = (p: unknown) => roundTrip(e, d, { topic: e.encode(d, wire, ctxAt(t, 42)).topic, payload: Buffer.from(JSON.stringify(p)) }, t).decoded;
    expect(r(b)).toEqual(r(a));
    expect(r(a)[0]).toMatchObject({ frameCounter: 42, observedAt: t });
  });
});
