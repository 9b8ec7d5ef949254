import { IndicatorEngine } from '../../services/indicators/engine.js';
import { indicators } from '../../services/indicators/index.js';
import type { Period } from '../../services/indicators/periods.js';
import type { IndicatorSettings, IndicatorValue, ReadingSource } from '../../services/indicators/types.js';
import type { Device } from '../../services/registry/deviceRegistry.js';
import { rawIndicators } from '../reference/indicators/index.js';

/**
 * The rollup engine against the raw-sample engine (test/reference) on the same
 * stored data: every indicator, every period given. Returns the differences
 * (empty: equal). Numbers are equal within 1e-9, relative (absolute near 0).
 */
export async function compareEngines(o: {
  rollupSource: ReadingSource;
  rawSource: ReadingSource;
  devices: Device[];
  tenant: string;
  periods: Period[];
  settings?: Partial<IndicatorSettings>;
  ids?: string[];
}): Promise<{ compared: number; differences: string[] }> {
  if (!o.rollupSource.rollups) throw new Error('compareEngines: the rollup source keeps no rollups');
  const raw = { ...o.rawSource };
  delete raw.rollups;
  const fresh = new IndicatorEngine({ source: o.rollupSource, devices: o.devices, indicators, settings: o.settings });
  const old = new IndicatorEngine({ source: raw, devices: o.devices, indicators: rawIndicators, settings: o.settings });
  const differences: string[] = [];
  let compared = 0;
  for (const id of o.ids ?? fresh.ids()) {
    for (const p of o.periods) {
      const a = await fresh.compute(id, o.tenant, p);
      const b = await old.compute(id, o.tenant, p);
      compared += b.length;
      differences.push(...diff(a, b).map((d) => `${id} ${p.label}: ${d}`));
    }
  }
  return { compared, differences };
}

const close = (x: number, y: number) => (Number.isNaN(x) && Number.isNaN(y)) || x === y || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));

function diff(fresh: IndicatorValue[], old: IndicatorValue[]): string[] {
  const out: string[] = [];
  const byEntity = new Map(old.map((v) => [v.entity, v]));
  if (fresh.length !== old.length) out.push(`${fresh.length} values, raw engine ${old.length}`);
  for (const v of fresh) {
    const w = byEntity.get(v.entity);
    if (!w) {
      out.push(`entity ${v.entity} not in the raw engine's values`);
      continue;
    }
    if (!close(v.value, w.value)) out.push(`${v.entity} value ${v.value} vs ${w.value}`);
    if (!close(v.coverage, w.coverage)) out.push(`${v.entity} coverage ${v.coverage} vs ${w.coverage}`);
    if (v.sufficient !== w.sufficient) out.push(`${v.entity} sufficient ${v.sufficient} vs ${w.sufficient}`);
    const keys = new Set([...Object.keys(v.details ?? {}), ...Object.keys(w.details ?? {})]);
    for (const k of keys) {
      const a = v.details?.[k];
      const b = w.details?.[k];
      if (typeof a === 'number' && typeof b === 'number' ? !close(a, b) : a !== b) out.push(`${v.entity} details.${k} ${String(a)} vs ${String(b)}`);
    }
  }
  return out;
}
