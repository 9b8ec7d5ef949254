import * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import * as expr from '@grafana/grafana-foundation-sdk/expr';
import { stringify } from 'yaml';
import type { DashboardConfig } from './config.js';
import { limitsDict } from './energy.js';
import { flux, lastSeen } from './lib/flux.js';
import { DATASOURCE_UID, FluxQueryBuilder } from './lib/panels.js';
import { deadLetterShare, lagSeconds } from './lib/pipelineFlux.js';

/**
 * Alert rules as code. Each rule: a Flux query A that returns one series per
 * thing watched (labels = its group key: device, site, host ...) whose value is
 * the figure the threshold applies to, B = last value, C = threshold. Written
 * as a Grafana file-provisioning document (apiVersion 1) to
 * deploy/grafana/provisioning/alerting/klimatpuls.yaml.
 */
export const FOLDER = 'Klimatpuls';

export interface AlertSpec {
  uid: string;
  title: string;
  group: 'devices' | 'pipeline';
  /** Seconds of data before "now" that the query sees (v.timeRangeStart = now − this). */
  window: number;
  query: string;
  threshold: number;
  for: string;
  severity: 'warning' | 'critical';
  summary: string;
  description: string;
  /** The dashboard panel (uid, title) that shows the details. */
  panel: [string, string];
}

/** The five rules of issue 5, with their queries (exported for the query test). */
export function alertSpecs(c: DashboardConfig): AlertSpec[] {
  return [
    {
      uid: 'klimatpuls-device-silent', group: 'devices', window: 30 * 86_400, threshold: 3, for: '10m', severity: 'warning',
      title: 'Device silent longer than 3× its expected interval',
      query: flux(`${lastSeen(c.expectedIntervalS, { tenant: false, defaultIntervalS: c.defaultIntervalS })}
  |> map(fn: (r) => ({_time: r._time, _value: r.silence_ratio, tenant: r.tenant, device: r.device, kind: r.kind, site: r.site}))`),
      summary: 'Device {{ $labels.device }} ({{ $labels.kind }}, {{ $labels.tenant }}/{{ $labels.site }}) is silent: {{ humanize $values.B.Value }} × its expected interval',
      description: 'The newest reading of the device is older than three times its expected reporting interval (by kind; as the data_gaps indicator assumes: one hour unless configured, 11.7 days for fleet vehicles, 30.7 days for waste collection points). Check battery, radio coverage and the LoRaWAN/wM-Bus gateway. Devices silent for more than 30 days leave the query window and resolve.',
      panel: ['klimatpuls-overview', 'Last seen per device'],
    },
    {
      uid: 'klimatpuls-container-full', group: 'devices', window: 6 * 3600, threshold: 95, for: '15m', severity: 'warning',
      title: 'Waste container above 95 %',
      query: flux(`from(bucket: v.defaultBucket)
  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "readings" and r.kind == "waste_fill" and r._field == "fill_level")
  |> last()
  |> map(fn: (r) => ({_time: r._time, _value: r._value, tenant: r.tenant, device: r.device, site: if exists r.site then r.site else ""}))
  |> group(columns: ["tenant", "device", "site"])`),
      summary: 'Container {{ $labels.device }} in {{ $labels.tenant }}/{{ $labels.site }} is {{ humanize $values.B.Value }} % full',
      description: 'The newest fill level (last 6 hours) is above 95 %: the container is about to overflow. Schedule a collection; the Waste dashboard shows when the other containers of the route will be full.',
      panel: ['klimatpuls-waste', 'Fill level now, per container'],
    },
    {
      uid: 'klimatpuls-peak-power', group: 'devices', window: 3600, threshold: 100, for: '5m', severity: 'warning',
      title: 'Building peak power above its limit',
      query: flux(`from(bucket: v.defaultBucket)
  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "readings" and r.kind == "electricity_meter" and r._field == "power")
  |> mean()
  |> group(columns: ["tenant", "site"])
  |> sum()
  |> map(fn: (r) => ({r with limit_kw: dict.get(dict: ${limitsDict(c.peakPowerLimits)}, key: r.tenant + "/" + (if exists r.site then r.site else ""), default: 0.0)}))
  |> filter(fn: (r) => r.limit_kw > 0.0)
  |> map(fn: (r) => ({_time: v.timeRangeStop, _value: 100.0 * r._value / r.limit_kw, tenant: r.tenant, site: r.site}))
  |> group(columns: ["tenant", "site"])`),
      summary: 'Building {{ $labels.tenant }}/{{ $labels.site }} draws {{ humanize $values.B.Value }} % of its peak-power limit',
      description: 'The mean electric power of the building over the last hour (its meters added up) is above its limit. The limit is the building\'s subscribed power (abonnerad effekt) or peak-shaving target, maintained per tenant and site in dashboards/peak-power-limits.json and embedded here by `npm run dashboards`; buildings without a limit are not watched. Shave the peak: postpone flexible loads (heat pumps, charging).',
      panel: ['klimatpuls-energy', 'Peak power against the building\'s limit'],
    },
    {
      uid: 'klimatpuls-dead-letter-rate', group: 'pipeline', window: 15 * 60, threshold: 1, for: '5m', severity: 'critical',
      title: 'Dead-letter rate above 1 %',
      query: flux(deadLetterShare('alert')),
      summary: '{{ humanize $values.B.Value }} % of the messages received in the last 15 minutes were dead-lettered',
      description: 'More than 1 % of the messages the gateway received in the last 15 minutes (all services\' dead letters ÷ MQTT messages received, from measurement pipeline) could not be used. The Pipeline health dashboard shows the reasons; a new device model or a firmware update with a changed payload is the usual cause. Fix the decoder or registry, then `klimatpuls dlq replay --reason …`.',
      panel: ['klimatpuls-pipeline', 'Dead-letter rate by reason'],
    },
    {
      uid: 'klimatpuls-consumer-lag', group: 'pipeline', window: 5 * 60, threshold: 60, for: '5m', severity: 'critical',
      title: 'Kafka consumer lag above 60 s',
      query: flux(lagSeconds('alert')),
      summary: 'Writer {{ $labels.host }} is {{ humanize $values.B.Value }} s behind the readings topic',
      description: 'The writer\'s consumer lag (readings not yet written to InfluxDB) divided by its write rate over the last 5 minutes is above 60 s: dashboards and indicators are running late. 86400 means it wrote nothing while readings waited. Check InfluxDB (write errors, latency) and the writer\'s logs; add writer instances if it cannot keep up.',
      panel: ['klimatpuls-pipeline', 'Consumer lag in seconds (estimated)'],
    },
  ];
}

export function alertRulesFile(c: DashboardConfig, panelIds: (uid: string, title: string) => number): string {
  const specs = alertSpecs(c);
  const groups = (['devices', 'pipeline'] as const).map((g) => {
    const rules = specs.filter((s) => s.group === g).map((s) => {
      const r = new alerting.RuleBuilder(s.title).uid(s.uid).condition('C')
        .withQuery(new alerting.QueryBuilder('A').datasourceUid(DATASOURCE_UID).relativeTimeRange({ from: s.window, to: 0 }).model(new FluxQueryBuilder(s.query)))
        .withQuery(new alerting.QueryBuilder('B').datasourceUid('__expr__').model(new expr.TypeReduceBuilder().expression('A').reducer('last').refId('B').settings({ mode: 'dropNN' })))
        .withQuery(new alerting.QueryBuilder('C').datasourceUid('__expr__').model(new expr.TypeThresholdBuilder().expression('B').refId('C').conditions([{ evaluator: { type: 'gt', params: [s.threshold] } }])))
        .forDuration(s.for).noDataState('OK').execErrState('Error')
        .labels({ system: 'klimatpuls', severity: s.severity })
        .annotations({ summary: s.summary, description: s.description })
        .build();
      return {
        uid: r.uid, title: r.title, condition: r.condition, data: r.data,
        dashboardUid: s.panel[0], panelId: panelIds(s.panel[0], s.panel[1]),
        noDataState: r.noDataState, execErrState: r.execErrState, for: r.for, annotations: r.annotations, labels: r.labels, isPaused: false,
      };
    });
    return { orgId: 1, name: `klimatpuls-${g}`, folder: FOLDER, interval: g === 'devices' ? '5m' : '1m', rules };
  });
  const doc = JSON.parse(JSON.stringify({ apiVersion: 1, groups })) as unknown;
  return `# Generated by \`npm run dashboards\` from dashboards/alerts.ts — do not edit by hand.\n${stringify(doc, { lineWidth: 0 })}`;
}
