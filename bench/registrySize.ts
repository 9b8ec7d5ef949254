/**
 * How long one registry change (a tenant disabled) takes as the registry grows:
 * `npx tsx bench/registrySize.ts`. Every change reads, validates and rewrites the whole
 * tenants.json (services/tenants/tenantStore.ts), so its cost follows the file size;
 * issue 13 item 11 bounded what a tenant can add (params, devices, REGISTRY_MAX_BYTES).
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyState } from '../services/tenants/model.js';
import { TenantStore } from '../services/tenants/tenantStore.js';

const cases: Array<[string, number, () => Record<string, string | number>]> = [
  ['1 tenant, 60 devices, small params', 60, () => ({ atemp_m2: 1850 })],
  ['60 devices x 300 kB params (allowed before the fix)', 60, () => ({ blob: 'x'.repeat(300_000) })],
  ['10,000 devices, small params (MAX_DEVICES_PER_TENANT)', 10_000, () => ({ atemp_m2: 1850, households: 24 })],
  ['10,000 devices x 4 kB params (the most one tenant can add now)', 10_000, () => Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'.repeat(240)]))],
];
const now = new Date().toISOString();
for (const [label, n, params] of cases) {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-regbench-'));
  const s = emptyState();
  s.tenants.push({ id: 'a', name: 'A', status: 'active', createdAt: now, updatedAt: now, mqtt: { username: 'a', passwordHash: 'x', mosquittoHash: 'x' }, apiTokens: [], grafanaOrgId: 2 });
  for (let i = 0; i < n; i++) s.devices.push({ id: `dev-${i}`, tenant: 'a', kind: 'electricity_meter', params: params() });
  writeFileSync(join(dir, 'tenants.json'), JSON.stringify(s, null, 2));
  const store = new TenantStore(dir);
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await store.update((st) => {
      st.tenants[0]!.status = i % 2 ? 'active' : 'disabled';
    });
    ms.push(performance.now() - t0);
  }
  ms.sort((x, y) => x - y);
  const mb = statSync(store.file).size / 1e6;
  process.stdout.write(`${label.padEnd(66)} ${mb.toFixed(1).padStart(6)} MB  one change: median ${ms[2]!.toFixed(0).padStart(5)} ms (min ${ms[0]!.toFixed(0)}, max ${ms[4]!.toFixed(0)})\n`);
}
