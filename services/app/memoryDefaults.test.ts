import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { memoryDefaultsEnv } from './memoryDefaults.js';

describe('memory defaults of the indicator processes', () => {
  it('adds MALLOC_ARENA_MAX=2, DuckDB\'s allocator settings, a 512 MB old space and 4 MB semi-spaces when none is set, and keeps what the operator set', () => {
    const flags = '--max-old-space-size=512 --max-semi-space-size=4';
    expect(memoryDefaultsEnv({ PATH: '/bin' }, [], 'linux')).toEqual({ PATH: '/bin', MALLOC_ARENA_MAX: '2', DUCKDB_JE_MALLOC_CONF: 'dirty_decay_ms:0,muzzy_decay_ms:0', NODE_OPTIONS: flags, KLIMATPULS_MEMORY_DEFAULTS: 'off' });
    expect(memoryDefaultsEnv({ NODE_OPTIONS: '--enable-source-maps' }, [], 'linux')!.NODE_OPTIONS).toBe(`--enable-source-maps ${flags}`);
    expect(memoryDefaultsEnv({ MALLOC_ARENA_MAX: '0', DUCKDB_JE_MALLOC_CONF: '', NODE_OPTIONS: '--max-old-space-size=1024 --max-semi-space-size=16' }, [], 'linux')).toBeUndefined();
    expect(memoryDefaultsEnv({ MALLOC_ARENA_MAX: '4', DUCKDB_JE_MALLOC_CONF: '' }, ['--max-old-space-size=512'], 'linux')!.NODE_OPTIONS).toBe('--max-semi-space-size=4');
    expect(memoryDefaultsEnv({ MALLOC_ARENA_MAX: '4', NODE_OPTIONS: '--max-old-space-size=256 --max-semi-space-size=8' }, [], 'linux')).toEqual({ MALLOC_ARENA_MAX: '4', DUCKDB_JE_MALLOC_CONF: 'dirty_decay_ms:0,muzzy_decay_ms:0', NODE_OPTIONS: '--max-old-space-size=256 --max-semi-space-size=8', KLIMATPULS_MEMORY_DEFAULTS: 'off' });
    expect(memoryDefaultsEnv({}, [], 'darwin')).toEqual({ NODE_OPTIONS: flags, KLIMATPULS_MEMORY_DEFAULTS: 'off' });
    expect(memoryDefaultsEnv({ KLIMATPULS_MEMORY_DEFAULTS: 'off' }, [], 'linux')).toBeUndefined();
  });

  it('a child started with them has the heap limit (V8 reports it)', () => {
    const env = memoryDefaultsEnv({ PATH: process.env.PATH }, [], 'linux')!;
    const limitMb = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit / 1048576))'], { env }).toString());
    expect(limitMb).toBeLessThan(700);
  });
});
