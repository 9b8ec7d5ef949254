import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadLetterSchema, MAX_KEPT_PAYLOAD } from '../../services/core/deadLetter.js';
import { canonicalReadingSchema } from '../../services/core/reading.js';
import { decoders, type DecodeResult, type Decoder } from '../../services/decoders/index.js';
import { DecoderRouter } from '../../services/gateway/routing/decoderRouter.js';
import { FrameTimeCache } from '../../services/gateway/frameTimeCache.js';
import { processMessage, type ProcessorOptions } from '../../services/gateway/messageProcessor.js';
import type { DeviceRegistry } from '../../services/registry/deviceRegistry.js';
import { filterOf, fuzzCorpus, ROUTES, type Sample } from './decoderFuzzCorpus.js';

/**
 * Property-based fuzzing of every decoder and of the gateway's message processing:
 * whatever bytes arrive on whatever topic, `decode` never throws and returns a
 * well-formed result, and `processMessage` always returns readings (valid
 * canonical readings) or a dead letter (valid, with a reason) — never neither,
 * which would drop the message silently.
 *
 * Inputs: random bytes; random JSON; and, most effective, real payloads of each
 * format (the decoders' testdata fixtures and a simulated city stream) mutated at
 * the JSON level (a value replaced by a hostile one: NaN-ish strings, huge numbers,
 * wrong types, deep nesting, topic-like device ids with `/`, `+`, `#`, `..`) or at
 * the byte level (flips, truncation, invalid UTF-8). Seeded: a failure prints the
 * seed and the shrunk counterexample. The decoders are the registry's, the corpus
 * comes from decoderFuzzCorpus.ts (derived from the registry and its testdata).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_301);
const receivedAt = new Date('2025-03-29T12:00:00Z');

// ---------------------------------------------------------------- arbitraries

const deep = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

/** Values that break naive decoders. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    1e308, -1e308, 1.7976931348623157e308, Number.MAX_SAFE_INTEGER + 2, -0, 0, -1, 5e-324, 1e15, -1e15, 2 ** 31, 2 ** 53,
    'NaN', 'Infinity', '-Infinity', '1e999', '', ' ', '\u0000', '\uFFFD', '\uD800', '../../etc/passwd', 'a/../b', '+', '#', '$SYS',
    'klimatpuls/x/+/up', '𝔎𝔩𝔦𝔪𝔞𝔱', 'x'.repeat(70_000), '2099-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '2025-13-45T99:99:99Z',
    '2025-03-29T12:00:00', '0x1F', '00000000000000000000000000000000000001', true, false, null, [], {}, [[]], [null], { __proto__: null },
    { constructor: { prototype: { polluted: true } } }, deep(2_000), deep(50),
  ),
  fc.double(),
  fc.integer(),
  fc.bigInt().map((b) => Number(b)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
);

type Mutation = { kind: 'replace' | 'delete' | 'wrap' | 'dup'; at: number; value: unknown };
const jsonMutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('replace', 'replace', 'replace', 'delete', 'wrap', 'dup'),
  at: fc.nat(),
  value: hostileValue,
});

/** Applies a mutation to the `at`-th node (pre-order) of a JSON value; returns the new value. */
function mutate(root: unknown, m: Mutation): unknown {
  const nodes: Array<{ parent: any; key: string | number | undefined }> = [{ parent: undefined, key: undefined }];
  const walk = (v: unknown) => {
    if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        nodes.push({ parent: v, key: Array.isArray(v) ? Number(k) : k });
        walk((v as any)[k]);
      }
    }
  };
  const copy = structuredClone(root);
  walk(copy);
  const { parent, key } = nodes[m.at % nodes.length]!;
  if (parent === undefined) return m.kind === 'wrap' ? [copy] : m.value;
  switch (m.kind) {
    case 'replace':
      parent[key!] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key!];
      break;
    case 'wrap':
      parent[key!] = [parent[key!], m.value];
      break;
    case 'dup':
      if (Array.isArray(parent)) parent.push(...Array.from({ length: 50 }, () => parent[key as number]));
      else parent[key!] = { [String(key)]: parent[key!] };
      break;
  }
  return copy;
}

type ByteMutation = { flips: Array<[number, number]>; cut: number | null; insertInvalidUtf8: number | null };
const byteMutation: fc.Arbitrary<ByteMutation> = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  cut: fc.option(fc.nat()),
  insertInvalidUtf8: fc.option(fc.nat()),
});

function mutateBytes(b: Buffer, m: ByteMutation): Buffer {
  let out = Buffer.from(b);
  if (out.length > 0) for (const [pos, byte] of m.flips) out[pos % out.length] = byte;
  if (m.insertInvalidUtf8 !== null) {
    const at = out.length ? m.insertInvalidUtf8 % out.length : 0;
    out = Buffer.concat([out.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), out.subarray(at)]);
  }
  if (m.cut !== null && out.length > 0) out = out.subarray(0, m.cut % out.length);
  return out;
}

const segment = fc.oneof(
  fc.constantFrom('..', '.', '', ' ', 'a b', '$SYS', 'ÅÄÖ', '𝔎', '%2F', '\\', 'x'.repeat(300)),
  fc.string({ minLength: 0, maxLength: 20 }).map((s) => s.replace(/[/+#\u0000]/g, '_')),
);

/** A topic the decoder's routes would deliver (wildcards filled with odd segments), or any topic at all. */
function topicFor(d: Decoder): fc.Arbitrary<string> {
  const filters = filterOf(d);
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...filters), fc.array(segment, { minLength: 6, maxLength: 6 })).map(([f, segs]) => f.split('/').map((p, i) => (p === '+' ? segs[i % segs.length]! : p)).join('/')) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  );
}

// ---------------------------------------------------------------- properties

/** fast-check's report, with long counterexamples (70 kB strings, deep nesting) cut to a readable size. */
function reporter(out: fc.RunDetails<any>): void {
  if (!out.failed) return;
  const cut = (s: string) => s.replace(/(.)\1{40,}/g, (m, c: string) => `${c.repeat(8)}…(${m.length}×)`).slice(0, 4000);
  const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  throw new Error(cut(`${why}\n${fc.defaultReportMessage(out) ?? `property failed (seed ${out.seed})`}`));
}

const REJECT_REASONS = new Set(['not_json', 'schema', 'unsupported_topic', 'decode_error']);

/** decode's result is well-formed whatever came in. */
function checkDecodeResult(r: DecodeResult): void {
  expect(r).toBeTypeOf('object');
  if (r.ok) {
    expect(Array.isArray(r.values)).toBe(true);
    for (const v of r.values) {
      expect(typeof v.deviceRef).toBe('string');
      expect(typeof v.metric).toBe('string');
      expect(typeof v.value).toBe('number');
      expect(typeof v.field).toBe('string');
      if (v.observedAt !== undefined) expect(v.observedAt).toBeInstanceOf(Date);
    }
  } else {
    expect(REJECT_REASONS.has(r.rejection.reason), r.rejection.reason).toBe(true);
    expect(typeof r.rejection.field).toBe('string');
    expect(typeof r.rejection.message).toBe('string');
  }
}

let registry: DeviceRegistry;
let corpus: Map<string, Sample[]>;
const opts = (): ProcessorOptions => ({
  router: new DecoderRouter(ROUTES),
  registry,
  maxPayloadBytes: 256 * 1024,
  maxFutureMs: 300_000,
  minObservedAt: new Date('2000-01-01T00:00:00Z'),
  frameTimes: new FrameTimeCache(),
});

/**
 * processMessage never throws, what it yields is valid (canonical readings the writer
 * accepts, a dead letter with a reason and the raw payload), and (`outcome`) it yields
 * readings or a dead letter (or both), never nothing: nothing would be a silent drop.
 */
function checkProcessed(topic: string, payload: Buffer, o: ProcessorOptions, outcome: boolean): void {
  const r = processMessage(topic, payload, receivedAt, o);
  if (outcome) expect(r.readings.length > 0 || r.deadLetter !== undefined, `neither readings nor a dead letter for ${topic}: ${payload.toString('utf8').slice(0, 2500)}`).toBe(true);
  for (const reading of r.readings) {
    const ok = canonicalReadingSchema.safeParse(reading);
    expect(ok.success, `invalid canonical reading ${JSON.stringify(reading).slice(0, 300)}: ${ok.error?.issues[0]?.message}`).toBe(true);
  }
  if (r.deadLetter) {
    const ok = deadLetterSchema.safeParse(r.deadLetter);
    expect(ok.success, ok.error?.issues[0]?.message).toBe(true);
    expect(r.deadLetter.reason).toBeTruthy();
    // the dead letter keeps the payload, up to MAX_KEPT_PAYLOAD bytes (and says when it cut it)
    expect(r.deadLetter.payloadBase64).toBe(payload.subarray(0, MAX_KEPT_PAYLOAD).toString('base64'));
    expect(r.deadLetter.payloadTruncated ?? false).toBe(payload.length > MAX_KEPT_PAYLOAD);
  }
}

/**
 * The properties over mutated real payloads: decode and processMessage never throw and
 * yield valid output; and processMessage never yields nothing (`requireOutcome`).
 */
const MUTATED_PAYLOAD_PROPERTIES = [
  {
    title: 'never throws on mutated real payloads (JSON level and byte level); processMessage never throws and yields valid output',
    decodeFirst: true,
    requireOutcome: false,
  },
  {
    title: 'processMessage yields readings or a dead letter for every mutated real payload (never a silent drop)',
    decodeFirst: false,
    requireOutcome: true,
  },
] as const;

const corpusReady = (async () => {
  ({ corpus, registry } = await fuzzCorpus());
})();

describe.each(Object.values(decoders).map((d) => [d.name, d] as const))('decoder %s under fuzzing', (name, decoder) => {
  const samples = () => corpus.get(name) ?? [];
  const params = { numRuns: RUNS, seed: SEED, reporter };

  it('has a corpus of real payloads to mutate', async () => {
    await corpusReady;
    expect(samples().length).toBeGreaterThan(3);
  });

  it('never throws on random bytes on any topic', async () => {
    await corpusReady;
    fc.assert(
      fc.property(topicFor(decoder), fc.uint8Array({ maxLength: 600 }), (topic, bytes) => {
        checkDecodeResult(decoder.decode(Buffer.from(bytes), { topic, receivedAt, lookupDevice: (ref) => registry.get(ref) }));
      }),
      params,
    );
  });

  it('never throws on random JSON', async () => {
    await corpusReady;
    fc.assert(
      fc.property(topicFor(decoder), fc.jsonValue({ maxDepth: 6 }), (topic, v) => {
        checkDecodeResult(decoder.decode(Buffer.from(JSON.stringify(v) ?? 'null'), { topic, receivedAt, lookupDevice: (ref) => registry.get(ref) }));
      }),
      params,
    );
  });

  for (const { title, decodeFirst, requireOutcome } of MUTATED_PAYLOAD_PROPERTIES) {
    it(title, async () => {
      await corpusReady;
      const s = samples();
      const o = opts();
      fc.assert(
        fc.property(
          fc.nat({ max: s.length - 1 }),
          fc.array(jsonMutation, { minLength: 1, maxLength: 3 }),
          byteMutation,
          fc.boolean(),
          fc.option(topicFor(decoder), { freq: 4 }),
          (i, jsonMuts, byteMut, bytewise, otherTopic) => {
            const sample = s[i]!;
            const topic = otherTopic ?? sample.topic;
            let payload: Buffer;
            let parsed: unknown;
            try {
              parsed = JSON.parse(sample.payload.toString('utf8'));
            } catch {
              parsed = undefined;
            }
            if (!bytewise && parsed !== undefined) {
              let v: unknown = parsed;
              for (const m of jsonMuts) v = mutate(v, m);
              payload = Buffer.from(JSON.stringify(v) ?? 'null');
            } else payload = mutateBytes(sample.payload, byteMut);
            if (decodeFirst) checkDecodeResult(decoder.decode(payload, { topic, receivedAt, lookupDevice: (ref) => registry.get(ref) }));
            checkProcessed(topic, payload, { ...o, forceDecoder: decoder }, requireOutcome);
          },
        ),
        params,
      );
    });
  }

  it('processMessage yields readings or a dead letter for the unmutated corpus', async () => {
    await corpusReady;
    const o = opts();
    for (const sample of samples()) checkProcessed(sample.topic, sample.payload, { ...o, forceDecoder: decoder }, true);
  });
});

describe('processMessage under fuzzing, routed by topic', () => {
  it('yields readings or a dead letter for any topic and payload, and never throws', async () => {
    await corpusReady;
    const o = opts();
    const anyDecoder = fc.constantFrom(...Object.values(decoders));
    fc.assert(
      fc.property(
        anyDecoder.chain((d) => topicFor(d)),
        fc.oneof(fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)), fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null'))),
        (topic, payload) => {
          // A topic no route takes is dead-lettered too (unsupported_topic): the gateway only
          // gets such messages under a catch-all route, but processMessage must still answer.
          checkProcessed(topic, payload, o, true);
        },
      ),
      { numRuns: RUNS * 4, seed: SEED, reporter },
    );
  });
});
