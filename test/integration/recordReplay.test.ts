import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadScenario } from '../../simulators/city/scenario.js';
import { simulateToFolder } from '../../simulators/city/simulateCommand.js';
import { record } from '../../services/tools/record.js';
import { replay } from '../../services/tools/replay.js';
import { startPipeline } from '../helpers/pipeline.js';
import { DEFAULT_ROUTES } from '../../services/decoders/index.js';
import { STACK, countPoints, deleteBucket, queryRows, runId, waitFor } from '../helpers/stack.js';

/**
 * Live traffic is captured with `klimatpuls record`, then the capture is replayed
 * twice, each time through a fresh pipeline into a fresh bucket: both runs must
 * store exactly the same data.
 */
const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-rr-'));
const buckets: string[] = [];
afterAll(async () => {
  for (const b of buckets) await deleteBucket(b).catch(() => {});
});

async function dump(bucket: string): Promise<string[]> {
  const rows = await queryRows(`from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "readings")`);
  return rows.map((r) => `${r.device}|${r._field}|${r.channel ?? ''}|${r._time}|${r._value}|${r.kind}|${r.site ?? ''}`).sort();
}

it('replaying a recorded capture stores the same data, twice in a row', async () => {
  const tenant = runId('rr');
  const scenario = { ...loadScenario('simulators/scenarios/ci-small.json'), tenant, days: 1 };
  await simulateToFolder(scenario, dir, { quiet: true });
  const lines = readFileSync(join(dir, 'stream.ndjson'), 'utf8').split('\n').filter(Boolean);
  const live = lines;
  writeFileSync(join(dir, 'live.ndjson'), `${live.join('\n')}\n`);

  // "live" traffic, captured as it passes
  const recording = record({ mqttUrl: STACK.mqttUrl, ...STACK.mqttAuth, out: join(dir, 'recorded.ndjson'), topics: DEFAULT_ROUTES.map(([f]) => f), count: live.length, seconds: 60 });
  await new Promise((r) => setTimeout(r, 300));
  await replay({ file: join(dir, 'live.ndjson'), mqttUrl: STACK.mqttUrl, ...STACK.mqttAuth, speed: 0, progress: false });
  const rec = await recording;
  const truthCount = readFileSync(join(dir, 'truth.ndjson'), 'utf8').split('\n').filter(Boolean).length;
  expect(rec.recorded).toBe(live.length);

  const runs: string[][] = [];
  for (let i = 0; i < 2; i++) {
    const p = await startPipeline({ registryFile: join(dir, 'registry.json') });
    buckets.push(p.bucket);
    try {
      await replay({ file: join(dir, 'recorded.ndjson'), mqttUrl: STACK.mqttUrl, ...STACK.mqttAuth, speed: 0, progress: false });
      await waitFor('the simulated truth stored', () => countPoints(p.bucket), (n) => n >= truthCount, 120_000);
      runs.push(await dump(p.bucket));
    } finally {
      await p.stop();
    }
  }
  expect(runs[0]!.length).toBe(truthCount);
  expect(runs[1]).toEqual(runs[0]);
});
