import { getIndicator } from '../../services/indicators/index.js';
import type { CityTargets, Target } from '../../services/indicators/targets/targets.js';
import { periodEnd } from './flux.js';

/**
 * Contract follow-up in Flux: each target's indicator against its trajectory,
 * with the same rules as services/indicators/targets/targets.ts (and so the
 * quarterly report):
 *
 * - the targets (services/indicators/targets/*.json) are embedded in the query
 *   at generation time (one filtered stream per target, its figures as
 *   constants), so a changed target needs `npm run dashboards` — the drift test
 *   fails until it is run;
 * - actual values are the stored indicator values (measurement `indicators`) of
 *   the target's entity and period kind;
 * - the baseline is the target's `baselineValue`, else the stored value of the
 *   same period in the baseline year (2025Q3 → 2018Q3), when it is sufficient;
 * - trajectory = baseline + (goal − baseline) × f, f = progress at the middle of
 *   the period (UTC year fraction) from the middle of the baseline year to the
 *   target year, clamped to [0, 1]; goal = targetValue, or baseline × (1 + change);
 * - status: not_enough_data (no sufficient value or no baseline), on_track (at or
 *   better than the trajectory), behind (worse by at most tolerance × |baseline|),
 *   off_track.
 */
const num = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));
const str = JSON.stringify;

/** One stream per target: the target's stored values, with the target's figures as columns (no join: targets are constants). */
function targetStream(tenant: string, t: Target): string {
  const ind = getIndicator(t.indicator);
  if (!ind) throw new Error(`target ${t.id}: unknown indicator ${t.indicator}`);
  return `current
  |> filter(fn: (r) => r.tenant == ${str(tenant)} and r.indicator == ${str(t.indicator)} and r.entity == ${str(t.entity)} and r.period_kind == ${str(t.periodKind)})
  |> map(fn: (r) => ({r with target: ${str(t.id)}, name: ${str(t.name.en)}, baseline_year: ${t.baselineYear}, target_year: ${t.targetYear}, has_change: ${t.change !== undefined}, change: ${num(t.change ?? 0)}, target_value: ${num(t.targetValue ?? 0)}, has_baseline_value: ${t.baselineValue !== undefined}, baseline_value: ${num(t.baselineValue ?? 0)}, tolerance: ${num(t.tolerance)}, better: ${str(ind.better)}}))`;
}

/**
 * Rows (one per target and period overlapping the time range): target, name,
 * indicator, entity, period, _time (period start), value, unit, coverage,
 * sufficient, baseline, trajectory (null without a baseline), status. `tenant`
 * selects the stored values (a literal or "${tenant}"); only targets of that
 * tenant can match. With `as`, the rows are assigned to that name instead of
 * being the script's result.
 */
export function targetPoints(cities: CityTargets[], o: { tenant: string; as?: string }): string {
  const targets = cities.flatMap((c) => c.targets.map((t) => ({ tenant: c.tenant, t })));
  if (targets.length === 0) throw new Error('no targets');
  const indicators = [...new Set(targets.map(({ t }) => t.indicator))].sort().map((i) => `r.indicator == ${str(i)}`).join(' or ');
  const kinds = [...new Set(targets.map(({ t }) => t.periodKind))].sort().map((k) => `r.period_kind == ${str(k)}`).join(' or ');
  const streams = targets.map(({ tenant, t }) => targetStream(tenant, t).replace(/\n/g, '\n  '));
  const all = streams.length === 1 ? streams[0] : `union(tables: [\n  ${streams.join(',\n  ')},\n])`;
  return `values = from(bucket: v.defaultBucket)
  |> range(start: 0, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "indicators" and r.tenant == ${str(o.tenant)} and (${indicators}) and (${kinds}))
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> keep(columns: ["_time", "tenant", "indicator", "entity", "period", "period_kind", "value", "unit", "coverage", "sufficient"])
// sufficient values by "indicator|entity|period", the candidates for a baseline (a tab-separated string per value: Flux has no stream-to-dictionary)
baselines = dict.fromList(pairs: values
  |> filter(fn: (r) => r.sufficient == true and exists r.value)
  |> map(fn: (r) => ({_value: r.indicator + "|" + r.entity + "|" + r.period + "\\t" + string(v: r.value)}))
  |> findColumn(fn: (key) => true, column: "_value")
  |> array.concat(v: ["-\\t0"])
  |> array.map(fn: (x) => ({key: strings.split(v: x, t: "\\t")[0], value: float(v: strings.split(v: x, t: "\\t")[1])})))
current = values |> filter(fn: (r) => ${periodEnd('r._time', 'r.period_kind')} > v.timeRangeStart)
${o.as ? `${o.as} = ` : ''}${all}
  |> map(fn: (r) => ({r with baseline: if r.has_baseline_value then r.baseline_value
    else dict.get(dict: baselines, key: r.indicator + "|" + r.entity + "|" + string(v: r.baseline_year) + strings.substring(v: r.period, start: 4, end: strings.strlen(v: r.period)), default: debug.null(type: "float"))}))
  |> map(fn: (r) => {
    mid = (int(v: r._time) + int(v: ${periodEnd('r._time', 'r.period_kind')})) / 2
    year = float(v: date.year(t: time(v: mid))) + float(v: mid - int(v: date.truncate(t: time(v: mid), unit: 1y))) / 31557600000000000.0
    f = math.mMin(x: 1.0, y: math.mMax(x: 0.0, y: (year - (float(v: r.baseline_year) + 0.5)) / float(v: r.target_year - r.baseline_year)))
    goal = if r.has_change then r.baseline * (1.0 + r.change) else r.target_value
    return {r with trajectory: if exists r.baseline then r.baseline + (goal - r.baseline) * f else debug.null(type: "float")}
  })
  |> map(fn: (r) => {
    worse = if r.better == "lower" then r.value - r.trajectory else r.trajectory - r.value
    return {r with status: if not (exists r.value) or r.sufficient != true or not (exists r.trajectory) then "not_enough_data"
      else if worse <= 0.000000001 then "on_track" else if worse <= r.tolerance * math.abs(x: r.baseline) then "behind" else "off_track"}
  })
  |> keep(columns: ["_time", "target", "name", "indicator", "entity", "period", "value", "unit", "coverage", "sufficient", "baseline", "trajectory", "status"])`;
}
