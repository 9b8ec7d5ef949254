import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOutputs } from './build.js';
import { defaultConfig } from './config.js';

/**
 * `npm run dashboards`: writes the dashboards (deploy/grafana/dashboards/*.json)
 * and the alert rules (deploy/grafana/provisioning/alerting/klimatpuls.yaml).
 * `npm run dashboards -- --check` writes nothing and exits 1 when a committed
 * file differs from what the code generates.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, content] of Object.entries(buildOutputs(defaultConfig()))) {
  const file = join(root, path);
  let old: string | undefined;
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    old = undefined;
  }
  if (old === content) continue;
  stale++;
  if (check) {
    process.stderr.write(`${path}: differs from the generated content (run npm run dashboards)\n`);
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  process.stdout.write(`wrote ${path}\n`);
}
if (check && stale > 0) process.exit(1);
if (!check && stale === 0) process.stdout.write('dashboards: up to date\n');
