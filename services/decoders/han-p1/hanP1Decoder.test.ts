import { describe, expect, it } from 'vitest';
import { itDecodesTestdata, loadTestdataCases, type TestdataCase } from '../decoderTestdata.js';
import type { DecodeResult } from '../types.js';
import { crc16Arc, decodeMeterId, hanP1Decoder, parseP1Time } from './hanP1Decoder.js';

const cases = loadTestdataCases(import.meta.url);

const RECEIVED = new Date('2025-03-01T10:00:05Z');

/** A telegram is Latin-1 text (payloadBase64 when given); han-p1 cases have no JSON payload. */
function bytes(c: TestdataCase): Buffer {
  if (c.payloadBase64 !== undefined) return Buffer.from(c.payloadBase64, 'base64');
  return Buffer.from(c.payloadText ?? '', 'latin1');
}

function decode(text: string, topic = 'han/el-norrgard'): DecodeResult {
  return hanP1Decoder.decode(Buffer.from(text, 'latin1'), { topic, receivedAt: RECEIVED });
}

/**
 * Independent CRC-16/ARC: the textbook bit-by-bit loop (reflected poly 0xA001, init 0),
 * no table, written separately from the decoder's table-driven one.
 */
function crcBitwise(data: Uint8Array): number {
  let crc = 0x0000;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc & 0xffff;
}

/** Builds a telegram with CRLF line ends and the correct CRC. */
function telegram(lines: string[], eol = '\r\n'): string {
  const body = `${lines.join(eol)}${eol}!`;
  const crc = crcBitwise(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0');
  return `${body}${crc}${eol}`;
}

describe('han-p1 decoder: testdata', () => {
  itDecodesTestdata(hanP1Decoder, cases, { receivedAt: RECEIVED, payloadOf: bytes });

  it('every accepted testdata CRC is confirmed by the independent bitwise CRC', () => {
    let checked = 0;
    for (const [file, c] of cases) {
      if (!c.expect.ok || c.payloadText === undefined) continue;
      const m = /\n!([0-9A-F]{4})\r?\n?$/.exec(c.payloadText);
      if (!m) continue;
      const buf = Buffer.from(c.payloadText, 'latin1');
      const bang = c.payloadText.lastIndexOf('\n!') + 1;
      expect(crcBitwise(buf.subarray(0, bang + 1)), file).toBe(parseInt(m[1]!, 16));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});

describe('CRC-16/ARC', () => {
  it('matches the catalogue check value and the bitwise loop', () => {
    // CRC-16/ARC check value: CRC of the ASCII bytes "123456789" is 0xBB3D.
    expect(crc16Arc(Buffer.from('123456789'))).toBe(0xbb3d);
    expect(crcBitwise(Buffer.from('123456789'))).toBe(0xbb3d);
    expect(crc16Arc(new Uint8Array(0))).toBe(0);
    let seed = 12345;
    for (let n = 0; n < 200; n++) {
      const data = new Uint8Array(n * 7);
      for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(crc16Arc(data)).toBe(crcBitwise(data));
    }
  });

  it('reproduces the published CRC of the Swedish HAN example telegram (!7945)', () => {
    const c = cases.find(([f]) => f === 'valid-swedish-han-example.json')![1];
    const text = c.payloadText!;
    expect(text.endsWith('!7945\r\n')).toBe(true);
    const bang = text.lastIndexOf('!');
    expect(crcBitwise(Buffer.from(text.slice(0, bang + 1), 'latin1'))).toBe(0x7945);
  });

  it('rejects any single flipped character; accepts lower-case CRC digits', () => {
    const good = telegram(['/ELL5\\253833635_A', '', '0-0:1.0.0(250301120000W)', '1-0:1.8.0(00006678.394*kWh)']);
    expect(decode(good).ok).toBe(true);
    expect(decode(good.replace(/!([0-9A-F]{4})/, (_, h: string) => `!${h.toLowerCase()}`)).ok).toBe(true);
    for (const [from, to] of [['6678', '6687'], ['W)', 'S)'], ['ELL5', 'ELL6']] as const) {
      const r = decode(good.replace(from, to));
      expect(r.ok || r.rejection).toMatchObject({ reason: 'decode_error', field: 'crc' });
    }
  });

  it('reports the computed CRC in the rejection message', () => {
    const good = telegram(['/ABC5x', '', '1-0:1.8.0(1.000*kWh)']);
    const wrong = good.replace(/!([0-9A-F]{4})/, '!0000');
    const r = decode(wrong);
    const expected = /!([0-9A-F]{4})/.exec(good)![1]!;
    expect(r.ok || r.rejection.message).toBe(`CRC 0000 does not match the telegram (computed ${expected})`);
  });
});

describe('han-p1 decoder', () => {
  it('has a stable name and version', () => {
    expect(hanP1Decoder.name).toBe('han-p1');
    expect(hanP1Decoder.version).toBe('1.1.0');
  });

  it('reads the P1 time: W = CET, S = CEST, no flag = UTC+1; both 02:30 of the autumn fold', () => {
    expect(parseP1Time('250301120000W')?.toISOString()).toBe('2025-03-01T11:00:00.000Z');
    expect(parseP1Time('250701120000S')?.toISOString()).toBe('2025-07-01T10:00:00.000Z');
    expect(parseP1Time('250701120000')?.toISOString()).toBe('2025-07-01T11:00:00.000Z');
    expect(parseP1Time('251026023000S')?.toISOString()).toBe('2025-10-26T00:30:00.000Z');
    expect(parseP1Time('251026023000W')?.toISOString()).toBe('2025-10-26T01:30:00.000Z');
    // Spring: 01:59:59 CET and 03:00:00 CEST are one second apart.
    expect(parseP1Time('250330015959W')?.toISOString()).toBe('2025-03-30T00:59:59.000Z');
    expect(parseP1Time('250330030000S')?.toISOString()).toBe('2025-03-30T01:00:00.000Z');
  });

  it('rejects malformed times', () => {
    for (const t of ['250230120000W', '250301250000W', '250301120060W', '250301120000X', '2503011200W', '']) {
      expect(parseP1Time(t), t).toBeUndefined();
    }
  });

  it('decodes hex-encoded ASCII meter ids only when they are exactly that', () => {
    expect(decodeMeterId('4B384547303034303436333935353037')).toBe('K8EG004046395507');
    expect(decodeMeterId('12345678')).toBe('12345678'); // bytes 0x12 0x34 ... are not printable
    expect(decodeMeterId('7350012345678')).toBe('7350012345678'); // odd length
    expect(decodeMeterId(' LGZ123 ')).toBe('LGZ123');
  });

  it('prefers 0-0:96.1.1 over 0-0:96.1.0 and ignores the gas meter id 0-1:96.1.0', () => {
    const r = decode(
      telegram(['/X', '', '0-1:96.1.0(3232323241424344313233343536373839)', '0-0:96.1.0(OTHER)', '0-0:96.1.1(4B38)', '1-0:1.8.0(1.000*kWh)']),
    );
    expect(r.ok && r.values[0]!.deviceRef).toBe('K8');
  });

  it('uses the topic when the id line is empty', () => {
    const r = decode(telegram(['/X', '', '0-0:96.1.1()', '1-0:1.8.0(1.000*kWh)']), 'p1/meter-42');
    expect(r.ok && r.values[0]!.deviceRef).toBe('meter-42');
  });

  it('nets power across W and kW', () => {
    const r = decode(telegram(['/X', '', '1-0:1.7.0(1.500*kW)', '1-0:2.7.0(500*W)']));
    expect(r.ok && r.values).toEqual([{ deviceRef: 'el-norrgard', metric: 'power', value: 1, unit: 'kW', observedAt: undefined, field: '1-0:1.7.0' }]);
    const r2 = decode(telegram(['/X', '', '1-0:1.7.0(100*W)', '1-0:2.7.0(0.250*kW)']));
    expect(r2.ok && r2.values[0]).toMatchObject({ value: -150, unit: 'W' });
  });

  it('reports export power alone as negative power', () => {
    const r = decode(telegram(['/X', '', '1-0:2.7.0(0002.000*kW)']));
    expect(r.ok && r.values[0]).toMatchObject({ metric: 'power', value: -2, unit: 'kW', field: '1-0:2.7.0' });
  });

  it('rejects tariff registers in different units', () => {
    const r = decode(telegram(['/X', '', '1-0:1.8.1(1.000*kWh)', '1-0:1.8.2(1000*Wh)']));
    expect(r.ok || r.rejection).toMatchObject({ reason: 'decode_error', field: '1-0:1.8.2' });
  });

  it('prefers the total register over tariff registers', () => {
    const r = decode(telegram(['/X', '', '1-0:1.8.0(3.000*kWh)', '1-0:1.8.1(1.000*kWh)', '1-0:1.8.2(2.000*kWh)']));
    expect(r.ok && r.values).toEqual([
      { deviceRef: 'el-norrgard', metric: 'energy_total', value: 3, unit: 'kWh', observedAt: undefined, field: '1-0:1.8.0' },
    ]);
  });

  it('passes other units through (the normalizer rejects them)', () => {
    const r = decode(telegram(['/X', '', '1-0:1.8.0(12.5*kvarh)']));
    expect(r.ok && r.values[0]).toMatchObject({ metric: 'energy_total', value: 12.5, unit: 'kvarh' });
  });

  it('accepts leading whitespace before / and text after the last line', () => {
    const r = decode(`\r\n${telegram(['/X', '', '1-0:1.8.0(1.000*kWh)'])}\r\n`);
    expect(r.ok).toBe(true);
  });

  it('rejects a header that is only /', () => {
    const r = decode('/\r\n\r\n1-0:1.8.0(1.000*kWh)\r\n!\r\n');
    expect(r.ok || r.rejection).toMatchObject({ reason: 'decode_error', field: 'header' });
  });

  it('finds the trailer only at the start of a line', () => {
    // An exclamation mark inside a (DSMR 2.2 plain text) message is not the end.
    const r = decode(telegram(['/X', '', '0-0:96.13.0(Hello!)', '1-0:1.8.0(1.000*kWh)']));
    expect(r.ok && r.values).toHaveLength(1);
  });

  it('rejects a too large payload', () => {
    const r = hanP1Decoder.decode(Buffer.alloc(70_000, 0x41), { topic: 'han/x', receivedAt: RECEIVED });
    expect(r.ok || r.rejection).toMatchObject({ reason: 'decode_error', field: '(payload)' });
  });

  it('does not check the topic shape beyond the device fallback (the route decides)', () => {
    const r = decode(telegram(['/X', '', '0-0:96.1.1(4B38)', '1-0:1.8.0(1.000*kWh)']), 'any/topic/at/all');
    expect(r.ok).toBe(true);
  });
});
