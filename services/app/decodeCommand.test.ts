import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { METRICS, isMetricName } from '../core/metrics.js';
import type { CanonicalReading } from '../core/reading.js';
import { toCanonical } from '../core/units.js';
import { testdataByDecoder, testdataPayload } from '../decoders/decoderTestdataFiles.js';
import { decodeCommand } from './decodeCommand.js';

/*
 * `klimatpuls decode` on the documented examples of the formats added in issue 16
 * (amsleser, and senml's LwM2M / unit-mapped records): each valid testdata case becomes
 * exactly its expected values as canonical readings, in canonical units, and its unknown
 * values are printed, not rejected.
 */

const FORMATS = ['amsleser', 'senml'];
const dir = mkdtempSync(join(tmpdir(), 'kp-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Expected {
  deviceRef: string;
  metric: string;
  value: number;
  unit?: string;
  channel?: string;
}

function registryFor(values: Expected[]): string {
  const ids = [...new Set(values.map((v) => v.deviceRef.toLowerCase()))];
  const file = join(dir, `registry-${ids.join('_').replace(/[^a-z0-9_-]/g, '')}.json`);
  writeFileSync(file, JSON.stringify({ devices: ids.map((id) => ({ id, tenant: 'kalmar', kind: 'electricity_meter' })) }));
  return file;
}

for (const [format, cases] of testdataByDecoder(FORMATS)) {
  const valid = cases.filter((t) => t.c.expect.ok && (t.c.expect.values?.length ?? 0) > 0);
  describe(`klimatpuls decode: ${format} testdata`, () => {
    it('has documented examples', () => expect(valid.length).toBeGreaterThan(3));
    it.each(valid.map((t) => [t.file, t] as const))('%s', (_file, t) => {
      const expected = t.c.expect.values as Expected[];
      const file = join(dir, `${format}-${t.file}`);
      writeFileSync(file, testdataPayload(t.c));
      const { output, exitCode } = decodeCommand(['--topic', t.c.topic, '--registry', registryFor(expected), file], {});
      const o = output as { decoder: { name: string }; readings: CanonicalReading[]; rejected: unknown[]; unknown?: unknown[] };
      expect(o.rejected).toEqual([]);
      expect(exitCode).toBe(0);
      expect(o.decoder.name).toBe(format);
      expect(o.readings.map((r) => [r.deviceId, r.metric, r.channel])).toEqual(expected.map((v) => [v.deviceRef.toLowerCase(), v.metric, v.channel]));
      for (const [i, r] of o.readings.entries()) {
        const v = expected[i]!;
        expect(isMetricName(v.metric)).toBe(true);
        const canonical = METRICS[r.metric].unit;
        expect(r.unit).toBe(canonical);
        expect(r.value).toBe(v.unit === undefined ? v.value : toCanonical(v.value, v.unit, canonical));
      }
      expect(o.unknown ?? []).toEqual(t.c.expect.unknown ?? []);
    });
  });
}
