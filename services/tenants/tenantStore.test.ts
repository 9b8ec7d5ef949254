import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TenantStore } from './tenantStore.js';

const dir = () => mkdtempSync(join(tmpdir(), 'klimatpuls-tenants-'));
const device = (id: string, tenant = 'a') => ({ id, tenant, kind: 'temperature' as const, params: {} });

describe('TenantStore', () => {
  it('starts empty without a file and persists changes atomically (0600)', async () => {
    const d = dir();
    const s = new TenantStore(d);
    expect(s.read().tenants).toEqual([]);
    await s.update((st) => void st.devices.push(device('Dev-1')));
    expect(s.device('dev-1')?.id).toBe('Dev-1'); // any letter case
    expect(JSON.parse(readFileSync(join(d, 'tenants.json'), 'utf8')).devices).toHaveLength(1);
    expect(new TenantStore(d).device('DEV-1')).toBeDefined();
  });

  it('serializes concurrent changes from two processes (instances) without losing one', async () => {
    const d = dir();
    const s1 = new TenantStore(d);
    const s2 = new TenantStore(d);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? s1 : s2).update((st) => void st.devices.push(device(`d${i}`)))));
    s1.refresh();
    expect(s1.read().devices.map((x) => x.id).sort()).toHaveLength(20);
  });

  it('refuses an invalid change and keeps the file as it was', async () => {
    const d = dir();
    const s = new TenantStore(d);
    await s.update((st) => void st.devices.push(device('ok')));
    await expect(s.update((st) => void st.devices.push({ ...device('bad'), tenant: 'Not A Slug' }))).rejects.toThrow();
    expect(new TenantStore(d).read().devices.map((x) => x.id)).toEqual(['ok']);
  });

  it("tells watchers about another instance's change", async () => {
    const d = dir();
    const reader = new TenantStore(d);
    const seen: number[] = [];
    reader.watch((_b, a) => seen.push(a.devices.length), 20);
    await new TenantStore(d).update((st) => void st.devices.push(device('x')));
    await new Promise((r) => setTimeout(r, 150));
    reader.close();
    expect(seen).toContain(1);
    expect(reader.device('x')).toBeDefined();
  });

  it('names the file and field of a broken registry', () => {
    const d = dir();
    writeFileSync(join(d, 'tenants.json'), JSON.stringify({ version: 1, tenants: [{ id: 'x' }], buildings: [], devices: [], adminTokens: [] }));
    expect(() => new TenantStore(d)).toThrow(/tenants\.json: tenants\.0\./);
  });
});
