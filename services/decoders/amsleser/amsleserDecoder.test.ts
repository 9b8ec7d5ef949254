import { describe, expect, it } from 'vitest';
import { itDecodesTestdata, itHasASourceNoteForEachFile, loadTestdataCases, messageBytes } from '../decoderTestdata.js';
import type { DecodeResult } from '../types.js';
import { amsleserDecoder } from './amsleserDecoder.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RECEIVED = new Date('2025-03-01T10:00:05Z');
const CASES = loadTestdataCases(import.meta.url);

function decode(payload: unknown, topic = 'amsleser/ams-1'): DecodeResult {
  return amsleserDecoder.decode(messageBytes(payload), { topic, receivedAt: RECEIVED });
}

describe('amsleser decoder: testdata', () => {
  itDecodesTestdata(amsleserDecoder, CASES, { receivedAt: RECEIVED, onAccepted: (r) => expect(r.tenantHint).toBeUndefined() });
  itHasASourceNoteForEachFile(
    join(dirname(fileURLToPath(import.meta.url)), 'testdata'),
    CASES.map(([f]) => f).filter((f) => f.startsWith('valid-')),
  );
});

describe('amsleser decoder', () => {
  it('has a stable name and version', () => {
    expect(amsleserDecoder.name).toBe('amsleser');
    expect(amsleserDecoder.version).toBe('1.0.0');
  });

  it('reports every unknown number with its field and name, and nothing else', () => {
    const r = decode({ id: 'mac', t: 1740823200, data: { meterId: 'm1', P: 10, U1: 230.1, lv: 'x', type: 'y', rtc: 1, note: 'text' } });
    expect(r.ok && r.unknown).toEqual([{ field: 'data.U1', name: 'U1', message: 'U1 has no Klimatpuls metric' }]);
  });

  it('PO alone is negative power on the PO field; 0 − 0 is 0, not −0', () => {
    const r = decode({ t: 1740823200, data: { meterId: 'm1', PO: 1500 } });
    expect(r.ok && r.values).toEqual([{ deviceRef: 'm1', metric: 'power', value: -1500, unit: 'W', observedAt: new Date(1740823200000), field: 'data.PO' }]);
    const z = decode({ t: 1740823200, data: { meterId: 'm1', P: 0, PO: 0 } });
    expect(z.ok && Object.is(z.values[0]!.value, 0)).toBe(true);
  });

  it('prefers meterId over the wiki\'s data.id, and the meter over the reader', () => {
    const r = decode({ id: 'mac', data: { meterId: 'm1', id: 'm2', P: 1 } });
    expect(r.ok && r.values[0]!.deviceRef).toBe('m1');
    const e = decode({ id: 'mac', data: { meterId: '', P: 1 } });
    expect(e.ok && e.values[0]!.deviceRef).toBe('mac');
  });

  it('does not read the realtime block or inherited property names', () => {
    const r = decode({ id: 'mac', data: { meterId: 'm1', constructor: 5, toString: 1 }, realtime: { h: 1, t: 10 } });
    expect(r.ok && r.values).toEqual([]);
    expect(r.ok && r.unknown?.map((u) => u.name)).toEqual(['constructor', 'toString']);
  });

  it('rejects a negative or non-finite package time', () => {
    expect(decode({ id: 'mac', t: -1, data: { P: 1 } })).toMatchObject({ ok: false, rejection: { reason: 'schema', field: 't' } });
  });
});
