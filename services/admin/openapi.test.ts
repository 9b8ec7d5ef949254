import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../core/config.js';
import { adminRoutes, type AdminDeps } from './adminRoutes.js';

/** docs/openapi.yaml and the routes the server has do not drift apart. */
describe('docs/openapi.yaml', () => {
  const text = readFileSync(join(PACKAGE_ROOT, 'docs/openapi.yaml'), 'utf8');
  const documented: Array<{ method: string; path: string }> = [];
  let current = '';
  for (const line of text.split('\n')) {
    const p = /^ {2}(\/[^:]*):$/.exec(line);
    if (p) current = p[1]!;
    const m = /^ {4}(get|post|delete|put|patch):$/.exec(line);
    if (m && current) documented.push({ method: m[1]!.toUpperCase(), path: current });
  }
  const sample = (path: string) => path.replace('{tenant}', 'kalmarhem').replace('{id}', '0123456789ab').replace(/\{[a-z]+\}/g, 'x-1');
  const routes = adminRoutes({} as AdminDeps);

  it('documents every route, and every documented route exists', () => {
    expect(documented.length).toBeGreaterThan(15);
    for (const d of documented.filter((x) => x.path !== '/healthz')) {
      expect(routes.some((r) => r.method === d.method && r.path.test(sample(d.path))), `${d.method} ${d.path}`).toBe(true);
    }
    for (const r of routes) expect(documented.some((d) => d.method === r.method && r.path.test(sample(d.path))), `${r.method} ${r.path}`).toBe(true);
  });
});
