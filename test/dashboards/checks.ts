import { expect } from 'vitest';
import type { IndicatorEngine } from '../../services/indicators/engine.js';
import { getIndicator } from '../../services/indicators/index.js';
import { indicatorsRoute } from '../../services/indicators/indicatorsApi.js';
import type { IndicatorStore } from '../../services/core/storePorts.js';
import { parsePeriod } from '../../services/indicators/periods.js';
import { statusOf, trajectoryAt, type CityTargets, type Target } from '../../services/indicators/targets/targets.js';
import type { Row } from './panelQueries.js';

/** An indicator value as GET /api/indicators serves it (NaN as null). */
export interface ApiValue {
  indicator: string;
  entity: string;
  period: string;
  periodKind: string;
  value: number | null;
  coverage: number;
  sufficient: boolean;
}

/** Every stored value of a tenant, from the indicator HTTP API, by indicator|entity|kind|period start. */
export async function apiValues(store: IndicatorStore, engine: IndicatorEngine, tenant: string): Promise<Map<string, ApiValue>> {
  const res = await indicatorsRoute({ store, engine: () => engine })(new URL(`http://test/api/indicators?tenant=${tenant}`));
  expect(res.status).toBe(200);
  const values = (res.body as { values: ApiValue[] }).values;
  expect(values.length).toBeGreaterThan(0);
  return new Map(values.map((v) => [key(v.indicator, v.entity, v.periodKind, parsePeriod(v.period).start), v]));
}

export const key = (indicator: string, entity: string, kind: string, start: number) => `${indicator}|${entity}|${kind}|${start}`;

const close = (a: unknown, b: number | null | undefined, what: string) => {
  if (b === null || b === undefined) return expect(a ?? null, what).toBeNull();
  expect(typeof a, what).toBe('number');
  expect(Math.abs((a as number) - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
};

/**
 * Rows of an indicator panel against the API: each row names its indicator,
 * entity and period (columns, or the query's only indicator / period kind, the
 * tenant total, the period start in _time), and its value, coverage and
 * sufficiency must be the API's for that period. Returns the rows checked.
 */
export function checkIndicatorRows(query: string, rows: Row[], api: Map<string, ApiValue>, what: string): number {
  const ids = [...new Set([...query.matchAll(/r\.indicator == "([a-z_]+)"/g)].map((m) => m[1]!))];
  // the period kind the query filters on (not the ones periodEnd() distinguishes)
  const kinds = [...new Set([...query.matchAll(/r\._measurement == "indicators"[^\n]* r\.period_kind == "([a-z]+)"/g)].map((m) => m[1]!))];
  let checked = 0;
  for (const r of rows) {
    const indicator = (r.indicator as string | undefined) ?? (ids.length === 1 ? ids[0]! : undefined);
    const p = r.period ? parsePeriod(r.period as string) : undefined;
    const kind = p?.kind ?? (kinds.length === 1 ? kinds[0] : undefined);
    expect(indicator && kind, `${what}: a row must say its indicator and period kind`).toBeTruthy();
    const start = p?.start ?? Date.parse(r._time as string);
    const v = api.get(key(indicator!, (r.entity as string | undefined) ?? '*', kind!, start));
    expect(v, `${what}: ${indicator} ${r.entity ?? '*'} ${kind} ${r._time} is not served by the API`).toBeDefined();
    close(r.value, v!.value, `${what}: ${indicator} ${r.entity ?? '*'} ${v!.period} value`);
    if ('coverage' in r) close(r.coverage, v!.coverage, `${what}: coverage`);
    if ('sufficient' in r) expect(r.sufficient, `${what}: sufficient`).toBe(v!.sufficient);
    checked++;
  }
  return checked;
}

/** What the report's rules (targets.ts) say for a target and period, from the API's values. */
export function expectedPoint(t: Target, periodLabel: string, api: Map<string, ApiValue>) {
  const p = parsePeriod(periodLabel);
  const v = api.get(key(t.indicator, t.entity, t.periodKind, p.start));
  let baseline = t.baselineValue;
  if (baseline === undefined) {
    const b = api.get(key(t.indicator, t.entity, t.periodKind, parsePeriod(`${t.baselineYear}${periodLabel.slice(4)}`).start));
    if (b?.sufficient && b.value !== null) baseline = b.value;
  }
  const trajectory = baseline === undefined ? undefined : trajectoryAt(t, p, baseline);
  const sufficient = Boolean(v?.sufficient && v.value !== null);
  const status = statusOf({ actual: v?.value ?? undefined, sufficient, trajectory, baseline, tolerance: t.tolerance, better: getIndicator(t.indicator)!.better });
  return { value: v?.value ?? null, baseline: baseline ?? null, trajectory: trajectory ?? null, status };
}

/** Rows of the contract tables (target, period, value, baseline, trajectory, status) against the report's rules. */
export function checkTargetRows(cities: CityTargets[], rows: Row[], api: Map<string, ApiValue>, what: string): void {
  const targets = new Map(cities.flatMap((c) => c.targets.map((t) => [t.id, t] as const)));
  for (const r of rows) {
    const t = targets.get(r.target as string);
    expect(t, `${what}: unknown target ${r.target}`).toBeDefined();
    const e = expectedPoint(t!, r.period as string, api);
    const at = `${what}: ${r.target} ${r.period}`;
    close(r.value, e.value, `${at} value`);
    close(r.baseline, e.baseline, `${at} baseline`);
    close(r.trajectory, e.trajectory, `${at} trajectory`);
    expect(r.status, `${at} status`).toBe(e.status);
  }
}

/** The long-format rows of a per-target panel (series measured / trajectory) against the same rules. */
export function checkTargetSeries(t: Target, rows: Row[], api: Map<string, ApiValue>, labelOf: (start: number) => string, what: string): void {
  for (const r of rows) {
    const e = expectedPoint(t, labelOf(Date.parse(r._time as string)), api);
    close(r._value, r.series === 'measured' ? e.value : e.trajectory, `${what}: ${r.series} ${r._time}`);
  }
}
