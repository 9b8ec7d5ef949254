import { describe, expect, it } from 'vitest';
import { decodeBase64, normalizeDevEui, timeString, uplinkValues } from './uplink.js';

describe('decodeBase64', () => {
  it('accepts standard base64 with or without padding', () => {
    expect(decodeBase64('AXVkA4IeAA==')?.toString('hex')).toBe('01756403821e00');
    expect(decodeBase64('AXVkA4IeAA')?.toString('hex')).toBe('01756403821e00');
    expect(decodeBase64('/wEQ')?.toString('hex')).toBe('ff0110');
    expect(decodeBase64('')?.length).toBe(0);
  });

  it('rejects what Buffer.from would silently repair', () => {
    for (const s of ['AXVk A4IeAA==', 'AXVk*A4IeAA==', 'A', 'AXVkA4IeAA=', 'AA==AA==', '_-8=', '0175-6403']) {
      expect(decodeBase64(s), s).toBeUndefined();
    }
  });
});

describe('normalizeDevEui', () => {
  it('upper-cases hex; decodes base64 only when allowed', () => {
    expect(normalizeDevEui('24e124136c225107', { base64: false })).toBe('24E124136C225107');
    expect(normalizeDevEui('AgICAgICAgI=', { base64: true })).toBe('0202020202020202');
    expect(normalizeDevEui('AgICAgICAgI=', { base64: false })).toBeUndefined();
    expect(normalizeDevEui('AgICAgI=', { base64: true })).toBeUndefined();
    expect(normalizeDevEui('24e1-2413', { base64: true })).toBeUndefined();
  });
});

describe('timeString', () => {
  it('accepts RFC 3339 with offset and any fraction; rejects local times and impossible dates', () => {
    for (const s of ['2025-03-01T10:00:00Z', '2022-07-18T09:34:15.775023242+00:00', '2025-03-01T11:00:00.5+01:00']) {
      expect(timeString.safeParse(s).success, s).toBe(true);
    }
    for (const s of ['2025-03-01T10:00:00', '2025-03-01 10:00:00Z', '2025-13-01T10:00:00Z', '1740823200000']) {
      expect(timeString.safeParse(s).success, s).toBe(false);
    }
  });
});

describe('uplinkValues', () => {
  const meta = { deviceRef: 'D', frameCounter: 1 };

  it('prefers the decoded object over the raw payload', () => {
    const r = uplinkValues({
      meta,
      decoded: { object: { battery: 1 }, path: 'o' },
      raw: { base64: '!!', path: 'r' },
      models: [{ model: 'milesight-em500-udl', source: 'registry' }],
    });
    expect(r.ok && r.values.map((v) => v.field)).toEqual(['o.battery']);
  });

  it('uses the first model that has a codec', () => {
    const r = uplinkValues({
      meta,
      raw: { base64: 'AXVkA4IeAA==', path: 'r' },
      models: [
        { model: 'acme-1', source: 'registry' },
        { model: 'milesight-iot/em500-udl', source: 'version_ids' },
      ],
    });
    expect(r.ok && r.values.map((v) => `${v.metric}=${v.value} ${v.field}`)).toEqual(['battery=100 r[2]', 'distance=30 r[5]']);
  });

  it('lists the models it tried when none has a codec', () => {
    const r = uplinkValues({
      meta,
      raw: { base64: 'AXVkA4IeAA==', path: 'r' },
      models: [
        { model: 'acme-1', source: 'registry' },
        { model: undefined, source: 'version_ids' },
      ],
    });
    expect(!r.ok && r.rejection.reason).toBe('decode_error');
    expect(!r.ok && r.rejection.field).toBe('r');
    expect(!r.ok && r.rejection.message).toMatch(/^no decoded values in the message and no built-in codec for it: "acme-1" \(registry\)\./);
  });
});
