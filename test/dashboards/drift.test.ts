import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ALERTS_FILE, buildOutputs, DASHBOARDS_DIR } from '../../dashboards/build.js';
import { defaultConfig } from '../../dashboards/config.js';

/**
 * The committed dashboards and alert rules are exactly what the code in
 * dashboards/ generates from the targets and limits in the repository: a change
 * to either without `npm run dashboards` fails here.
 */
const generated = buildOutputs(defaultConfig());

it.each(Object.keys(generated))('%s is up to date (npm run dashboards)', (path) => {
  expect(readFileSync(path, 'utf8'), `${path} differs from what dashboards/ generates: run npm run dashboards`).toBe(generated[path]);
});

it('no stale generated files: every dashboard JSON and the alert rules come from the generator', () => {
  const committed = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json')).map((f) => `${DASHBOARDS_DIR}/${f}`);
  expect([...committed, ALERTS_FILE].sort()).toEqual(Object.keys(generated).sort());
});

it('generating twice gives identical output (deterministic)', () => {
  expect(buildOutputs(defaultConfig())).toEqual(generated);
});
