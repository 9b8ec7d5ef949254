import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { DashboardConfig } from './config.js';
import { finish, newDashboard, siteVariable, tenantVariable } from './lib/dashboard.js';
import { flux, indicators, lastSeen, readings } from './lib/flux.js';
import { AlertListPanelBuilder, byLabel, lastValue, panel } from './lib/panels.js';

/** City overview: the live state of every sensor family, what is silent, what is alerting. */
export function overviewDashboard(c: DashboardConfig): dashboard.Dashboard {
  const seen = lastSeen(c.expectedIntervalS, { tenant: true, defaultIntervalS: c.defaultIntervalS });
  const silenceHours = 'silent for more than three times its expected reporting interval (one hour unless configured, so 3 h)';
  const d = newDashboard({
    uid: 'klimatpuls-overview',
    title: 'Klimatpuls · City overview',
    description: 'Live state of every sensor family of one tenant: how many devices report, which are silent, what is alerting, and the data quality behind the indicators.',
    tags: ['overview'],
  })
    .withVariable(tenantVariable())
    .withVariable(siteVariable())
    .withRow(new dashboard.RowBuilder('Sensor families'))
    .withPanel(panel(new stat.PanelBuilder(), {
      title: 'Devices reporting, per sensor family',
      description: 'How many devices of each kind (electricity meter, heat meter, waste fill sensor, bike/vehicle/pedestrian counter, thermometer, solar) stored at least one reading in the selected time range. A family that drops here has lost devices: compare with the table of silent devices below.',
      unit: 'suffix: devices',
      query: flux(`${readings()}
  |> last()
  |> group(columns: ["kind", "device"])
  |> last()
  |> group(columns: ["kind"])
  |> count()`),
      fields: ['kind', '_value'],
      w: 24, h: 5,
    }).colorMode(common.BigValueColorMode.None).graphMode(common.BigValueGraphMode.None).reduceOptions(lastValue()).overrideByRegexp('.*', [byLabel('kind')]))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'Sensor families: devices, silent devices, newest reading',
      description: `Per sensor family, over the 30 days before the end of the time range: devices that reported, how many of them are now ${silenceHours}, and when the family's newest reading was observed. A family with silent devices needs a look at the device list below (battery, coverage, gateway).`,
      unit: 'suffix: devices',
      query: flux(`${seen}
  |> group(columns: ["kind"])
  |> reduce(fn: (r, accumulator) => ({devices: accumulator.devices + 1, silent: accumulator.silent + (if r.silence_ratio > 3.0 then 1 else 0), newest_reading: if r._time > accumulator.newest_reading then r._time else accumulator.newest_reading}), identity: {devices: 0, silent: 0, newest_reading: time(v: 0)})
  |> group()
  |> sort(columns: ["kind"])`),
      fields: ['kind', 'devices', 'silent', 'newest_reading'],
      h: 9,
    }).overrideByName('silent', [{ id: 'custom.cellOptions', value: { type: 'color-text' } }, { id: 'thresholds', value: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 1 }] } }]))
    .withPanel(panel(new stat.PanelBuilder(), {
      title: 'Devices silent for too long',
      description: `Devices of this tenant (and site) that are ${silenceHours}, at the end of the time range. The same rule fires the alert "Device silent longer than 3× its expected interval". 0 is green; anything else is red: see "Last seen per device" for which.`,
      unit: 'suffix: devices',
      query: flux(`${seen}
  |> map(fn: (r) => ({r with silent: if r.silence_ratio > 3.0 then 1 else 0}))
  |> group()
  |> sum(column: "silent")`),
      fields: ['silent'],
      thresholds: [['green', null], ['red', 1]],
      w: 6, h: 9,
    }).colorMode(common.BigValueColorMode.Background).graphMode(common.BigValueGraphMode.None).reduceOptions(lastValue()))
    .withPanel(panel(new stat.PanelBuilder(), {
      title: 'Registered devices reporting (device coverage)',
      description: 'The device_coverage indicator of the latest week in the range: the share of the tenant\'s registered devices that sent data. The contract figures are only as good as this: below 80 % the indicators are marked "not enough data".',
      unit: 'percent',
      query: flux(`${indicators({ ids: ['device_coverage'], kind: 'week', scope: 'total' })}
  |> filter(fn: (r) => exists r.value)
  |> group()
  |> sort(columns: ["_time"])
  |> last(column: "value")
  |> keep(columns: ["_time", "value"])`),
      fields: ['_time', 'value'],
      thresholds: [['red', null], ['yellow', 80], ['green', 95]], min: 0, max: 100, decimals: 1,
      w: 6, h: 9,
    }).colorMode(common.BigValueColorMode.Value).graphMode(common.BigValueGraphMode.None).reduceOptions(lastValue()))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Stored values per hour, per sensor family',
      description: 'How many measured values (every metric of every reading) were stored per hour, by sensor family and observed time. A family whose line falls to zero stopped sending; a sudden jump often means a batch of late readings was delivered.',
      unit: 'suffix: values/h',
      query: flux(`${readings()}
  |> aggregateWindow(every: 1h, fn: count, createEmpty: false)
  |> group(columns: ["kind"])
  |> aggregateWindow(every: 1h, fn: sum, createEmpty: false)`),
      fields: ['_time', '_value', 'kind'],
      w: 24,
    }).overrideByRegexp('.*', [byLabel('kind')]))
    .withRow(new dashboard.RowBuilder('Alerts and devices'))
    .withPanel(new AlertListPanelBuilder({
      title: 'Firing Klimatpuls alerts',
      description: 'Grafana alert rules of the Klimatpuls folder that are firing or pending (silent devices, full containers, dead-letter rate, consumer lag, peak power over the limit), every tenant. Rules and thresholds: deploy/grafana/provisioning/alerting/klimatpuls.yaml.',
      w: 12, h: 10,
    }))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'What needs attention now',
      description: `The alert conditions of this tenant at the end of the time range, without waiting for Grafana alerting: devices ${silenceHours}, and waste containers whose newest fill level is above 95 %. Empty is good.`,
      unit: 'none',
      query: flux(`silent = ${seen.replace(/\n/g, '\n  ')}
  |> filter(fn: (r) => r.silence_ratio > 3.0)
  |> map(fn: (r) => ({_time: r._time, condition: "device silent", device: r.device, kind: r.kind, site: r.site, detail: "silent for " + string(v: int(v: r._value / 3600.0)) + " h"}))
full = ${readings('r.kind == "waste_fill" and r._field == "fill_level"', { start: 'date.sub(d: 2d, from: v.timeRangeStop)' }).replace(/\n/g, '\n  ')}
  |> last()
  |> filter(fn: (r) => r._value > 95.0)
  |> map(fn: (r) => ({_time: r._time, condition: "container above 95 %", device: r.device, kind: r.kind, site: r.site, detail: string(v: int(v: r._value)) + " % full"}))
union(tables: [silent, full])
  |> group()
  |> sort(columns: ["condition", "device"])`),
      fields: ['_time', 'condition', 'device', 'kind', 'site', 'detail'],
      w: 12, h: 10,
    }))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'Last seen per device',
      description: `Every device of the tenant (and site) with its newest reading in the 30 days before the end of the range, how long it has been silent (seconds, shown as a duration), its expected reporting interval, and silence_ratio = silence ÷ expected interval. Sorted with the longest silence first; a ratio above 3 means ${silenceHours}. Devices silent for more than 30 days drop off this list: the data_gaps indicator still counts them.`,
      unit: 'dtdurations',
      query: flux(`${seen}
  |> group()
  |> rename(columns: {_value: "silent_for", _time: "last_seen"})
  |> sort(columns: ["silence_ratio"], desc: true)`),
      fields: ['last_seen', 'silent_for', 'device', 'kind', 'site', 'tenant', 'expected_interval_s', 'silence_ratio'],
      w: 24, h: 10,
    }).overrideByName('silence_ratio', [{ id: 'unit', value: 'none' }, { id: 'decimals', value: 1 }, { id: 'custom.cellOptions', value: { type: 'color-background' } }, { id: 'thresholds', value: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 3 }] } }]))
    .withRow(new dashboard.RowBuilder('Rejected messages'))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Rejected messages per hour, by reason (all tenants)',
      description: 'Messages the pipeline could not use and dead-lettered (archived in measurement dead_letters), per hour and reason code (not_json, schema, unknown_device, implausible_value, future_time, store_rejected, ...). Dead letters carry no tenant (many are refused before the tenant is known), so this is the whole platform. Inspect or replay them with `klimatpuls dlq replay --reason ...` after a fix.',
      unit: 'suffix: messages',
      query: flux(`from(bucket: v.defaultBucket)
  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "dead_letters" and r._field == "count")
  |> group(columns: ["reason"])
  |> aggregateWindow(every: 1h, fn: sum, createEmpty: false)`),
      fields: ['_time', '_value', 'reason'],
      w: 24,
    }).overrideByRegexp('.*', [byLabel('reason')]).drawStyle(common.GraphDrawStyle.Bars));
  return finish(d);
}
