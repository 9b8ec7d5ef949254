import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { buildRegistry } from './components.js';
import type { Service } from './lifecycle.js';
import { buildTenants, type Tenants } from './tenantsApp.js';

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
