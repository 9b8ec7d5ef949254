import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { memoryDefaultsEnv } from './memoryDefaults.js';

describe('memory defaults of the indicator processes', () => {
  it('adds MALLOC_ARENA_MAX=2 and a 512 MB old space when neither is set, and keeps what the operator set', () => {
    expect(memoryDefaultsEnv({ PATH: '/bin' }, [], 'linux')).toEqual({ PATH: '/bin', MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '--max-old-space-size=512', KLIMATPULS_MEMORY_DEFAULTS: 'off' });
    expect(memoryDefaultsEnv({ NODE_OPTIONS: '--enable-source-maps' }, [], 'linux')!.NODE_OPTIONS).toBe('--enable-source-maps --max-old-space-size=512');
    expect(memoryDefaultsEnv({ MALLOC_ARENA_MAX: '0', NODE_OPTIONS: '--max-old-space-size=1024' }, [], 'linux')).toBeUndefined();
    expect(memoryDefaultsEnv({ MALLOC_ARENA_MAX: '4' }, ['--max-old-space-size=512'], 'linux')).toBeUndefined();
    expect(memoryDefaultsEnv({}, [], 'darwin')).toEqual({ NODE_OPTIONS: '--max-old-space-size=512', KLIMATPULS_MEMORY_DEFAULTS: 'off' });
    expect(memoryDefaultsEnv({ KLIMATPULS_MEMORY_DEFAULTS: 'off' }, [], 'linux')).toBeUndefined();
  });

  it('a child started with them has the heap limit (V8 reports it)', () => {
    const env = memoryDefaultsEnv({ PATH: process.env.PATH }, [], 'linux')!;
    const limitMb = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit / 1048576))'], { env }).toString());
    expect(limitMb).toBeLessThan(700);
  });
});
