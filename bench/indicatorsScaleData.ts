/**
 * `--scale-data DIR[,DIR…]` of the indicators-scale step: data directories filled
 * and settled before (`tsx bench/indicatorsAgent.ts fill|settle`), each one
 * (store, size) of --scale-stores × --scale-sizes, measured in one run.
 *
 * A directory's store, size and days come from its DATA_FILE (scale.json, written
 * by the fill, with InfluxDB's bucket and URL). A DuckDB directory filled before
 * that file existed has none: it is taken as DuckDB, its size is the one of
 * --scale-sizes whose scaled Kalmar scenario has as many devices as its
 * registry.json, and its days are --scale-days. The directories together must
 * cover every (store, size) of --scale-stores × --scale-sizes exactly once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from './indicatorsAgent.js';
import { DATA_FILE, type FilledData } from './indicatorsScale.js';

type Store = AgentConfig['store'];

/** The agent configuration of each directory, in the order sizes (as given), then stores (as given). */
export async function resolveDataDirs(dirs: string[], o: { sizes: number[]; stores: Store[]; days: number }): Promise<AgentConfig[]> {
  const out: AgentConfig[] = [];
  let deviceCounts: Map<number, number> | undefined;
  for (const dir of dirs) {
    const file = join(dir, DATA_FILE);
    let cfg: AgentConfig;
    if (existsSync(file)) {
      const f = JSON.parse(readFileSync(file, 'utf8')) as FilledData;
      if (f.store === 'influxdb' && !f.bucket) throw new Error(`--scale-data: ${file} names no InfluxDB bucket`);
      cfg = { store: f.store, dataDir: dir, ...(f.bucket ? { bucket: f.bucket } : {}), ...(f.influxUrl ? { influxUrl: f.influxUrl } : {}), scale: f.scale, days: f.days };
    } else {
      const registry = join(dir, 'registry.json');
      if (!existsSync(join(dir, 'klimatpuls.duckdb')) || !existsSync(registry)) throw new Error(`--scale-data: ${dir} has neither ${DATA_FILE} nor a DuckDB data directory's klimatpuls.duckdb and registry.json`);
      const devices = (JSON.parse(readFileSync(registry, 'utf8')) as { devices: unknown[] }).devices.length;
      if (!deviceCounts) {
        const { scaledDevices } = await import('./indicatorsAgent.js');
        deviceCounts = new Map(o.sizes.map((s) => [s, scaledDevices(s).devices.length]));
      }
      const scale = o.sizes.find((s) => deviceCounts!.get(s) === devices);
      if (scale === undefined) throw new Error(`--scale-data: ${dir} has no ${DATA_FILE}, and its ${devices} devices match none of --scale-sizes (${[...deviceCounts].map(([s, n]) => `${s}: ${n}`).join(', ')} devices)`);
      cfg = { store: 'duckdb', dataDir: dir, scale, days: o.days };
    }
    if (!o.stores.includes(cfg.store)) throw new Error(`--scale-data: ${dir} holds ${cfg.store}, not in --scale-stores ${o.stores.join(',')}`);
    if (!o.sizes.includes(cfg.scale)) throw new Error(`--scale-data: ${dir} holds scale ${cfg.scale}, not in --scale-sizes ${o.sizes.join(',')}`);
    const twin = out.find((c) => c.store === cfg.store && c.scale === cfg.scale);
    if (twin) throw new Error(`--scale-data: ${twin.dataDir} and ${dir} both hold ${cfg.store} at scale ${cfg.scale}`);
    out.push(cfg);
  }
  const missing = o.sizes.flatMap((s) => o.stores.filter((st) => !out.some((c) => c.store === st && c.scale === s)).map((st) => `${st} ×${s}`));
  if (missing.length) throw new Error(`--scale-data: no directory for ${missing.join(', ')} (one directory per store in --scale-stores and size in --scale-sizes)`);
  return out.sort((a, b) => o.sizes.indexOf(a.scale) - o.sizes.indexOf(b.scale) || o.stores.indexOf(a.store) - o.stores.indexOf(b.store));
}
