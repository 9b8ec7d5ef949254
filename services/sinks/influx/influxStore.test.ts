import { Point } from '@influxdata/influxdb-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, SENSOR_KINDS } from '../../core/metrics.js';
import { deadLetterId, makeDeadLetter, type DeadLetter } from '../../core/deadLetter.js';
import { readingId, type CanonicalReading } from '../../core/reading.js';
import { deadLetterToLine, readingToLine } from './influxStore.js';

// Only the line-protocol encoding; writing to InfluxDB is covered by the integration tests.

function reading(over: Partial<CanonicalReading> = {}): CanonicalReading {
  const base = { tenant: 'kalmar', deviceId: 'el-norrgard', metric: 'energy_total' as const, observedAt: '2025-03-01T10:00:00.123Z' };
  return {
    id: readingId(base),
    ...base,
    kind: 'electricity_meter',
    value: 1234.5,
    unit: 'kWh',
    receivedAt: '2025-03-01T10:00:01.000Z',
    source: { format: 'native', decoderVersion: '1.0.0', topic: 'klimatpuls/kalmar/el-norrgard/up' },
    ...over,
  };
}

describe('readingToLine', () => {
  it('gives the same bytes as the official client\'s Point for any reading (escaping, tag order, optional tags)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Ö', ' ', ',', '=', '\n', '\r', '\t', '"', '\\', '7'), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.record({
          tenant: fc.constantFrom('kalmar', 'malmo-stad', 'brf_7'),
          deviceId: text,
          kind: fc.constantFrom(...SENSOR_KINDS),
          metric: fc.constantFrom(...METRIC_NAMES),
          site: fc.option(text, { nil: undefined }),
          channel: fc.option(text, { nil: undefined }),
          value: fc.double({ noNaN: true, noDefaultInfinity: true }),
          ms: fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
          measurement: fc.constantFrom('readings', 'my readings,x', 'a\tb'),
        }),
        (g) => {
          const r = reading({ tenant: g.tenant, deviceId: g.deviceId, kind: g.kind, metric: g.metric, site: g.site, channel: g.channel, value: g.value, observedAt: new Date(g.ms).toISOString() });
          const p = new Point(g.measurement).tag('tenant', r.tenant).tag('device', r.deviceId).tag('kind', r.kind);
          if (r.site) p.tag('site', r.site);
          if (r.channel) p.tag('channel', r.channel);
          p.floatField(r.metric, r.value).timestamp(g.ms);
          expect(readingToLine(r, g.measurement)).toBe(p.toLineProtocol());
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('writes tags, the metric as float field and the observed time in ms', () => {
    expect(readingToLine(reading(), 'readings')).toBe(
      'readings,device=el-norrgard,kind=electricity_meter,tenant=kalmar energy_total=1234.5 1740823200123',
    );
  });

  it('adds site and channel tags only when present', () => {
    expect(readingToLine(reading({ site: 'norrgard', channel: 'in' }), 'readings')).toBe(
      'readings,channel=in,device=el-norrgard,kind=electricity_meter,site=norrgard,tenant=kalmar energy_total=1234.5 1740823200123',
    );
    expect(readingToLine(reading({ site: 'norrgard' }), 'readings')).not.toContain('channel=');
    expect(readingToLine(reading({ channel: 'out' }), 'readings')).not.toContain('site=');
  });

  it('escapes spaces, commas and equals signs in tag values', () => {
    const line = readingToLine(reading({ deviceId: 'meter 7,a=b', site: 'Södra vallen, hus=2', channel: 'fas 1' }), 'readings');
    expect(line).toBe(
      'readings,channel=fas\\ 1,device=meter\\ 7\\,a\\=b,kind=electricity_meter,site=Södra\\ vallen\\,\\ hus\\=2,tenant=kalmar energy_total=1234.5 1740823200123',
    );
    // exactly one unescaped space separates tags, fields and time
    expect(line.split(/(?<!\\) /)).toHaveLength(3);
  });

  it('escapes the measurement name', () => {
    expect(readingToLine(reading(), 'my readings,x')).toMatch(/^my\\ readings\\,x,device=/);
  });

  it('writes integers as floats (one field type per metric) and negative values', () => {
    expect(readingToLine(reading({ metric: 'count', value: 12 }), 'readings')).toContain(' count=12 ');
    expect(readingToLine(reading({ metric: 'power', value: -3.25 }), 'readings')).toContain(' power=-3.25 ');
    expect(readingToLine(reading({ metric: 'count', value: 12 }), 'readings')).not.toContain('12i');
  });

  it('uses the same timestamp for one instant written with different offsets', () => {
    const a = readingToLine(reading({ observedAt: '2025-03-01T10:00:00.123Z' }), 'readings');
    const b = readingToLine(reading({ observedAt: '2025-03-01T11:00:00.123+01:00' }), 'readings');
    expect(a).toBe(b);
  });
});

describe('deadLetterToLine', () => {
  const dl: DeadLetter = makeDeadLetter({
    rejected: [{ reason: 'schema', field: 'readings[0].value', message: 'a "finite" number, not \\ text' }],
    stage: 'gateway',
    topic: 'klimatpuls/kalmar/el-norrgard/up',
    payload: Buffer.from('{}'),
    decoder: { name: 'native', version: '1.0.0' },
    receivedAt: new Date('2025-03-01T10:00:00.000Z'),
    now: new Date('2025-03-01T10:00:00.123Z'),
  });
  const ts = (line: string) => BigInt(line.slice(line.lastIndexOf(' ') + 1));

  const minute = BigInt(Date.parse('2025-03-01T10:00:00.000Z')) * 1_000_000n;

  it('gives different dead letters of the same minute different timestamps in the minute before it', () => {
    const stamps = new Set<bigint>();
    for (let n = 0; n < 1000; n++) {
      const t = ts(deadLetterToLine({ id: deadLetterId('gateway', 'schema', `t/${n}`, '{}'), deadLetter: dl }, 'dead_letters'));
      expect(t <= minute && t > minute - 60_000_000_000n).toBe(true); // never after the dead-letter time
      stamps.add(t);
    }
    expect(stamps.size).toBe(1000);
  });

  it('gives a dead letter delivered twice (later, with a new dead-letter time) the same point: archiving twice overwrites', () => {
    const again = makeDeadLetter({ rejected: dl.rejected, stage: 'gateway', topic: dl.topic, payload: Buffer.from('{}'), decoder: dl.decoder,
      receivedAt: new Date('2025-03-01T10:00:41.000Z'), now: new Date('2025-03-01T10:00:41.345Z') });
    expect(again.id).toBe(dl.id);
    expect(again.deadLetteredAt).not.toBe(dl.deadLetteredAt);
    const a = deadLetterToLine({ id: dl.id!, deadLetter: dl }, 'dead_letters');
    const b = deadLetterToLine({ id: again.id!, deadLetter: again }, 'dead_letters');
    expect(b).toBe(a);
    expect(a).toContain(`id="${dl.id}"`);
  });

  it('tags stage, reason and decoder, and quotes the text fields', () => {
    const line = deadLetterToLine({ id: '0-000000000001', deadLetter: dl }, 'dead_letters');
    expect(line).toMatch(/^dead_letters,decoder=native,reason=schema,stage=gateway count=1i,field=/);
    expect(line).toContain('id="0-000000000001"');
    expect(line).toContain('field="readings[0].value"');
    expect(line).toContain('message="a \\"finite\\" number, not \\\\ text"');
    expect(line).toContain('topic="klimatpuls/kalmar/el-norrgard/up"');
    expect(deadLetterToLine({ id: '0-000000000001', deadLetter: { ...dl, decoder: null } }, 'dead_letters')).toContain(',decoder=none,');
  });

  it('cuts long text fields', () => {
    const long = { ...dl, message: 'm'.repeat(5000), topic: 't'.repeat(1000) };
    const line = deadLetterToLine({ id: '0-000000000001', deadLetter: long }, 'dead_letters');
    expect(line).toContain(`message="${'m'.repeat(1024)}"`);
    expect(line).toContain(`topic="${'t'.repeat(256)}"`);
  });
});
