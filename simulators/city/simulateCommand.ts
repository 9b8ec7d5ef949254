import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Progress } from '../../services/core/progress.js';
import { cityDevices } from './devices.js';
import { simulate, type SimulationStats } from './citySimulator.js';
import { seededRandom } from '../../services/core/random.js';
import type { Scenario } from './scenario.js';

function writer(path: string): { write: (o: unknown) => Promise<void>; close: () => Promise<void> } {
  const s: WriteStream = createWriteStream(path);
  return {
    write: (o) => (s.write(`${JSON.stringify(o)}\n`) ? Promise.resolve() : new Promise((r) => s.once('drain', () => r()))),
    close: () => new Promise((r) => s.end(() => r())),
  };
}

/**
 * Writes a scenario's run to a folder: stream.ndjson (messages to replay),
 * truth.ndjson (what must be stored), expected-deadletters.ndjson, registry.json
 * and summary.json.
 */
export async function simulateToFolder(s: Scenario, out: string, opts: { quiet?: boolean } = {}): Promise<SimulationStats> {
  mkdirSync(out, { recursive: true });
  // The same draw order as simulate(): the registry matches the stream.
  const devices = cityDevices(s, seededRandom(s.seed));
  writeFileSync(join(out, 'registry.json'), JSON.stringify({ devices: devices.map((d) => d.registry) }, null, 1));
  const stream = writer(join(out, 'stream.ndjson'));
  const truth = writer(join(out, 'truth.ndjson'));
  const dead = writer(join(out, 'expected-deadletters.ndjson'));
  const progress = opts.quiet ? undefined : new Progress(`simulate ${s.name}`);
  let lastStep = 0;
  const stats = await simulate(s, {
    message: stream.write,
    truth: truth.write,
    deadLetter: dead.write,
    progress: (k, steps) => {
      progress?.tick(k - lastStep, `step ${k}/${steps}`);
      lastStep = k;
    },
  });
  await Promise.all([stream.close(), truth.close(), dead.close()]);
  writeFileSync(join(out, 'summary.json'), JSON.stringify({ scenario: s.name, ...stats }, null, 2));
  progress?.finish(`${stats.devices} devices, ${stats.messages} messages, ${stats.truth} true values, ${stats.expectedDeadLetters} expected dead letters`);
  return stats;
}
