import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { readingId, type CanonicalReading } from './reading.js';
import { buildStore } from '../app/components.js';
import { buildTenants } from '../app/tenantsApp.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';

/**
 * Issue 13, item 12: klimatpuls.duckdb and its .wal were 0644 in a 0755 DATA_DIR
 * (every tenant's readings and raw payloads). Modes of the real files DuckDB writes.
 */
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
const reading = (i: number): CanonicalReading => {
  const base = { tenant: 'a', deviceId: 'd', metric: 'temperature' as const, observedAt: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString() };
  return { id: readingId(base), ...base, kind: 'temperature', value: i, unit: '°C', receivedAt: base.observedAt, source: { format: 'native', decoderVersion: '1.0.0', topic: 'klimatpuls/a/d/up' } };
};

describe('private data files', () => {
  it('a new DATA_DIR is 0700, the DuckDB file and its .wal 0600 after a write', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'klimatpuls-modes-')), 'data');
    const store = await buildStore(loadConfig({ DATA_DIR: dir }));
    await store.init();
    try {
      await store.writeReadings(Array.from({ length: 50 }, (_, i) => reading(i)));
      expect(mode(dir)).toBe('700');
      expect(mode(join(dir, 'klimatpuls.duckdb'))).toBe('600');
      expect(existsSync(join(dir, 'klimatpuls.duckdb.wal'))).toBe(true); // written, not yet checkpointed
      expect(mode(join(dir, 'klimatpuls.duckdb.wal'))).toBe('600');
    } finally {
      await store.close();
    }
  });

  it('an existing DATA_DIR and TENANTS_DIR with wider modes are tightened at start, with a log line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-modes-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'klimatpuls.duckdb.wal'), '', { mode: 0o644 });
    chmodSync(join(dir, 'klimatpuls.duckdb.wal'), 0o644);
    mkdirSync(join(dir, 'tenants', 'secrets'), { recursive: true, mode: 0o755 });
    chmodSync(join(dir, 'tenants'), 0o755);
    chmodSync(join(dir, 'tenants', 'secrets'), 0o755);
    writeFileSync(join(dir, 'tenants', 'admin.token'), 'x\n');
    chmodSync(join(dir, 'tenants', 'admin.token'), 0o644);
    writeFileSync(join(dir, 'tenants', 'secrets', 'a.influx-read-token'), 'x');
    chmodSync(join(dir, 'tenants', 'secrets', 'a.influx-read-token'), 0o640);
    const lines: string[] = [];
    const logger = createLogger('warn', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const c = loadConfig({ DATA_DIR: dir });
    buildTenants(c, logger, new DeviceRegistry([]));
    const store = await buildStore(c, undefined, logger);
    await store.init();
    await store.close();
    expect([mode(dir), mode(join(dir, 'tenants')), mode(join(dir, 'tenants', 'secrets'))]).toEqual(['700', '700', '700']);
    expect(mode(join(dir, 'tenants', 'admin.token'))).toBe('600');
    expect(mode(join(dir, 'tenants', 'secrets', 'a.influx-read-token'))).toBe('600');
    expect(mode(join(dir, 'klimatpuls.duckdb'))).toBe('600');
    expect(lines.join('\n')).toMatch(/permissions tightened/);
  });
});
