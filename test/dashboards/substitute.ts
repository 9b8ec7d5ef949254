/**
 * What Grafana does to a Flux query before it reaches InfluxDB: dashboard
 * variables (`${name}`, `${name:regex}`, `$name`) by the frontend, then
 * `v.timeRangeStart` / `v.timeRangeStop` (RFC 3339, UTC), `v.windowPeriod`
 * (a Go duration string), `v.defaultBucket` / `v.organization` (quoted) by the
 * InfluxDB data source (pkg/tsdb/influxdb/flux/macros.go, Grafana 11).
 */
export interface Substitution {
  vars: Record<string, string>;
  from: Date;
  to: Date;
  windowMs: number;
  bucket: string;
  org: string;
}

/** Go's time.Duration.String() for whole milliseconds: 1h0m0s, 5m0s, 10s, 500ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Grafana's `regex` format: a single value escaped, several as (a|b); the custom all value as it is. */
function regexFormat(v: string): string {
  if (v === '.*') return v;
  const parts = v.split(',').map((p) => p.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&'));
  return parts.length > 1 ? `(${parts.join('|')})` : parts[0]!;
}

export function substitute(query: string, s: Substitution): string {
  let q = query.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (all, name: string | undefined, format: string | undefined, bare: string | undefined) => {
    const key = name ?? bare!;
    if (key.startsWith('__')) return all;
    const v = s.vars[key];
    if (v === undefined) throw new Error(`query uses the variable ${all}, which the test does not set`);
    if (format === 'regex') return regexFormat(v);
    if (format) throw new Error(`format ${format} of ${all} is not emulated`);
    return v;
  });
  const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  q = q.replace(/\b([a-zA-Z]+)\.(timeRangeStart|timeRangeStop|windowPeriod|defaultBucket|organization)\b/g, (_all, _obj: string, what: string) => {
    switch (what) {
      case 'timeRangeStart': return iso(s.from);
      case 'timeRangeStop': return iso(s.to);
      case 'windowPeriod': return goDuration(s.windowMs);
      case 'defaultBucket': return JSON.stringify(s.bucket);
      default: return JSON.stringify(s.org);
    }
  });
  return q;
}
