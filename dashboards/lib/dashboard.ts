import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE } from './panels.js';

/**
 * Dashboard skeleton, the tenant/site variables and the serialization that
 * makes the generated JSON byte-for-byte reproducible (panel ids in layout
 * order, object keys sorted).
 */
export function newDashboard(o: { uid: string; title: string; description: string; tags: string[]; from?: string; refresh?: string }): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(o.title)
    .uid(o.uid)
    .description(o.description)
    .tags(['klimatpuls', ...o.tags])
    .editable()
    .timezone('Europe/Stockholm')
    .weekStart('monday')
    .time({ from: o.from ?? 'now-7d', to: 'now' })
    .refresh(o.refresh ?? '1m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(new dashboard.DashboardLinkBuilder('Klimatpuls').type(dashboard.DashboardLinkType.Dashboards).tags(['klimatpuls']).asDropdown(true).includeVars(true).keepTime(true));
}

/** Tenants that stored readings in the selected time range. */
export function tenantVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder('tenant')
    .label('Tenant')
    .description('The city or housing company whose devices are shown (InfluxDB tag `tenant`).')
    .datasource(DATASOURCE)
    .query(`import "influxdata/influxdb/schema"

schema.tagValues(bucket: v.defaultBucket, tag: "tenant", predicate: (r) => r._measurement == "readings", start: v.timeRangeStart, stop: v.timeRangeStop)`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(false)
    .includeAll(false);
}

/** Sites (buildings, bin rooms, counting points) of the tenant, optionally limited to devices of some kinds. */
export function siteVariable(o: { label?: string; kinds?: string[] } = {}): dashboard.QueryVariableBuilder {
  const kinds = o.kinds ? ` and (${o.kinds.map((k) => `r.kind == "${k}"`).join(' or ')})` : '';
  return new dashboard.QueryVariableBuilder('site')
    .label(o.label ?? 'Site')
    .description('Limits the panels to one site (InfluxDB tag `site`: a building, a bin room, a counting point). "All" shows every site.')
    .datasource(DATASOURCE)
    .query(`import "influxdata/influxdb/schema"

schema.tagValues(bucket: v.defaultBucket, tag: "site", predicate: (r) => r._measurement == "readings" and r.tenant == "\${tenant}"${kinds}, start: v.timeRangeStart, stop: v.timeRangeStop)`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all', selected: true });
}

/** Recursively sorts object keys (arrays keep their order) and drops undefined. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined && typeof x !== 'function') out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** The dashboard as provisioned JSON: panel ids 1..n in layout order, no instance id, sorted keys. */
export function finish(b: dashboard.DashboardBuilder): dashboard.Dashboard {
  const d = b.build();
  let id = 0;
  for (const p of d.panels ?? []) {
    p.id = ++id;
    if ('panels' in p) for (const inner of p.panels ?? []) inner.id = ++id;
  }
  d.id = null;
  return sortKeys(d) as dashboard.Dashboard;
}

export function toJson(d: unknown): string {
  return `${JSON.stringify(sortKeys(d), null, 2)}\n`;
}
