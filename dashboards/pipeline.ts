import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { DashboardConfig } from './config.js';
import { finish, newDashboard } from './lib/dashboard.js';
import { flux, lastSeen } from './lib/flux.js';
import { deadLetters, deadLetterShare, errors, lagSeconds, pipeline } from './lib/pipelineFlux.js';
import { byLabel, panel } from './lib/panels.js';

export function pipelineDashboard(c: DashboardConfig): dashboard.Dashboard {
  const SOURCE = 'Written by the services themselves every TELEMETRY_INTERVAL_MS (default 10 s) to measurement `pipeline` — no Prometheus server needed; the same figures are on each service\'s /metrics.';
  const d = newDashboard({
    uid: 'klimatpuls-pipeline',
    title: 'Klimatpuls · Pipeline health',
    description: 'The pipeline watching itself: MQTT messages in, readings to Kafka and to InfluxDB per second, dead letters by reason, Kafka consumer lag, write latency and errors, and devices that went silent.',
    tags: ['pipeline', 'operations'],
    from: 'now-6h',
    refresh: '30s',
  })
    .withRow(new dashboard.RowBuilder('Throughput'))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Messages in and out per second, per service',
      description: `gateway in = MQTT messages received; gateway out = readings acknowledged by Kafka (one message can hold several readings); writer out = readings acknowledged by InfluxDB. Out should follow in: a gap that grows means a stage is stuck (see consumer lag and errors below). ${SOURCE}`,
      unit: 'suffix: msg/s',
      query: flux(`${pipeline('(r._field == "messages_received" or r._field == "readings_produced" or r._field == "readings_written")')}
  |> derivative(unit: 1s, nonNegative: true)
  |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)
  |> map(fn: (r) => ({_time: r._time, _value: r._value, series: r.service + (if r._field == "messages_received" then " in (MQTT messages)" else if r._field == "readings_produced" then " out (readings to Kafka)" else " out (readings to InfluxDB)")}))
  |> group(columns: ["series"])
  |> aggregateWindow(every: v.windowPeriod, fn: sum, createEmpty: false)`),
      fields: ['_time', '_value', 'series'],
      w: 16,
    }).overrideByRegexp('.*', [byLabel('series')]))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'MQTT messages in flight (gateway)',
      description: `Messages the gateway has received from MQTT and not yet acknowledged (it acknowledges only after Kafka has everything they became). At MQTT_MAX_IN_FLIGHT (default 2000) it stops reading and the broker keeps the messages: Kafka is slow or down. ${SOURCE}`,
      unit: 'suffix: messages',
      query: flux(`${pipeline('r.service == "gateway" and r._field == "in_flight"')}
  |> aggregateWindow(every: v.windowPeriod, fn: max, createEmpty: false)
  |> group(columns: ["host"])`),
      fields: ['_time', '_value', 'host'],
      w: 8,
    }).overrideByRegexp('.*', [byLabel('host')]))
    .withRow(new dashboard.RowBuilder('Dead letters'))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Dead-letter rate by reason',
      description: `Messages (gateway) and readings (writer) sent to the dead-letter topic per second, by reason code: not_json, schema, unknown_device, implausible_value, future_time, store_rejected … A new reason or a jump after a deployment points to a decoder or registry problem. ${SOURCE}`,
      unit: 'suffix: msg/s',
      query: flux(`${deadLetters}
  |> derivative(unit: 1s, nonNegative: true)
  |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)
  |> group(columns: ["reason"])
  |> aggregateWindow(every: v.windowPeriod, fn: sum, createEmpty: false)`),
      fields: ['_time', '_value', 'reason'],
      w: 12,
    }).overrideByRegexp('.*', [byLabel('reason')]).drawStyle(common.GraphDrawStyle.Bars))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Dead-letter share of received messages',
      description: `Dead letters of all services as a share of the MQTT messages the gateway received, per interval. Above 1 % (the red line) the alert "Dead-letter rate above 1 %" fires. ${SOURCE}`,
      unit: 'percent',
      query: flux(deadLetterShare('dashboard')),
      fields: ['_time', '_value'],
      thresholds: [['green', null], ['red', 1]], min: 0,
      w: 12,
    }).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)))
    .withRow(new dashboard.RowBuilder('Kafka and InfluxDB'))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Kafka consumer lag (writer)',
      description: `Readings in the Kafka readings topic that the writer's consumer group has not yet written to InfluxDB, per writer host (highest per interval). It should stay near zero; a lag that keeps growing means InfluxDB is slow or refusing writes. ${SOURCE}`,
      unit: 'suffix: readings',
      query: flux(`${pipeline('r.service == "writer" and r._field == "consumer_lag"')}
  |> aggregateWindow(every: v.windowPeriod, fn: max, createEmpty: false)
  |> group(columns: ["host"])`),
      fields: ['_time', '_value', 'host'],
      w: 12,
    }).overrideByRegexp('.*', [byLabel('host')]))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Consumer lag in seconds (estimated)',
      description: `How long the writer needs to catch up: consumer lag ÷ its write rate in the interval (the services report the lag in messages; 86400 s means it wrote nothing while readings waited). Above 60 s (red line) the alert "Kafka consumer lag above 60 s" fires. ${SOURCE}`,
      unit: 's',
      query: flux(lagSeconds('dashboard')),
      fields: ['_time', '_value', 'host'],
      thresholds: [['green', null], ['red', 60]], min: 0,
      w: 12,
    }).overrideByRegexp('.*', [byLabel('host')]).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Write latency, 95th percentile',
      description: `95th percentile of the time a Kafka produce (gateway) and an InfluxDB batch write (writer) took, over every operation since the service started (histogram buckets, so the value is a bucket bound). Rising InfluxDB latency comes before consumer lag. ${SOURCE}`,
      unit: 's',
      query: flux(`${pipeline('(r._field == "store_write_latency_p95_s" or r._field == "produce_latency_p95_s")')}
  |> aggregateWindow(every: v.windowPeriod, fn: max, createEmpty: false)
  |> map(fn: (r) => ({_time: r._time, _value: r._value, series: r.service + " " + r.host + (if r._field == "produce_latency_p95_s" then " Kafka produce" else " InfluxDB write")}))
  |> group(columns: ["series"])`),
      fields: ['_time', '_value', 'series'],
      w: 8,
    }).overrideByRegexp('.*', [byLabel('series')]))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'InfluxDB write errors',
      description: `Failed InfluxDB writes of the writer per interval, by kind (an error code that is retried with backoff, or rejected = points InfluxDB refused, which are isolated and dead-lettered); "all kinds" is 0 while the writer reports and nothing fails. ${SOURCE}`,
      unit: 'suffix: errors',
      query: flux(errors('writer', 'readings_written', '^store_errors_', 'store_errors_')),
      fields: ['_time', '_value', 'kind'],
      w: 8,
    }).overrideByRegexp('.*', [byLabel('kind')]).drawStyle(common.GraphDrawStyle.Bars))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Kafka produce errors (retried)',
      description: `Failed sends of the gateway to Kafka per interval (each is retried; messages stay unacknowledged on MQTT meanwhile). "all kinds" is 0 while the gateway reports and nothing fails. ${SOURCE}`,
      unit: 'suffix: errors',
      query: flux(errors('gateway', 'messages_received', '^bus_errors$', '')),
      fields: ['_time', '_value', 'kind'],
      w: 8,
    }).overrideByRegexp('.*', [byLabel('kind')]).drawStyle(common.GraphDrawStyle.Bars))
    .withRow(new dashboard.RowBuilder('Devices'))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'Devices silent for too long (all tenants)',
      description: 'Every device whose newest reading (in the 30 days before the end of the range) is older than three times its expected reporting interval — one hour unless configured, the data_gaps indicator\'s assumption — longest silence first. The same rule drives the alert "Device silent longer than 3× its expected interval". Check battery, radio coverage, the network server.',
      unit: 'dtdurations',
      query: flux(`${lastSeen(c.expectedIntervalS, { tenant: false, defaultIntervalS: c.defaultIntervalS })}
  |> filter(fn: (r) => r.silence_ratio > 3.0)
  |> group()
  |> rename(columns: {_value: "silent_for", _time: "last_seen"})
  |> sort(columns: ["silence_ratio"], desc: true)`),
      fields: ['last_seen', 'silent_for', 'tenant', 'device', 'kind', 'site', 'expected_interval_s', 'silence_ratio'],
      w: 24, h: 10,
    }).overrideByName('silence_ratio', [{ id: 'unit', value: 'none' }, { id: 'decimals', value: 1 }]));
  return finish(d);
}
