import { readFileSync } from 'node:fs';
import { loadConfig } from './services/core/config.ts';
import { IndicatorEngine } from './services/indicators/engine.ts';
import { indicators } from './services/indicators/index.ts';
import { parsePeriod } from './services/indicators/periods.ts';
import { buildSink } from './services/sinks/index.ts';
const devices = JSON.parse(readFileSync('/tmp/b05/devices.json', 'utf8'));
const sink = await buildSink(loadConfig({ DATA_DIR: '/tmp/b05', LOG_LEVEL: 'warn' }));
await sink.store.init();
const engine = new IndicatorEngine({ source: sink.source(devices), devices, indicators });
for (const id of (process.argv[3] ? process.argv[3].split(',') : engine.ids())) {
  const t0 = Date.now();
  const v = await engine.compute(id, 'kalmar', parsePeriod(process.argv[2] ?? '2025-01'));
  console.log(id.padEnd(28), String(Date.now() - t0).padStart(6), 'ms', v.length, 'values', Math.round(process.memoryUsage().rss / 2 ** 20), 'MB');
}
await sink.store.close();
