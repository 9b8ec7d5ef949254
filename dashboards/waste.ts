import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { DashboardConfig } from './config.js';
import { finish, newDashboard, siteVariable, tenantVariable } from './lib/dashboard.js';
import { flux, indicators, indicatorSeries, readings } from './lib/flux.js';
import { about, byLabel, lastValue, panel } from './lib/panels.js';

const STORED = 'Stored per period by the indicator service (measurement `indicators`).';
const FILL_STEPS: Array<[string, number | null]> = [['green', null], ['yellow', 80], ['red', 95]];
const FILL = 'r.kind == "waste_fill" and r._field == "fill_level"';

/** A per-container indicator as a table (entity = device id, the bin room is in details). */
const containerTable = (ids: string[], kind: string) => `${indicators({ ids, kind, scope: 'containers' })}
  |> group()
  |> keep(columns: ["_time", "period", "indicator", "entity", "value", "coverage", "sufficient", "details"])
  |> sort(columns: ["_time", "indicator", "entity"], desc: true)`;

/** Waste: fill levels now, predicted full, emptyings at low fill, overflows, volume per household. */
export function wasteDashboard(_c: DashboardConfig): dashboard.Dashboard {
  const d = newDashboard({
    uid: 'klimatpuls-waste',
    title: 'Klimatpuls · Waste',
    description: 'Waste containers in the bin rooms: fill levels now, when each will be full, emptyings at low fill (wasted trips), overflows, and waste per household and week against the reduction target.',
    tags: ['waste'],
    from: 'now-30d',
  })
    .withVariable(tenantVariable())
    .withVariable(siteVariable({ label: 'Bin room', kinds: ['waste_fill'] }))
    .withRow(new dashboard.RowBuilder('Now'))
    .withPanel(panel(new bargauge.PanelBuilder(), {
      title: 'Fill level now, per container',
      description: 'Each container\'s newest fill level (%) in the two days before the end of the time range, from its ultrasonic sensor (distance converted with the container geometry in the device registry). Yellow from 80 %, red from 95 %: above 95 % the alert "Waste container above 95 %" fires. A container missing here has not reported for two days.',
      unit: 'percent',
      query: flux(`${readings(FILL, { start: 'date.sub(d: 2d, from: v.timeRangeStop)' })}
  |> last()
  |> group(columns: ["site", "device"])
  |> keep(columns: ["_time", "_value", "site", "device"])`),
      fields: ['_time', '_value', 'site', 'device'],
      thresholds: FILL_STEPS, min: 0, max: 100,
      w: 12, h: 12,
    }).overrideByRegexp('.*', [{ id: 'displayName', value: '${__field.labels.site} ${__field.labels.device}' }])
      .displayMode(common.BarGaugeDisplayMode.Lcd).orientation(common.VizOrientation.Horizontal).reduceOptions(lastValue()))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'Predicted full (hours), per container',
      description: `${about('time_to_full', STORED)} Weekly values of the weeks in the range, the newest first; the prediction counts from the end of the week (for the current week, that end lies ahead). details: fill rate (percentage points per hour), level at the end of the week, readings used.`,
      unit: 'h',
      query: flux(containerTable(['time_to_full'], 'week')),
      fields: ['_time', 'period', 'indicator', 'entity', 'coverage', 'sufficient', 'details'],
      w: 12, h: 12,
    }).overrideByName('coverage', [{ id: 'unit', value: 'percentunit' }]))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Fill level per container',
      description: 'Fill level (%) of every container over time (mean per interval). A sawtooth is normal: it rises as the bin room is used and drops at each emptying. A drop from low levels is an emptying at low fill; a plateau at the top is an overflow.',
      unit: 'percent',
      query: flux(`${readings(FILL)}
  |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)
  |> group(columns: ["site", "device"])`),
      fields: ['_time', '_value', 'site', 'device'],
      thresholds: FILL_STEPS, min: 0, max: 110,
      w: 24,
    }).overrideByRegexp('.*', [{ id: 'displayName', value: '${__field.labels.site} ${__field.labels.device}' }]))
    .withRow(new dashboard.RowBuilder('Collection and waste volume'))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Emptyings at low fill per week (whole tenant)',
      description: about('emptyings_low_fill', STORED),
      unit: 'suffix: emptyings',
      query: flux(indicatorSeries({ ids: ['emptyings_low_fill'], kind: 'week', scope: 'total' })),
      fields: ['_time', 'value', 'entity'],
      w: 8,
    }).overrideByRegexp('.*', [{ id: 'displayName', value: 'emptyings at low fill' }]).drawStyle(common.GraphDrawStyle.Bars).fillOpacity(60))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Overflows per week (whole tenant)',
      description: about('overflows', STORED),
      unit: 'suffix: overflows',
      query: flux(indicatorSeries({ ids: ['overflows'], kind: 'week', scope: 'total' })),
      fields: ['_time', 'value', 'entity'],
      w: 8,
    }).overrideByRegexp('.*', [{ id: 'displayName', value: 'overflows' }]).drawStyle(common.GraphDrawStyle.Bars).fillOpacity(60))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Waste per household and week, per bin room',
      description: `${about('waste_per_household', STORED)} One line per bin room (site).`,
      unit: 'suffix: L/household/week',
      query: flux(indicatorSeries({ ids: ['waste_per_household'], kind: 'week', scope: 'sites' })),
      fields: ['_time', 'value', 'entity'],
      w: 8,
    }).overrideByRegexp('.*', [byLabel('entity')]))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'Emptyings at low fill and overflows per container and month',
      description: `Per container (entity = device id; its bin room is in details) and month: ${about('emptyings_low_fill')} ${about('overflows')} ${STORED}`,
      unit: 'none',
      query: flux(containerTable(['emptyings_low_fill', 'overflows'], 'month')),
      fields: ['_time', 'period', 'indicator', 'entity', 'value', 'coverage', 'sufficient', 'details'],
      w: 24,
    }).overrideByName('coverage', [{ id: 'unit', value: 'percentunit' }]));
  return finish(d);
}
