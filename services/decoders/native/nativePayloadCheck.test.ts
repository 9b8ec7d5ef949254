import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativePayloadSchema } from './nativeDecoder.js';
import { checkNativePayload } from './nativePayloadCheck.js';

/* The hand check must never accept what zod refuses, and must read the same values. */

/** Mostly plausible values (else nothing passes), sometimes anything. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: bad, weight: 1 });
const str = (max: number) =>
  mostly(fc.string({ minLength: 1, maxLength: Math.min(max, 12) }), fc.oneof(fc.string({ maxLength: max + 2 }), fc.constantFrom('', 'x'.repeat(max), 'x'.repeat(max + 1), 'é'.repeat(max)), fc.integer()));
const time = mostly(
  fc.oneof(fc.constantFrom('2025-03-01T10:00:00Z', '2025-03-01T10:00:00+01:00', '2025-03-01T10:00:00.123-05:30'), fc.integer({ min: 1, max: 2 ** 45 })),
  fc.oneof(
    fc.constantFrom('2025-03-01T10:00:00', '2025-03-01', 'now', '2025-13-01T10:00:00Z', '2025-03-01T10:00:00+0100', 0, -1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, null, true),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.integer(),
    fc.double(),
  ),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const reading = fc.oneof(
  fc.record(
    {
      metric: str(64),
      value: mostly(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()), fc.oneof(fc.double(), fc.constantFrom('1', null, Infinity, 1e999))),
      unit: maybe(mostly(str(16), fc.constant(null))),
      channel: maybe(str(64)),
      time: maybe(time),
      extra: maybe(fc.anything()),
    },
    { requiredKeys: ['metric', 'value'] },
  ),
  fc.record({ metric: str(64), value: fc.integer() }, { requiredKeys: [] }),
  fc.anything(),
);
const payload = fc.oneof(
  fc.record(
    { device: maybe(str(128)), time: maybe(time), readings: mostly(fc.array(reading, { maxLength: 4 }), fc.anything()), extra: maybe(fc.anything()) },
    { requiredKeys: ['readings'] },
  ),
  fc.record({ device: str(128), readings: fc.anything() }, { requiredKeys: [] }),
  fc.anything(),
);

/** What the decoder reads of a parsed payload. */
const used = (p: { device?: string; time?: unknown; readings: Array<Record<string, unknown>> }) => ({
  device: p.device,
  time: p.time,
  readings: p.readings.map((r) => [r.metric, r.value, r.unit, r.channel, r.time]),
});

describe('checkNativePayload', () => {
  it('accepts only what nativePayloadSchema accepts, with the same values', () => {
    let accepted = 0;
    fc.assert(
      fc.property(payload, (p) => {
        const json: unknown = JSON.parse(JSON.stringify(p) ?? 'null'); // as the decoder sees it
        const fast = checkNativePayload(json, 1000);
        if (fast === undefined) return;
        accepted++;
        const zod = nativePayloadSchema.safeParse(json);
        expect(zod.success).toBe(true);
        expect(used(fast)).toEqual(used(zod.data!));
      }),
      { numRuns: 10_000 },
    );
    expect(accepted).toBeGreaterThan(200);
  });

  it('accepts the bench publisher payload and refuses over-long arrays', () => {
    expect(checkNativePayload({ time: 1740823200000, readings: [{ metric: 'energy_total', value: 7 }] }, 1000)).toBeDefined();
    expect(checkNativePayload({ readings: [{ metric: 'power', value: 1 }, { metric: 'power', value: 2 }] }, 1)).toBeUndefined();
    expect(checkNativePayload({ readings: [] }, 1000)).toBeUndefined();
  });
});
