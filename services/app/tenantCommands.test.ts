import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { params, tenantCommand } from './tenantCommands.js';

const env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'klimatpuls-cli-')), LOG_LEVEL: 'silent' };
const run = (group: string, ...argv: string[]) => tenantCommand(group, argv, env);

describe('klimatpuls tenant|device|building|admin-token', () => {
  it('creates, lists, disables and enables tenants; credentials are printed once', async () => {
    const created = await run('tenant', 'create', 'brf-eken', '--name', 'BRF Eken');
    expect(created.exitCode).toBe(0);
    const out = created.output as { credentials: { mqtt: { password: string }; apiToken: string } };
    expect(out.credentials.apiToken).toMatch(/^kpt_/);
    const list = (await run('tenant', 'list')).output as { tenants: Array<Record<string, unknown>> };
    expect(list.tenants).toMatchObject([{ id: 'brf-eken', name: 'BRF Eken', status: 'active' }]);
    expect(JSON.stringify(list)).not.toContain(out.credentials.apiToken);
    expect(((await run('tenant', 'disable', 'brf-eken')).output as { tenant: { status: string } }).tenant.status).toBe('disabled');
    expect(((await run('tenant', 'enable', 'brf-eken')).output as { tenant: { status: string } }).tenant.status).toBe('active');
    const audit = readFileSync(join(env.DATA_DIR, 'tenants', 'audit.ndjson'), 'utf8');
    expect(audit).toContain('"actor":{"kind":"cli"');
    expect(audit).not.toContain(out.credentials.mqtt.password);
  });

  it('adds, lists and removes buildings and devices; a taken id is refused', async () => {
    await run('building', 'add', '--tenant', 'brf-eken', '--id', 'hus-a', '--param', 'households=24');
    const added = await run('device', 'add', '--tenant', 'brf-eken', '--id', 'waste-9', '--kind', 'waste_fill', '--site', 'hus-a', '--param', 'volume_l=660', '--param', 'mount_height_mm=1200');
    expect(added.output).toMatchObject({ id: 'waste-9', tenant: 'brf-eken', params: { households: 24, volume_l: 660, mount_height_mm: 1200 } });
    await expect(run('device', 'add', '--tenant', 'brf-eken', '--id', 'WASTE-9', '--kind', 'waste_fill')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(((await run('device', 'list')).output as { devices: unknown[] }).devices).toHaveLength(1);
    await run('device', 'remove', '--tenant', 'brf-eken', '--id', 'waste-9');
    expect(((await run('device', 'list', '--tenant', 'brf-eken')).output as { devices: unknown[] }).devices).toEqual([]);
  });

  it('issues and revokes admin tokens; explains itself', async () => {
    const t = (await run('admin-token', 'create', '--name', 'ops')).output as { id: string; token: string };
    expect(t.token).toMatch(/^kpa_/);
    expect(((await run('admin-token', 'list')).output as { tokens: Array<{ id: string }> }).tokens.map((x) => x.id)).toContain(t.id);
    await run('admin-token', 'revoke', t.id);
    expect((await run('tenant')).exitCode).toBe(2);
    expect((await run('tenant', 'explode')).exitCode).toBe(2);
    expect(params(['a=1', 'b=true', 'c=x', 'd='])).toEqual({ a: 1, b: true, c: 'x', d: '' });
  });

  it('issues, lists and revokes operator tokens (kpo_), apart from admin tokens', async () => {
    const t = (await run('operator-token', 'create', '--name', 'prometheus')).output as { id: string; token: string };
    expect(t.token).toMatch(/^kpo_/);
    expect(((await run('operator-token', 'list')).output as { tokens: Array<{ id: string; name: string }> }).tokens).toMatchObject([{ id: t.id, name: 'prometheus' }]);
    expect(((await run('admin-token', 'list')).output as { tokens: Array<{ id: string }> }).tokens.map((x) => x.id)).not.toContain(t.id);
    await run('operator-token', 'revoke', t.id);
    await expect(run('operator-token', 'revoke', t.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('CLI params are bounded like the API\'s', async () => {
    await expect(run('device', 'add', '--tenant', 'brf-eken', '--id', 'big-1', '--kind', 'temperature', '--param', `blob=${'x'.repeat(300)}`)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /params\.blob/ });
  });
});
