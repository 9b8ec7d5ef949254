import { describe, expect, it } from 'vitest';
import { CODECS, CODEC_NAMES, findCodec } from './index.js';
import { milesightEm500Udl } from './milesightEm500Udl.js';
import { milesightVs133 } from './milesightVs133.js';

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));

describe('codec registry', () => {
  it('finds codecs by name, model id and TTS brand/model, in any case', () => {
    expect(CODEC_NAMES).toEqual(['milesight-em500-udl', 'milesight-vs133']);
    for (const m of ['milesight-em500-udl', 'EM500-UDL', 'milesight-iot/em500-udl', ' Milesight-EM500-UDL ']) {
      expect(findCodec(m), m).toBe(milesightEm500Udl);
    }
    for (const m of ['milesight-vs133', 'VS133', 'milesight-iot/vs133']) expect(findCodec(m), m).toBe(milesightVs133);
    expect(findCodec('vs121')).toBeUndefined();
    expect(findCodec(undefined)).toBeUndefined();
    expect(findCodec('')).toBeUndefined();
  });

  it('has no alias claimed by two codecs', () => {
    const all = CODECS.flatMap((c) => [c.name, ...c.aliases].map((n) => n.toLowerCase()));
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('milesight-em500-udl', () => {
  const decode = (hex: string) => milesightEm500Udl.decode(bytes(hex), 85);

  it('decodes the vendor example 01 75 64 03 82 1E 00: battery 100 %, distance 30 mm', () => {
    expect(decode('017564 03821E00')).toEqual({
      ok: true,
      values: [
        { metric: 'battery', value: 100, unit: '%', offset: 2 },
        { metric: 'distance', value: 30, unit: 'mm', offset: 5 },
      ],
    });
  });

  it('reads distance as uint16 little-endian (0xFDE8 = 65000 mm, not negative)', () => {
    expect(decode('0382E8FD')).toEqual({ ok: true, values: [{ metric: 'distance', value: 65000, unit: 'mm', offset: 2 }] });
    expect(decode('03822C03')).toEqual({ ok: true, values: [{ metric: 'distance', value: 812, unit: 'mm', offset: 2 }] });
  });

  it('skips the 0xFF device-information channels sent after power-on', () => {
    // ipso v1.0, hw v1.1, fw v1.20, class A, serial number, tsl v1.0, then battery 97 %
    const r = decode('FF0110 FF090110 FF0A0114 FF0F00 FF16 6136C22510740010 FFFF0100 017561');
    expect(r).toEqual({ ok: true, values: [{ metric: 'battery', value: 97, unit: '%', offset: 30 }] });
  });

  it('history records (0x20 0xCE) carry the device timestamp', () => {
    // 1740819600 = 2025-03-01T09:00:00Z, distance 1000 mm
    expect(decode('20CE 90CCC267 E803')).toEqual({
      ok: true,
      values: [{ metric: 'distance', value: 1000, unit: 'mm', offset: 6, observedAt: new Date('2025-03-01T09:00:00Z') }],
    });
  });

  it('skips the distance mutation alarm (0x83 0xE9, 5 bytes)', () => {
    expect(decode('83E9 2C01 6400 02 017550')).toEqual({ ok: true, values: [{ metric: 'battery', value: 80, unit: '%', offset: 9 }] });
  });

  it('an empty payload has no values', () => {
    expect(decode('')).toEqual({ ok: true, values: [] });
  });

  it('an unknown channel is rejected with its byte offset', () => {
    expect(decode('017564 04821E00')).toEqual({ ok: false, offset: 3, message: 'byte 3: unknown channel 0x04 type 0x82' });
    expect(decode('0175')).toEqual({ ok: false, offset: 0, message: 'byte 0: battery (0x01 0x75) needs 1 bytes, 0 left' });
  });

  it('a truncated value or a lone channel byte is rejected with its offset', () => {
    expect(decode('017564 03821E')).toEqual({ ok: false, offset: 3, message: 'byte 3: distance (0x03 0x82) needs 2 bytes, 1 left' });
    expect(decode('017564 03')).toEqual({ ok: false, offset: 3, message: 'byte 3: channel 0x03 has no type byte (payload ends)' });
  });

  it('reads from a Uint8Array that is a view into a larger buffer', () => {
    const big = bytes('AAAA 017564 03821E00 BBBB');
    expect(milesightEm500Udl.decode(big.subarray(2, 9), 85)).toEqual(decode('017564 03821E00'));
  });
});

describe('milesight-vs133', () => {
  const decode = (hex: string) => milesightVs133.decode(bytes(hex), 85);

  it('decodes the vendor period example: lines 1-3 0/0, line 4 5 in / 7 out', () => {
    const r = decode('05CC00000000 08CC00000000 0BCC00000000 0ECC05000700');
    expect(r).toEqual({
      ok: true,
      values: [
        { metric: 'count', value: 0, unit: 'count', channel: 'in', offset: 2 },
        { metric: 'count', value: 0, unit: 'count', channel: 'out', offset: 4 },
        { metric: 'count', value: 0, unit: 'count', channel: 'line2_in', offset: 8 },
        { metric: 'count', value: 0, unit: 'count', channel: 'line2_out', offset: 10 },
        { metric: 'count', value: 0, unit: 'count', channel: 'line3_in', offset: 14 },
        { metric: 'count', value: 0, unit: 'count', channel: 'line3_out', offset: 16 },
        { metric: 'count', value: 5, unit: 'count', channel: 'line4_in', offset: 20 },
        { metric: 'count', value: 7, unit: 'count', channel: 'line4_out', offset: 22 },
      ],
    });
  });

  it('reads period counts as uint16 little-endian', () => {
    expect(decode('05CC3412FFFF')).toEqual({
      ok: true,
      values: [
        { metric: 'count', value: 0x1234, unit: 'count', channel: 'in', offset: 2 },
        { metric: 'count', value: 0xffff, unit: 'count', channel: 'out', offset: 4 },
      ],
    });
  });

  it('skips the vendor totals example (cumulative totals are not interval counts)', () => {
    expect(decode('03D248000000 04D2C8000000 06D200000000 07D200000000 09D200000000 0AD200000000 0CD2B4140000 0DD28D1A0000')).toEqual({
      ok: true,
      values: [],
    });
  });

  it('skips the vendor region count and dwell time examples', () => {
    expect(decode('0FE302100709')).toEqual({ ok: true, values: [] });
    expect(decode('10E40109101121 10E40275217533 10E40381212389 10E40476001387')).toEqual({ ok: true, values: [] });
  });

  it('skips device information and reads the counts after it', () => {
    expect(decode('FF0110 FF0A0114 05CC02000100')).toEqual({
      ok: true,
      values: [
        { metric: 'count', value: 2, unit: 'count', channel: 'in', offset: 9 },
        { metric: 'count', value: 1, unit: 'count', channel: 'out', offset: 11 },
      ],
    });
  });

  it('rejects an unknown channel or a period channel with the wrong type, naming the offset', () => {
    expect(decode('05CC00000000 11CC00000000')).toEqual({ ok: false, offset: 6, message: 'byte 6: unknown channel 0x11 type 0xCC' });
    expect(decode('05D200000000')).toEqual({ ok: false, offset: 0, message: 'byte 0: unknown channel 0x05 type 0xD2' });
    expect(decode('0ECC0500')).toEqual({ ok: false, offset: 0, message: 'byte 0: line 4 period counts (0x0E 0xCC) needs 4 bytes, 2 left' });
  });
});
