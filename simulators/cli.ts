#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, KlimatpulsError } from '../services/core/errors.js';
import { loadScenario } from './city/scenario.js';
import { simulateToFolder } from './city/simulateCommand.js';

/**
 * `klimatpuls-simulate --scenario FILE --out DIR`: a simulated city stream, its ground
 * truth and registry (simulators/README.md). The simulators' own command: the
 * services never import simulators/.
 */
const USAGE = 'usage: klimatpuls-simulate --scenario FILE --out DIR   (scenarios: simulators/scenarios/*.json)';

async function main(argv: string[]): Promise<void> {
  const { values: o } = parseArgs({ args: argv, options: { scenario: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } } });
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!o.scenario) throw new ConfigError('--scenario', 'a scenario file (simulators/scenarios/*.json)');
  if (!o.out) throw new ConfigError('--out', 'a folder for stream.ndjson, truth.ndjson, registry.json ...');
  await simulateToFolder(loadScenario(o.scenario), o.out);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`klimatpuls-simulate: configuration error: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  const msg = err instanceof KlimatpulsError ? `${err.code}: ${err.message}` : (err as Error)?.stack ?? String(err);
  process.stderr.write(`klimatpuls-simulate: ${msg}\n`);
  process.exit(1);
});
