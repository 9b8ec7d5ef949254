import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection kept:
 * `HEAP_GROWING_PERCENT` (default 100, so 2 ×; 0 leaves V8's own choice).
 *
 * Why: under a steady stream the services keep 25–65 MB alive, but V8's own growing
 * factor (up to 4 × when the program allocates fast and collection is quick) let the
 * heap fill with garbage before a full collection: 258 MB RSS for the gateway and
 * 225 MB for the writer at the end-to-end rate. At 2 × they stay under 200 MB
 * (186 and 165 MB) at the same or better throughput; at 1.5 × they used less (170 and
 * 148 MB) but the extra full collections cost 13–19 % where the machine was saturated
 * (`npm run bench -- --only e2e,e2e-4,gateway`, README, Faults and benchmarks). A cap
 * (`--max-old-space-size`) met the memory floor too, but made V8 collect near the cap
 * and cost a quarter of the throughput.
 *
 * Set at start, before the heap grows; V8 reads this flag each time it sets the next
 * collection's limit (heapGrowth.test.ts checks it takes effect in a running process).
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.floor(percent)}`);
}
