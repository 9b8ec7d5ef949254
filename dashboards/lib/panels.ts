import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { getIndicator } from '../../services/indicators/index.js';

/**
 * The pieces every Klimatpuls dashboard is made of: the InfluxDB data source
 * (uid fixed in deploy/grafana/provisioning/datasources/influxdb.yaml), a Flux
 * query type for the SDK (it ships none for InfluxDB), and `panel()`, which
 * gives every panel its title, description, unit, data source and query, so
 * none can be built without them.
 */
export const DATASOURCE_UID = 'klimatpuls-influxdb';
export const DATASOURCE: dashboard.DataSourceRef = { type: 'influxdb', uid: DATASOURCE_UID };

/** A query of Grafana's InfluxDB data source in Flux mode. */
export interface FluxQuery extends cog.Dataquery {
  refId: string;
  datasource: dashboard.DataSourceRef;
  query: string;
}

export class FluxQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(private readonly flux: string, private readonly refId = 'A') {}

  build(): FluxQuery {
    return { refId: this.refId, datasource: DATASOURCE, query: this.flux, _implementsDataqueryVariant() {} };
  }
}

/** What the SDK's panel builders (timeseries, stat, table, bargauge, gauge) have in common. */
export interface PanelBuilderLike<T> extends cog.Builder<dashboard.Panel> {
  title(title: string): T;
  description(description: string): T;
  unit(unit: string): T;
  datasource(datasource: dashboard.DataSourceRef): T;
  withTarget(target: cog.Builder<cog.Dataquery>): T;
  span(w: number): T;
  height(h: number): T;
  decimals(decimals: number): T;
  min(min: number): T;
  max(max: number): T;
  thresholds(thresholds: cog.Builder<dashboard.ThresholdsConfig>): T;
}

export interface PanelSpec {
  title: string;
  /** For operations staff: what the panel shows, where it comes from, and what to do about it. */
  description: string;
  /** A Grafana unit id ('kwatt', 'percent', 's') or a custom 'suffix: …'. */
  unit: string;
  query: string;
  /** Columns every row of the query's result has (checked against the real InfluxDB by test/dashboards). */
  fields: string[];
  w?: number;
  h?: number;
  decimals?: number;
  min?: number;
  max?: number;
  /** Threshold steps: [color, from] — the first step's `from` is ignored (base). */
  thresholds?: Array<[string, number | null]>;
}

/** Expected result columns per panel title (titles are unique across the dashboards). */
export const PANEL_FIELDS = new Map<string, string[]>();

export function panel<T extends PanelBuilderLike<T>>(b: T, s: PanelSpec): T {
  PANEL_FIELDS.set(s.title, s.fields);
  let p = b.title(s.title).description(s.description).unit(s.unit).datasource(DATASOURCE).withTarget(new FluxQueryBuilder(s.query)).span(s.w ?? 12).height(s.h ?? 8);
  if (s.decimals !== undefined) p = p.decimals(s.decimals);
  if (s.min !== undefined) p = p.min(s.min);
  if (s.max !== undefined) p = p.max(s.max);
  if (s.thresholds) p = p.thresholds(thresholds(s.thresholds));
  return p;
}

export function thresholds(steps: Array<[string, number | null]>): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps.map(([color, value], i) => ({ color, value: i === 0 ? null : value })));
}

/** Renames a series to one of its labels (Flux group-key columns become labels). */
export const byLabel = (label: string): dashboard.DynamicConfigValue => ({ id: 'displayName', value: `\${__field.labels.${label}}` });

/** A panel that is not a query: Grafana's alert list (firing Klimatpuls rules). */
export class AlertListPanelBuilder implements cog.Builder<dashboard.Panel> {
  constructor(private readonly s: { title: string; description: string; w?: number; h?: number }) {}

  build(): dashboard.Panel {
    return {
      type: 'alertlist',
      title: this.s.title,
      description: this.s.description,
      transparent: false,
      gridPos: { x: 0, y: 0, w: this.s.w ?? 12, h: this.s.h ?? 8 },
      fieldConfig: { defaults: { unit: 'none' }, overrides: [] },
      options: {
        viewMode: 'list',
        groupMode: 'default',
        groupBy: [],
        maxItems: 50,
        sortOrder: 1,
        dashboardAlerts: false,
        alertName: '',
        alertInstanceLabelFilter: '{system="klimatpuls"}',
        stateFilter: { firing: true, pending: true, noData: true, normal: false, error: true },
        showInstances: true,
      },
    };
  }
}

/** An indicator's own name and description (services/indicators), for the panels that show it. */
export function about(id: string, extra = ''): string {
  const i = getIndicator(id);
  if (!i) throw new Error(`unknown indicator ${id}`);
  return `${i.name.en} (indicator ${id}, ${i.unit}): ${i.description.en}${extra ? ` ${extra}` : ''}`;
}

/** Grafana's unit id for an indicator's unit (kWh → kwatth …), a custom suffix otherwise. */
export function grafanaUnit(unit: string): string {
  const known: Record<string, string> = { kWh: 'kwatth', kW: 'kwatt', '%': 'percent', h: 'h', count: 'none', index: 'none' };
  return known[unit] ?? `suffix: ${unit}`;
}

/** How a follow-up status reads and is coloured (green / yellow / red / grey). */
export const STATUS_MAPPINGS: dashboard.ValueMapping[] = [{
  type: dashboard.MappingType.ValueToText,
  options: {
    on_track: { text: 'on track', color: 'green', index: 0 },
    behind: { text: 'behind', color: 'yellow', index: 1 },
    off_track: { text: 'off track', color: 'red', index: 2 },
    not_enough_data: { text: 'not enough data', color: 'gray', index: 3 },
  },
}];

/** Stat, gauge and bar gauge panels show each series' newest value. */
export const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
