import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { hostname } from 'node:os';
import type { Logger } from '../../core/logger.js';
import type { Telemetry } from '../../core/telemetry.js';

/**
 * Writes the pipeline's own figures to InfluxDB every `intervalMs`, so the
 * pipeline-health dashboard needs no Prometheus server. One point per service
 * and interval in measurement `pipeline` (tags: service, host), fields:
 *   messages_received, readings_produced, readings_written (counters, totals since start)
 *   dead_letters (counter), in_flight, consumer_lag (gauges)
 *   produce_latency_p95_s, store_write_latency_p95_s (from the histograms)
 *   bus_errors, store_errors (counters)
 * and one point per dead-letter reason in measurement `pipeline_dead_letters`
 * (tags: service, reason; field count).
 * Counters are totals since the process started: dashboards use difference()/derivative().
 */
export class TelemetryToInflux {
  private timer?: NodeJS.Timeout;
  private readonly host = hostname();

  constructor(
    private readonly o: { telemetry: Telemetry; url: string; token: string; org: string; bucket: string; intervalMs: number; logger: Logger },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush().catch((err) => this.o.logger.debug({ err: (err as Error).message }, 'telemetry write failed')), this.o.intervalMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    const metrics = await this.o.telemetry.registry.getMetricsAsJSON();
    const by = new Map<string, Point>();
    const point = (service: string) => {
      let p = by.get(service);
      if (!p) by.set(service, (p = new Point('pipeline').tag('service', service).tag('host', this.host)));
      return p;
    };
    const lines: string[] = [];
    const now = Date.now();
    for (const m of metrics) {
      for (const v of m.values as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>) {
        const service = String(v.labels.service ?? '');
        if (!service) continue;
        switch (m.name) {
          case 'klimatpuls_messages_received_total': point(service).floatField('messages_received', v.value); break;
          case 'klimatpuls_readings_produced_total': point(service).floatField('readings_produced', v.value); break;
          case 'klimatpuls_readings_written_total': point(service).floatField('readings_written', v.value); break;
          case 'klimatpuls_in_flight_messages': point(service).floatField('in_flight', v.value); break;
          case 'klimatpuls_consumer_lag_messages': point(service).floatField('consumer_lag', v.value); break;
          case 'klimatpuls_bus_errors_total': point(service).floatField('bus_errors', v.value); break;
          case 'klimatpuls_store_errors_total': point(service).floatField(`store_errors_${String(v.labels.kind).toLowerCase()}`, v.value); break;
          case 'klimatpuls_dead_letters_total':
            lines.push(new Point('pipeline_dead_letters').tag('service', service).tag('reason', String(v.labels.reason)).floatField('count', v.value).timestamp(now).toLineProtocol()!);
            break;
        }
      }
    }
    for (const [key, field] of [['produce', 'produce_latency_p95_s'], ['store_write', 'store_write_latency_p95_s']] as const) {
      const h = metrics.find((m) => m.name === 'klimatpuls_latency_seconds');
      const buckets = (h?.values ?? []) as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>;
      for (const service of new Set(buckets.map((b) => String(b.labels.service)))) {
        const bs = buckets.filter((b) => b.metricName === 'klimatpuls_latency_seconds_bucket' && b.labels.stage === key && String(b.labels.service) === service);
        const total = bs.find((b) => b.labels.le === '+Inf')?.value ?? 0;
        if (total === 0) continue;
        const p95 = bs.filter((b) => b.labels.le !== '+Inf').sort((a, b) => Number(a.labels.le) - Number(b.labels.le)).find((b) => b.value >= 0.95 * total);
        point(service).floatField(field, p95 ? Number(p95.labels.le) : 10);
      }
    }
    for (const p of by.values()) {
      p.timestamp(now);
      const line = p.toLineProtocol();
      if (line) lines.push(line);
    }
    if (lines.length === 0) return;
    const influx = new InfluxDB({ url: this.o.url, token: this.o.token, timeout: 10_000 });
    const q = new URLSearchParams({ org: this.o.org, bucket: this.o.bucket, precision: 'ms' });
    await influx.transport.request(`/api/v2/write?${q}`, lines.join('\n'), { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => {});
  }
}
