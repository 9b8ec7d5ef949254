import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection kept:
 * `HEAP_GROWING_PERCENT` (default 50, so 1.5 ×; 0 leaves V8's own choice).
 *
 * Why: under a steady stream the services keep 35–55 MB alive, but V8's own growing
 * factor (up to 4 × when the program allocates fast and collection is quick) let the
 * heap reach 160 MB of mostly garbage before a full collection: 258 MB RSS for the
 * gateway and 225 MB for the writer at the end-to-end rate. At 1.5 × they stay at
 * 170 and 148 MB with the same throughput (`npm run bench -- --only e2e`). A cap
 * (`--max-old-space-size`) met the memory floor too, but made V8 collect near the cap
 * and cost a quarter of the throughput; a growing factor costs only a few more full
 * collections, which are mostly concurrent.
 *
 * Set at start, before the heap grows; V8 reads this flag each time it sets the next
 * collection's limit (heapGrowth.test.ts checks it takes effect in a running process).
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.floor(percent)}`);
}
