import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { METRICS, isMetricName } from '../core/metrics.js';
import { toCanonical } from '../core/units.js';
import { testdataPayload, type TestdataCase } from './decoderTestdataFiles.js';
import type { DecodeResult, Decoder } from './types.js';

export { testdataPayload, type TestdataCase } from './decoderTestdataFiles.js';

/*
 * Test support for the decoders' unit tests (imported by *.test.ts only): the
 * testdata/*.json cases next to a test file, the tests every text-format decoder
 * (senml, tasmota, wmbusmeters, han-p1) runs over them, and the checks the
 * network-server formats (ttn-v3, chirpstack) share.
 */

export type TestdataCases = ReadonlyArray<readonly [file: string, c: TestdataCase]>;
export type Accepted = Extract<DecodeResult, { ok: true }>;
export type Rejected = Extract<DecodeResult, { ok: false }>;

/** The testdata/*.json files beside the test module `testModuleUrl`, sorted by name. */
export function loadTestdataCases(testModuleUrl: string): TestdataCases {
  const dir = join(dirname(fileURLToPath(testModuleUrl)), 'testdata');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as TestdataCase] as const);
}

/** A message written in a test: a string as it is, anything else as JSON. */
export function messageBytes(payload: unknown): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(JSON.stringify(payload));
}

/** observedAt as ISO text, undefined keys dropped: comparable with the JSON expectations. */
function plainValues(r: Accepted): unknown {
  return r.values.map((v) => JSON.parse(JSON.stringify(v)) as unknown);
}

export interface TestdataChecks {
  /** For cases without their own receivedAt. */
  receivedAt: Date;
  /** How a case becomes bytes; testdataPayload unless given. */
  payloadOf?: (c: TestdataCase) => Buffer;
  /** More checks on an accepted case, after its values are compared. */
  onAccepted?: (r: Accepted) => void;
  /** More checks on a rejected case, after reason, field and message are compared. */
  onRejected?: (r: Rejected) => void;
}

/**
 * Registers (inside a describe) the testdata tests: there are more than ten cases, every
 * expected value has a canonical metric and a convertible unit, and each case decodes
 * to exactly its expected values or to its expected rejection.
 */
export function itDecodesTestdata(decoder: Decoder, cases: TestdataCases, checks: TestdataChecks): void {
  const payloadOf = checks.payloadOf ?? testdataPayload;

  it('has test data', () => expect(cases.length).toBeGreaterThan(10));

  it('every expected value has a canonical metric and a unit the normalizer converts', () => {
    for (const [file, c] of cases) {
      for (const v of (c.expect.values ?? []) as { metric: string; unit?: string; value: number }[]) {
        expect(isMetricName(v.metric), `${file}: ${v.metric}`).toBe(true);
        if (v.unit === undefined || !isMetricName(v.metric)) continue;
        expect(toCanonical(v.value, v.unit, METRICS[v.metric].unit), `${file}: ${v.unit} → ${v.metric}`).toBeDefined();
      }
    }
  });

  for (const [file, c] of cases) {
    it(`${file}: ${c.note.slice(0, 80)}`, () => {
      const r = decoder.decode(payloadOf(c), { topic: c.topic, receivedAt: c.receivedAt ? new Date(c.receivedAt) : checks.receivedAt });
      expect(r.ok, JSON.stringify(r)).toBe(c.expect.ok);
      if (r.ok) {
        expect(plainValues(r)).toEqual(c.expect.values);
        if (c.expect.unknown !== undefined) expect(r.unknown ?? []).toEqual(c.expect.unknown);
        checks.onAccepted?.(r);
      } else {
        expect(r.rejection.reason).toBe(c.expect.reason);
        expect(r.rejection.field).toBe(c.expect.field);
        if (c.expect.message !== undefined) expect(r.rejection.message).toBe(c.expect.message);
        checks.onRejected?.(r);
      }
    });
  }
}

/** A rejection with the expected reason and field, and a message containing the expected one. */
export function expectRejection(r: DecodeResult, expected: { reason: string; field: string; message?: string }): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.rejection.reason).toBe(expected.reason);
  expect(r.rejection.field).toBe(expected.field);
  if (expected.message !== undefined) expect(r.rejection.message).toContain(expected.message);
}

/** Registers the test that testdata/README.md names every file with a _source note. */
export function itHasASourceNoteForEachFile(testdataDir: string, files: readonly string[]): void {
  it('every testdata file has a _source note in testdata/README.md', () => {
    const readme = readFileSync(join(testdataDir, 'README.md'), 'utf8');
    for (const f of files) expect(readme, f).toMatch(new RegExp(`\`${f.replace(/\./g, '\\.')}\`[^\\n]*_source`));
  });
}
