import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KlimatpulsError } from '../core/errors.js';
import { DeviceRegistry, type Device } from './deviceRegistry.js';

const dev = (over: Partial<Device> = {}): Device => ({ id: 'a84041000181c5b2', tenant: 'kalmar', kind: 'waste_fill', site: 'berga', params: { volume_l: 660 }, ...over });

function registryError(fn: () => unknown): KlimatpulsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KlimatpulsError);
    expect((err as KlimatpulsError).code).toBe('REGISTRY_INVALID');
    return err as KlimatpulsError;
  }
  throw new Error('did not throw');
}

const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DeviceRegistry', () => {
  it('finds a device by its external id in any case, keeping the registered spelling', () => {
    const r = new DeviceRegistry([dev({ id: 'A84041000181C5B2' }), dev({ id: 'el-norrgard', kind: 'electricity_meter' })]);
    expect(r.size).toBe(2);
    expect(r.get('a84041000181c5b2')?.id).toBe('A84041000181C5B2');
    expect(r.get('A84041000181c5B2')?.kind).toBe('waste_fill');
    expect(r.get('EL-NORRGARD')?.kind).toBe('electricity_meter');
    expect(r.get('el-norrgard ')).toBeUndefined();
    expect(r.get('unknown')).toBeUndefined();
    expect(r.get('constructor')).toBeUndefined();
    expect(r.all().map((d) => d.id)).toEqual(['A84041000181C5B2', 'el-norrgard']);
  });

  it('rejects a device registered twice, also when the ids differ only in case', () => {
    const err = registryError(() => new DeviceRegistry([dev({ id: 'el-1' }), dev({ id: 'EL-1', tenant: 'vaxjo' })]));
    expect(err.message).toContain('EL-1');
    expect(err.message).toMatch(/twice/);
  });

  it('freezes its devices', () => {
    const input = dev();
    const r = new DeviceRegistry([input]);
    const d = r.get(input.id)!;
    expect(Object.isFrozen(d)).toBe(true);
    input.tenant = 'changed'; // the caller's object is not shared
    expect(r.get(input.id)!.tenant).toBe('kalmar');
  });

  it('reads a registry file, defaulting params', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify({ devices: [{ id: 'temp-1', tenant: 'kalmar', kind: 'temperature' }] }));
    const r = DeviceRegistry.fromFile(path);
    expect(r.get('TEMP-1')).toEqual({ id: 'temp-1', tenant: 'kalmar', kind: 'temperature', params: {} });
  });

  it('names the file and the path of the invalid value', () => {
    const path = join(dir, 'bad-tenant.json');
    writeFileSync(path, JSON.stringify({ devices: [{ id: 'el-1', tenant: 'Kalmar Kommun', kind: 'electricity_meter' }] }));
    const err = registryError(() => DeviceRegistry.fromFile(path));
    expect(err.message).toContain(path);
    expect(err.message).toContain('devices.0.tenant');
    expect(err.message).toContain('lower-case slug');
  });

  it.each([
    ['devices.1.kind', { devices: [dev(), { id: 'x', tenant: 'kalmar', kind: 'toaster' }] }],
    ['devices.0.id', { devices: [{ tenant: 'kalmar', kind: 'temperature' }] }],
    ['devices.0.params.volume_l', { devices: [{ ...dev(), params: { volume_l: [660] } }] }],
    ['devices', { sensors: [] }],
    ['(root)', []],
  ])('reports %s for an invalid registry', (path, content) => {
    const err = registryError(() => DeviceRegistry.fromJson(JSON.stringify(content), 'devices.json'));
    expect(err.message.startsWith(`devices.json: ${path}: `)).toBe(true);
  });

  it('reports a file that is not JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"devices": [');
    const err = registryError(() => DeviceRegistry.fromFile(path));
    expect(err.message).toContain(path);
    expect(err.message).toContain('not valid JSON');
  });

  it('reports a duplicate in a file', () => {
    const err = registryError(() => DeviceRegistry.fromJson(JSON.stringify({ devices: [dev(), dev()] })));
    expect(err.message).toContain('registered twice');
  });

  it('loads the demo registry shipped with the package', () => {
    const r = DeviceRegistry.fromFile(join(import.meta.dirname, '../demo/registry.json'));
    expect(r.size).toBeGreaterThan(10);
    expect(r.get('el-norrgard')?.tenant).toBe('kalmar');
  });
});
