import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * Full (mark-compact) collections of a process that keeps ~40 MB alive and churns
 * short-lived objects, after applyHeapGrowth(percent). Counted from V8's own GC trace.
 */
function fullCollections(percent: number): number {
  const script = `
    import { applyHeapGrowth } from ${JSON.stringify(`${HERE}heapGrowth.ts`)};
    applyHeapGrowth(${percent});
    const live = [];
    for (let i = 0; i < 300_000; i++) live.push({ a: 'x' + i, b: [i, i + 1] });
    let keep = [];
    for (let r = 0; r < 6_000_000; r++) {
      keep.push({ r, s: 'y' + r });
      if (keep.length > 50_000) keep = [];
    }
    if (live.length !== 300_000) throw new Error('lost');
  `;
  const out = execFileSync(process.execPath, ['--trace-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes('Mark-Compact')).length;
}

describe('HEAP_GROWING_PERCENT', () => {
  it('defaults to 100 and names the variable when out of range', () => {
    expect(loadConfig({}).HEAP_GROWING_PERCENT).toBe(100);
    expect(() => loadConfig({ HEAP_GROWING_PERCENT: '-1' })).toThrow(/HEAP_GROWING_PERCENT/);
  });

  it('makes V8 collect the old generation sooner in a running process (a smaller heap)', () => {
    // 0 leaves V8's own factor (up to 4 ×): 1–4 full collections here; 10 grows the
    // heap by 1.1 × only: about 15
    expect(fullCollections(10)).toBeGreaterThan(2 * fullCollections(0));
  }, 60_000);
});
