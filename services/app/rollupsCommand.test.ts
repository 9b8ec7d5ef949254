import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { device, H, local, TENANT } from '../indicators/energy/testSupport.js';
import { parsePeriod } from '../indicators/periods.js';
import { reading } from '../indicators/testing.js';
import { IndicatorEngine } from '../indicators/engine.js';
import { indicators } from '../indicators/index.js';
import { buildSink } from '../sinks/index.js';
import { rollupsCommand } from './rollupsCommand.js';

/** `klimatpuls rollups rebuild` after readings were written past the pipeline (no marks): the indicators then see them. */
describe('klimatpuls rollups', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-rollups-'));
  const env = { DATA_DIR: dir, LOG_LEVEL: 'silent' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const meter = device('el-1', 'electricity_meter', 'hus-a');
  const from = local('2025-03-01T00:00');
  const readings = Array.from({ length: 31 * 24 + 1 }, (_, i) => reading(meter, 'energy_total', from + i * H, 2 * i));

  const energy = async () => {
    const sink = await buildSink(loadConfig(env));
    await sink.store.init();
    try {
      const engine = new IndicatorEngine({ source: sink.source([meter]), devices: [meter], indicators });
      return (await engine.compute('energy_use', TENANT, parsePeriod('2025-03'))).find((v) => v.entity === '*')!.value;
    } finally {
      await sink.store.close();
    }
  };

  it('rebuilds the days of a window, so readings written without marks count', async () => {
    expect(await energy()).toBe(0); // nothing stored yet; the rollup tables are made
    const sink = await buildSink(loadConfig(env));
    await sink.store.init();
    await sink.store.writeReadings(readings); // a bulk write: no marks
    await sink.store.close();
    expect(await energy()).toBe(0); // the rollups do not know them yet
    await rollupsCommand(['rebuild', '--tenant', TENANT, '--from', '2025-02-28', '--to', '2025-04'], env);
    expect(await energy()).toBeCloseTo(2 * (31 * 24 - 1), 9); // March 2025 has 743 hours
    await rollupsCommand(['settle'], env); // nothing left marked
  });

  it('marks every day of a data directory from before rollups, so its first read rebuilds them', async () => {
    const old = mkdtempSync(join(tmpdir(), 'klimatpuls-rollups-old-'));
    const oldEnv = { DATA_DIR: old, LOG_LEVEL: 'silent' };
    try {
      const sink = await buildSink(loadConfig(oldEnv));
      await sink.store.init();
      await sink.store.writeReadings(readings); // no rollup tables yet
      await sink.store.close();
      const again = await buildSink(loadConfig(oldEnv));
      await again.store.init();
      const engine = new IndicatorEngine({ source: again.source([meter]), devices: [meter], indicators });
      expect((await engine.compute('energy_use', TENANT, parsePeriod('2025-03'))).find((v) => v.entity === '*')!.value).toBeCloseTo(2 * (31 * 24 - 1), 9);
      await again.store.close();
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });

  it('names the bad option', async () => {
    await expect(rollupsCommand(['rebuild', '--tenant', TENANT, '--from', 'soon', '--to', '2025-04'], env)).rejects.toThrow(/--from/);
    await expect(rollupsCommand(['compact'], env)).rejects.toThrow(/settle or rebuild/);
  });
});
