/**
 * Flux building blocks shared by the dashboards and the alert rules.
 *
 * Grafana fills in, before the query reaches InfluxDB: `v.timeRangeStart`,
 * `v.timeRangeStop` (RFC 3339 times), `v.windowPeriod` (a duration),
 * `v.defaultBucket` (the data source's bucket, from $INFLUX_BUCKET), and the
 * dashboard variables `${tenant}` and `${site:regex}` (alert rules have no
 * dashboard variables: they cover every tenant).
 */
export const TENANT = '${tenant}';
export const SITE = '${site:regex}';

const PACKAGES: Record<string, string> = {
  array: 'array', date: 'date', debug: 'internal/debug', dict: 'dict', join: 'join', math: 'math', regexp: 'regexp', strings: 'strings', timezone: 'timezone', schema: 'influxdata/influxdb/schema',
};

/** A complete Flux script: the imports the body uses (found by `pkg.fn(` calls), then the body. */
export function flux(body: string): string {
  const used = new Set<string>();
  for (const m of body.matchAll(/\b([a-z]+)\.[a-zA-Z]+\(/g)) if (PACKAGES[m[1]!]) used.add(PACKAGES[m[1]!]!);
  const imports = [...used].sort().map((p) => `import "${p}"`);
  return `${imports.length ? `${imports.join('\n')}\n\n` : ''}${body.trim()}\n`;
}

export const STOCKHOLM = 'timezone.location(name: "Europe/Stockholm")';

/** Readings of the selected tenant and sites in the time range (devices without a site pass "All" only). */
export function readings(filter?: string, o: { start?: string } = {}): string {
  return `from(bucket: v.defaultBucket)
  |> range(start: ${o.start ?? 'v.timeRangeStart'}, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "readings" and r.tenant == "${TENANT}")
  |> filter(fn: (r) => (if exists r.site then r.site else "") =~ /^${SITE}$/)${filter ? `\n  |> filter(fn: (r) => ${filter})` : ''}`;
}

/** Which entities of an indicator: the tenant total ('*'), sites (buildings, counting points, bin rooms), or containers (device ids, site in details). */
export type EntityScope = 'total' | 'sites' | 'sitesAndTotal' | 'containers' | 'any';

const ENTITY: Record<EntityScope, string> = {
  total: '\n  |> filter(fn: (r) => r.entity == "*")',
  sites: `\n  |> filter(fn: (r) => r.entity != "*" and r.entity =~ /^${SITE}$/)`,
  sitesAndTotal: `\n  |> filter(fn: (r) => r.entity == "*" or r.entity =~ /^${SITE}$/)`,
  containers: '\n  |> filter(fn: (r) => r.entity != "*")',
  any: '',
};

/**
 * Stored indicator values (measurement `indicators`, written by the indicator
 * scheduler) of periods that overlap the time range, one row per entity and
 * period, fields pivoted into columns: value, coverage, sufficient, unit, details.
 * A value the engine could not compute (NaN) has no `value` column.
 */
export function indicators(o: { ids: string[]; kind: string; scope: EntityScope }): string {
  const ids = o.ids.map((i) => `r.indicator == "${i}"`).join(' or ');
  const containerSite = o.scope === 'containers' ? `\n  |> filter(fn: (r) => r.details =~ /"site":"${SITE}"/ or "${SITE}" == ".*")` : '';
  return `from(bucket: v.defaultBucket)
  |> range(start: date.sub(d: 1y, from: v.timeRangeStart), stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "indicators" and r.tenant == "${TENANT}" and r.period_kind == "${o.kind}" and (${ids}))${ENTITY[o.scope]}
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")${containerSite}
  |> filter(fn: (r) => ${periodEnd('r._time', 'r.period_kind')} > v.timeRangeStart)`;
}

/** The end of a calendar period (Europe/Stockholm) that starts at `t`. */
export function periodEnd(t: string, kind: string): string {
  return `date.add(d: if ${kind} == "day" then 1d else if ${kind} == "week" then 7d else if ${kind} == "month" then 1mo else if ${kind} == "quarter" then 3mo else 1y, to: ${t}, location: ${STOCKHOLM})`;
}

/** Indicator values as time series, one per entity (x = period start). */
export const indicatorSeries = (o: { ids: string[]; kind: string; scope: EntityScope }, series = 'entity') => `${indicators(o)}
  |> filter(fn: (r) => exists r.value)
  |> keep(columns: ["_time", "value", "${series}"])
  |> group(columns: ["${series}"])
  |> sort(columns: ["_time"])`;

/** Indicator values as one table, newest period first. */
export const indicatorTable = (o: { ids: string[]; kind: string; scope: EntityScope }) => `${indicators(o)}
  |> group()
  |> keep(columns: ["_time", "period", "indicator", "entity", "value", "unit", "coverage", "sufficient"])
  |> sort(columns: ["_time", "indicator", "entity"], desc: true)`;

/**
 * The newest reading of every device of the tenant in the 30 days before the
 * end of the range, how long it has been silent (s), the silence it is allowed
 * (3 × its expected reporting interval, by kind) and whether it is silent.
 */
export function lastSeen(expectedIntervalS: Record<string, number>, o: { tenant: boolean; defaultIntervalS: number }): string {
  const dict = Object.entries(expectedIntervalS).sort(([a], [b]) => a.localeCompare(b)).map(([k, s]) => `"${k}": ${s.toFixed(1)}`).join(', ');
  const tenant = o.tenant ? ` and r.tenant == "${TENANT}"` : '';
  const site = o.tenant ? `\n  |> filter(fn: (r) => (if exists r.site then r.site else "") =~ /^${SITE}$/)` : '';
  return `from(bucket: v.defaultBucket)
  |> range(start: date.sub(d: 30d, from: v.timeRangeStop), stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "readings"${tenant})${site}
  |> last()
  |> map(fn: (r) => ({tenant: r.tenant, device: r.device, kind: r.kind, site: if exists r.site then r.site else "", _time: r._time, _value: float(v: int(v: v.timeRangeStop) - int(v: r._time)) / 1000000000.0}))
  |> group(columns: ["tenant", "device", "kind", "site"])
  |> min()
  |> map(fn: (r) => ({r with expected_interval_s: dict.get(dict: [${dict}], key: r.kind, default: ${o.defaultIntervalS.toFixed(1)})}))
  |> map(fn: (r) => ({r with silence_ratio: r._value / r.expected_interval_s}))`;
}
