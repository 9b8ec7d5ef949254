import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testdataByDecoder, testdataPayload } from '../../services/decoders/decoderTestdataFiles.js';
import { DEFAULT_ROUTES, decoders, type Decoder } from '../../services/decoders/index.js';
import { DecoderRouter } from '../../services/gateway/routing/decoderRouter.js';
import { DeviceRegistry } from '../../services/registry/deviceRegistry.js';
import { simulate } from '../../simulators/city/citySimulator.js';
import { cityDevices } from '../../simulators/city/devices.js';
import { loadScenario } from '../../simulators/city/scenario.js';
import { seededRandom } from '../../services/core/random.js';
import { payloadOf } from '../../services/tools/ndjson.js';

/*
 * The fuzz corpus of decoderFuzz.test.ts: real payloads of each format to mutate. The
 * formats are the decoder registry's (no list kept by hand): each decoder's testdata
 * cases (found by services/decoders/decoderTestdataFiles.ts: a case's `decoder`, else
 * its folder) plus up to 40 messages of a simulated city routed to it. Every decoder
 * is also fuzzed with random bytes and random JSON, corpus or not; one without
 * testdata fails the registry's convention test (services/decoders/registry.test.ts).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Sample {
  topic: string;
  payload: Buffer;
}

/** Routes including ChirpStack v3 on its own topic (the default routes send /event/up to v4). */
export const ROUTES: Array<readonly [string, string]> = [...DEFAULT_ROUTES];
export const filterOf = (d: Decoder): string[] => ROUTES.filter(([, n]) => n === d.name).map(([f]) => f);

/** Each registered decoder's testdata cases, valid and rejected, as messages. */
export function fixtureSamples(): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const [name, files] of testdataByDecoder(Object.keys(decoders))) {
    out.set(name, files.map(({ c }) => ({ topic: c.topic, payload: testdataPayload(c) })));
  }
  return out;
}

/** Up to 40 messages per decoder of a quarter day of the ci-small city, and its device registry. */
export async function simulatedSamples(): Promise<{ samples: Map<string, Sample[]>; registry: DeviceRegistry }> {
  const scenario = { ...loadScenario(join(ROOT, 'simulators/scenarios/ci-small.json')), days: 0.25, tenant: 'fuzzstad' };
  const router = new DecoderRouter(ROUTES);
  const samples = new Map<string, Sample[]>();
  await simulate(scenario, {
    message: (m) => {
      const d = router.decoderFor(m.topic);
      if (!d) return;
      const list = samples.get(d.name) ?? [];
      if (list.length < 40) list.push({ topic: m.topic, payload: payloadOf(m) });
      samples.set(d.name, list);
    },
    truth: () => {},
    deadLetter: () => {},
  });
  const registry = new DeviceRegistry(cityDevices(scenario, seededRandom(scenario.seed)).map((d) => d.registry));
  return { samples, registry };
}

/** The corpus of every registered decoder (an empty list for one with neither testdata nor simulated messages). */
export async function fuzzCorpus(): Promise<{ corpus: Map<string, Sample[]>; registry: DeviceRegistry }> {
  const sim = await simulatedSamples();
  const fixtures = fixtureSamples();
  const corpus = new Map(Object.keys(decoders).map((n) => [n, [...(fixtures.get(n) ?? []), ...(sim.samples.get(n) ?? [])]]));
  return { corpus, registry: sim.registry };
}
