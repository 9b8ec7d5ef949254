import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceModel } from '../../simulators/city/model.js';
import { encoders } from '../../simulators/encoders/index.js';
import { ctxAt, devicesIn, roundTrip } from '../../simulators/encoders/roundTrip.js';
import { seededRandom } from '../core/random.js';
import { allTestdataFiles, DECODERS_DIR, testdataByDecoder, testdataLookup, testdataPayload } from './decoderTestdataFiles.js';
import { DEFAULT_ROUTES, decoders } from './index.js';

/*
 * The convention test of the decoder registry (as Telegraf's plugins/all_test.go):
 * every decoder in `decoders` has testdata with a valid example and its expected
 * values, a row in README.md's table of formats, a default route, and an encoder in
 * simulators/encoders that round-trips. A format added without them fails here;
 * README.md ("Adding a format") says what to add.
 */

const NAMES = Object.keys(decoders);
const TESTDATA = testdataByDecoder(NAMES);
/** For cases without their own receivedAt (the decoders' own tests use the same). */
const RECEIVED = new Date('2025-03-01T10:00:05Z');
/** Instants for the encoder round trip: winter, the repeated hour of the DST end, summer. */
const INSTANTS = ['2025-01-14T10:00:00Z', '2025-10-26T01:30:00Z', '2025-07-01T12:00:00Z'].map((s) => new Date(s));

/** The first column (`name`) of each row of README.md's "## The formats" table. */
function readmeFormatNames(): string[] {
  const text = readFileSync(join(DECODERS_DIR, 'README.md'), 'utf8');
  const section = text.split(/^## /m).find((s) => s.startsWith('The formats'));
  if (section === undefined) throw new Error('services/decoders/README.md has no "## The formats" section');
  const rows = section.split('\n').filter((l) => l.startsWith('|')).slice(2); // header, separator
  return rows.map((r) => (r.split('|')[1] ?? '').trim().replace(/^`(.*)`$/, '$1'));
}

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
const key = (v: { metric: string; channel?: string | undefined }) => `${v.metric}/${v.channel ?? ''}`;

describe('decoder registry: the whole', () => {
  it('has decoders, each under its own name ([a-z0-9-])', () => {
    expect(NAMES.length).toBeGreaterThan(0);
    for (const [name, d] of Object.entries(decoders)) {
      expect(d.name, name).toBe(name);
      expect(name).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('every testdata case belongs to a registered decoder (its `decoder` field, else its folder)', () => {
    const orphans = allTestdataFiles().filter((t) => !NAMES.includes(t.decoder)).map((t) => `${t.folder}/testdata/${t.file} → ${t.decoder}`);
    expect(orphans).toEqual([]);
  });

  it('README.md names each format once and no other', () => {
    expect([...readmeFormatNames()].sort()).toEqual([...NAMES].sort());
  });

  it('every encoder is named like a registered decoder', () => {
    for (const [name, e] of Object.entries(encoders)) {
      expect(e.name, name).toBe(name);
      expect(NAMES, `encoder ${name} has no decoder`).toContain(name);
    }
  });

  it('every default route names a registered decoder', () => {
    for (const [filter, name] of DEFAULT_ROUTES) expect(NAMES, filter).toContain(name);
  });
});

describe.each(NAMES)('decoder %s follows the registry convention', (name) => {
  const decoder = decoders[name]!;
  const cases = TESTDATA.get(name) ?? [];
  const valid = cases.filter((t) => t.c.expect.ok && (t.c.expect.values?.length ?? 0) > 0);

  it('has testdata: at least one valid example with its expected values', () => {
    expect(cases.length, `no services/decoders/${name}/testdata/*.json (nor cases with "decoder": "${name}")`).toBeGreaterThan(0);
    expect(valid.length, `no testdata case of ${name} with expect.ok and expect.values`).toBeGreaterThan(0);
  });

  it('decodes each valid example to exactly its expected values', () => {
    expect(valid.length).toBeGreaterThan(0);
    for (const { folder, file, c } of valid) {
      const what = `${folder}/testdata/${file}`;
      const r = decoder.decode(testdataPayload(c), { topic: c.topic, receivedAt: c.receivedAt ? new Date(c.receivedAt) : RECEIVED, lookupDevice: testdataLookup(c) });
      expect(r.ok, `${what}: ${JSON.stringify(r)}`).toBe(true);
      if (r.ok) expect(plain(r.values), what).toEqual(c.expect.values);
      if (r.ok && c.expect.unknown !== undefined) expect(r.unknown ?? [], `${what}: unknown values`).toEqual(c.expect.unknown);
    }
  });

  it('has a row in README.md', () => {
    expect(readmeFormatNames(), `no row | \`${name}\` | in services/decoders/README.md`).toContain(name);
  });

  it('has a default route', () => {
    expect(DEFAULT_ROUTES.filter(([, n]) => n === name).length, `no route to ${name} in DEFAULT_ROUTES`).toBeGreaterThan(0);
  });

  it('has an encoder in simulators/encoders whose messages decode to the readings it encoded', () => {
    const e = Object.prototype.hasOwnProperty.call(encoders, name) ? encoders[name] : undefined;
    expect(e, `no encoder ${name} in simulators/encoders/index.ts`).toBeDefined();
    expect(e!.families.length).toBeGreaterThan(0);
    for (const family of e!.families) {
      const d = devicesIn(name).find((x) => x.family === family)!;
      const model = new DeviceModel(d, seededRandom(d.n + 1));
      for (const [k, t] of INSTANTS.entries()) {
        const what = `${name} ${family} ${t.toISOString()}`;
        const { wire, truth } = model.step(t, 1, 0);
        const r = roundTrip(e!, d, e!.encode(d, wire, ctxAt(t, k + 1)), t);
        expect(r.rejected, what).toEqual([]);
        const got = [...r.readings].sort((a, b) => key(a).localeCompare(key(b)));
        const want = [...truth].sort((a, b) => key(a).localeCompare(key(b)));
        expect(got.map(key), what).toEqual(want.map(key));
        for (const [i, g] of got.entries()) {
          expect(Math.abs(g.value - want[i]!.value), `${what} ${key(g)}: ${g.value} vs ${want[i]!.value}`).toBeLessThanOrEqual(1e-9 * Math.abs(g.value));
          expect(g.observedAt, what).toBe(t.toISOString());
          expect(g.deviceId, what).toBe(d.registry.id);
        }
      }
    }
  });
});
