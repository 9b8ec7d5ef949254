/**
 * Dead letters per second into the embedded store (DuckDB), with the embedded burst's
 * mix (1 in 7 a 32 kB binary payload, 1 in 7 2 kB of text, the rest small JSON), and how
 * long a readings write waits meanwhile. Prints numbers.
 *   npx tsx bench/duckdbDeadLetters.ts [deadLetters] [perBatch]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDeadLetter } from '../services/core/deadLetter.js';
import { DuckDbStore } from '../services/sinks/duckdb/duckdbStore.js';
import type { StoredDeadLetter } from '../services/core/storePorts.js';

const N = Number(process.argv[2] ?? 14_000);
const PER_BATCH = Number(process.argv[3] ?? 5_000);
const dir = mkdtempSync(join(tmpdir(), 'bench-dl-'));
const store = new DuckDbStore(join(dir, 'k.duckdb'));
await store.init();
const items: StoredDeadLetter[] = [];
for (let i = 0; i < N; i++) {
  const k = i % 7;
  const payload = k === 6 ? Buffer.concat([Buffer.from(`${i} `), Buffer.alloc(32 * 1024, 0xff)]) : k === 0 ? Buffer.from(`not json ${i} ${'x'.repeat(2000)}`) : Buffer.from(JSON.stringify({ _n: i, readings: [{ metric: 'power', value: 'abc' }] }));
  const d = makeDeadLetter({ rejected: [{ reason: k === 6 || k === 0 ? 'not_json' : 'schema', field: '(payload)', message: 'bad' }], stage: 'gateway', topic: `klimatpuls/t/dev-${i % 20}/up`, payload, decoder: null, receivedAt: new Date() });
  items.push({ id: d.id!, deadLetter: d });
}
const reading = (n: number) => ({ id: `r${n}`, tenant: 't', deviceId: 'd', kind: 'electricity_meter', metric: 'energy_total', value: n, unit: 'kWh', observedAt: new Date(Date.parse('2025-01-01T00:00:00Z') + n * 60_000).toISOString(), receivedAt: new Date().toISOString(), source: { format: 'native', decoderVersion: '1', topic: 't' } });
let waits: number[] = [];
let writing = true;
const probe = (async () => {
  for (let n = 0; writing; n++) {
    const t0 = performance.now();
    await store.writeReadings([reading(n) as never]);
    waits.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
})();
const t0 = performance.now();
for (let i = 0; i < items.length; i += PER_BATCH) await store.writeDeadLetters(items.slice(i, i + PER_BATCH));
const s = (performance.now() - t0) / 1000;
writing = false;
await probe;
waits.sort((a, b) => a - b);
console.log(`${N} dead letters in ${s.toFixed(1)} s: ${Math.round(N / s)}/s; a readings write meanwhile: median ${waits[waits.length >> 1]!.toFixed(0)} ms, max ${waits[waits.length - 1]!.toFixed(0)} ms (${waits.length} writes)`);
const t1 = performance.now();
const latest = await store.latest({ limit: 5, tenant: 't' });
console.log(`latest after: ${(performance.now() - t1).toFixed(0)} ms (${latest.length} rows)`);
await store.close();
rmSync(dir, { recursive: true, force: true });
