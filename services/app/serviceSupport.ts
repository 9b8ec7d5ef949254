import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Telemetry } from '../core/telemetry.js';
import { TelemetryToInflux } from '../sinks/influx/telemetryToInflux.js';
import { buildRegistry } from './components.js';
import type { Service } from './lifecycle.js';
import { buildTenants, type Tenants } from './tenantsApp.js';

/** With InfluxDB configured, every service also writes its own figures there (pipeline health). */
export function telemetryToInflux(c: Config, telemetry: Telemetry, logger: Logger, parts: Service[]): void {
  if (!c.INFLUX_URL || !c.INFLUX_TOKEN) return;
  const t = new TelemetryToInflux({ telemetry, url: c.INFLUX_URL, token: c.INFLUX_TOKEN, org: c.INFLUX_ORG, bucket: c.INFLUX_BUCKET, intervalMs: c.TELEMETRY_INTERVAL_MS, logger });
  t.start();
  parts.push(t);
}

/** Run alone, the gateway and writer talk to Kafka: default to the local stack. */
export function withKafkaDefault(c: Config): Config {
  return c.KAFKA_BROKERS ? c : Object.freeze({ ...c, KAFKA_BROKERS: ['127.0.0.1:9092'] });
}

/** Operator and admin tokens of the registry, OPERATOR_TOKEN / ADMIN_TOKEN; METRICS_PUBLIC. */
export function operatorAuth(c: Config, t: Tenants): { tokens: Tenants['tokens']; metricsPublic: boolean } {
  return { tokens: t.tokens, metricsPublic: c.METRICS_PUBLIC };
}

/** The tenant registry, followed as the admin API or CLI change it (gateway: devices; writer: buckets). */
export function watchedTenants(c: Config, logger: Logger, parts: Service[]): Tenants {
  const t = buildTenants(c, logger, buildRegistry(c));
  t.store.watch(() => {});
  parts.push({ stop: async () => t.store.close() });
  return t;
}
