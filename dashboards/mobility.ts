import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { DashboardConfig } from './config.js';
import { finish, newDashboard, siteVariable, tenantVariable } from './lib/dashboard.js';
import { flux, indicators, indicatorSeries, indicatorTable, readings } from './lib/flux.js';
import { about, byLabel, lastValue, panel } from './lib/panels.js';

const COUNTERS = ['bike_counter', 'pedestrian_counter', 'vehicle_counter'];
const STORED = 'Stored per period by the indicator service (measurement `indicators`).';
/** The contract's mode-split milestones: 45 % sustainable trips in 2025, 60 % in 2035 (Kalmar). */
const SHARE_STEPS: Array<[string, number | null]> = [['red', null], ['yellow', 45], ['green', 60]];

/** Mobility: flows per counting point, cycling index, bicycle share against 45 % / 60 %. */
export function mobilityDashboard(_c: DashboardConfig): dashboard.Dashboard {
  const d = newDashboard({
    uid: 'klimatpuls-mobility',
    title: 'Klimatpuls · Mobility',
    description: 'Bicycle, pedestrian and motor-vehicle flows per counting point, the cycling index against the year before, and the bicycle share against the contract\'s 45 % (2025) and 60 % (2035).',
    tags: ['mobility'],
    from: 'now-30d',
  })
    .withVariable(tenantVariable())
    .withVariable(siteVariable({ label: 'Counting point', kinds: COUNTERS }))
    .withRow(new dashboard.RowBuilder('Flows'))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Passages per hour, per counting point and mode',
      description: 'Bicycles, pedestrians and motor vehicles counted per hour at each counting point (site), both directions added, by observed time. A line that drops to zero while the others go on is a counter that stopped reporting, not an empty street.',
      unit: 'suffix: passages/h',
      query: flux(`${readings(`(${COUNTERS.map((k) => `r.kind == "${k}"`).join(' or ')}) and r._field == "count"`)}
  |> aggregateWindow(every: 1h, fn: sum, createEmpty: false)
  |> group(columns: ["site", "kind"])
  |> aggregateWindow(every: 1h, fn: sum, createEmpty: false)`),
      fields: ['_time', '_value', 'site', 'kind'],
      w: 24,
    }).overrideByRegexp('.*', [{ id: 'displayName', value: '${__field.labels.site} ${__field.labels.kind}' }]))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Cycle flow per counting point and week',
      description: about('cycle_flow', STORED),
      unit: 'suffix: bikes',
      query: flux(indicatorSeries({ ids: ['cycle_flow'], kind: 'week', scope: 'sites' })),
      fields: ['_time', 'value', 'entity'],
    }).overrideByRegexp('.*', [byLabel('entity')]).drawStyle(common.GraphDrawStyle.Bars).fillOpacity(60))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'Bicycle and pedestrian flows per counting point and month',
      description: `${about('cycle_flow')} ${about('pedestrian_flow')} Sufficient = at least 80 % of the month's hours were reported. ${STORED}`,
      unit: 'none',
      query: flux(indicatorTable({ ids: ['cycle_flow', 'pedestrian_flow'], kind: 'month', scope: 'sites' })),
      fields: ['_time', 'period', 'indicator', 'entity', 'value', 'unit', 'coverage', 'sufficient'],
    }).overrideByName('coverage', [{ id: 'unit', value: 'percentunit' }]))
    .withRow(new dashboard.RowBuilder('Bicycle share and cycling index'))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Bicycle share against 45 % and 60 %',
      description: `${about('bicycle_share', STORED)} The threshold lines are the contract's milestones: 45 % sustainable trips in 2025, 60 % in 2035 (Kalmar's mode split from 60/40 car/sustainable to 40/60).`,
      unit: 'percent',
      query: flux(indicatorSeries({ ids: ['bicycle_share'], kind: 'week', scope: 'total' })),
      fields: ['_time', 'value', 'entity'],
      thresholds: SHARE_STEPS, min: 0, max: 100,
      w: 16,
    }).overrideByRegexp('.*', [{ id: 'displayName', value: 'bicycle share (week)' }])
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.DashedAndArea)))
    .withPanel(panel(new gauge.PanelBuilder(), {
      title: 'Bicycle share, latest month',
      description: `${about('bicycle_share')} Latest month in the time range, whole tenant: red below 45 %, yellow up to 60 %, green from 60 % (the contract's 2025 and 2035 milestones).`,
      unit: 'percent',
      query: flux(`${indicators({ ids: ['bicycle_share'], kind: 'month', scope: 'total' })}
  |> filter(fn: (r) => exists r.value)
  |> group()
  |> sort(columns: ["_time"])
  |> last(column: "value")
  |> keep(columns: ["_time", "value"])`),
      fields: ['_time', 'value'],
      thresholds: SHARE_STEPS, min: 0, max: 100, decimals: 1,
      w: 8,
    }).reduceOptions(lastValue()))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'Cycling index per counting point and month',
      description: `${about('cycling_index', STORED)} No value means there is no comparable data for the same month a year earlier: details says why.`,
      unit: 'none',
      query: flux(`${indicators({ ids: ['cycling_index'], kind: 'month', scope: 'sitesAndTotal' })}
  |> group()
  |> keep(columns: ["_time", "period", "indicator", "entity", "value", "coverage", "sufficient", "details"])
  |> sort(columns: ["_time", "entity"], desc: true)`),
      fields: ['_time', 'period', 'indicator', 'entity', 'coverage', 'sufficient', 'details'],
      w: 24,
    }).overrideByName('coverage', [{ id: 'unit', value: 'percentunit' }]));
  return finish(d);
}
