import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** Root of the installed package (works from services/ under tsx and from dist/services/). */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readFileSync(resolve(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  return process.cwd();
})();

const bool = z
  .string()
  .regex(/^(on|off|true|false|1|0|yes|no)$/i, 'on|off')
  .transform((s) => /^(on|true|1|yes)$/i.test(s));
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `a whole number between ${min} and ${max}`).max(max, `a whole number between ${min} and ${max}`));
const url = (protocols: string[]) =>
  z
    .string()
    .refine((s) => {
      try {
        return protocols.includes(new URL(s).protocol.replace(':', ''));
      } catch {
        return false;
      }
    }, `a URL (${protocols.map((p) => `${p}://`).join(' or ')}host:port)`);
const brokers = z
  .string()
  .regex(/^[^,\s:]+:\d+(,[^,\s:]+:\d+)*$/, 'a comma-separated list of host:port')
  .transform((s) => s.split(','));
const routes = z
  .string()
  .regex(/^[^=,]+=[a-z0-9-]+(,[^=,]+=[a-z0-9-]+)*$/, 'topic-filter=decoder pairs, comma-separated (e.g. v3/+/devices/+/up=ttn-v3)')
  .transform((s) => s.split(',').map((p) => p.split('=') as [string, string]));
const slug = z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'letters, digits, dot, dash, underscore');

/**
 * Every setting, by its environment variable. Values come from the environment;
 * CONFIG_FILE (JSON, same names) may add to it, the environment wins. Validated
 * once at start; the result is frozen.
 */
export const configSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MQTT_URL: url(['mqtt', 'mqtts', 'tcp', 'ssl', 'ws', 'wss']).optional(),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  MQTT_CLIENT_ID: slug.default('klimatpuls-gateway'),
  MQTT_MAX_IN_FLIGHT: int(1, 65_535).default(2_000),
  // 5: the gateway's window is the broker's Receive Maximum; 4 for a broker without MQTT 5
  MQTT_PROTOCOL_VERSION: z.enum(['4', '5']).default('5').transform((v) => Number(v) as 4 | 5),
  MQTT_KEEPALIVE_S: int(1, 65_535).default(30),
  MQTT_SHARE_GROUP: slug.optional(),
  MQTT_EMBEDDED_PORT: int(0, 65_535).default(1883),
  DECODER_ROUTES: routes.optional(),
  KAFKA_BROKERS: brokers.optional(),
  KAFKA_CLIENT_ID: slug.default('klimatpuls'),
  KAFKA_PARTITIONS: int(1, 1000).default(3),
  // The Kafka client behind the bus (services/bus): @platformatic/kafka (Kafka 3.5-4.1), or kafkajs 2.2.4
  // (unmaintained; for clusters still on Kafka 3.x)
  KAFKA_CLIENT: z.enum(['platformatic', 'kafkajs']).default('platformatic'),
  READINGS_TOPIC: slug.default('klimatpuls.readings'),
  // Record format the gateway produces to READINGS_TOPIC (services/core/readingRecords.ts): 2 packs a
  // produce request's readings into one record per partition, 1 is one record per reading. Writers read both.
  READINGS_RECORD_FORMAT: z.enum(['1', '2', '3']).default('3').transform((v) => Number(v) as 1 | 2 | 3),
  DEADLETTER_TOPIC: slug.default('klimatpuls.deadletter'),
  WRITER_GROUP_ID: slug.default('klimatpuls-writer'),
  WRITER_BATCH_SIZE: int(1, 50_000).default(5000),
  WRITER_CONCURRENCY: int(1, 64).default(4),
  WRITER_MAX_QUEUED: int(1, 1_000_000).optional(),
  // in-process bus (no KAFKA_BROKERS): uncommitted bytes per topic, at most
  BUS_MAX_BYTES: int(1024 * 1024, 16 * 1024 ** 3).default(64 * 1024 * 1024),
  // DuckDB's memory_limit (embedded store); its own default is 80 % of the RAM
  DUCKDB_MEMORY_LIMIT_BYTES: int(64 * 1024 * 1024, 1024 ** 4).default(128 * 1024 * 1024),
  // DuckDB's worker threads; its own default is one per core
  DUCKDB_THREADS: int(1, 256).optional(),
  INFLUX_URL: url(['http', 'https']).optional(),
  INFLUX_TOKEN: z.string().min(1).optional(),
  INFLUX_ORG: z.string().min(1).default('klimatpuls'),
  INFLUX_BUCKET: z.string().min(1).default('readings'),
  INFLUX_MEASUREMENT: slug.default('readings'),
  // Write bodies gzip-compressed (over a network) or as they are (an InfluxDB on the same host: no CPU spent on either side)
  INFLUX_CONTENT_ENCODING: z.enum(['gzip', 'identity']).default('gzip'),
  DATA_DIR: z.string().min(1).default('.klimatpuls'),
  // The operational endpoints (8080-8083: /healthz, /readyz open; /metrics, /api/*, /report need an operator token).
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: int(0, 65_535).optional(),
  REGISTRY_FILE: z.string().min(1).optional(),
  SIMULATOR: bool.optional(),
  SIMULATOR_INTERVAL_MS: int(10, 3_600_000).default(2000),
  // A year of simulated history for the demo tenant when the store is empty (services/demo/demoHistory.ts); default: on when the simulator runs.
  DEMO_HISTORY: z.string().regex(/^(on|off|true|false|1|0|yes|no)$/i, 'on or off (seed the demo city\'s history when the store is empty)').transform((s) => /^(on|true|1|yes)$/i.test(s)).optional(),
  // Grafana's URL, linked from the landing page (/) when set.
  GRAFANA_URL: url(['http', 'https']).optional(),
  MAX_PAYLOAD_BYTES: int(64, 16 * 1024 * 1024).default(256 * 1024),
  MAX_FUTURE_SKEW_S: int(0, 366 * 86_400).default(300),
  DRAIN_TIMEOUT_MS: int(0, 600_000).default(15_000),
  HEAP_GROWING_PERCENT: int(0, 1000).default(100),
  INDICATOR_INTERVAL_MS: int(100, 86_400_000).default(15_000),
  INDICATOR_SETTLE_MS: int(0, 86_400_000).default(5_000),
  INDICATOR_PERIODS: z
    .string()
    .regex(/^(day|week|month|quarter|year)(,(day|week|month|quarter|year))*$/, 'a comma-separated list of day, week, month, quarter, year')
    .transform((s) => [...new Set(s.split(','))] as Array<'day' | 'week' | 'month' | 'quarter' | 'year'>)
    .default(['week', 'month', 'quarter', 'year']),
  TARGETS_DIR: z.string().min(1).optional(),
  /** Measures whose effect is measured (services/indicators/effect/measures.ts): /api/effects and the report. */
  MEASURES_FILE: z.string().min(1).optional(),
  TELEMETRY_INTERVAL_MS: int(1000, 3_600_000).default(10_000),
  REPORT_CITY: z.string().regex(/^[a-z0-9-]+$/, 'a city id (the name of a targets file)').default('kalmar'),
  // ---- tenants, onboarding, security (services/tenants, services/security, services/admin) ----
  MAX_READINGS_PER_MESSAGE: int(1, 100_000).default(1000),
  RATE_LIMIT_DEVICE_PER_MIN: int(0, 6_000_000).default(0),
  RATE_LIMIT_DEVICE_BURST: int(1, 6_000_000).optional(),
  RATE_LIMIT_TENANT_PER_S: int(0, 1_000_000).default(0),
  RATE_LIMIT_TENANT_BURST: int(1, 60_000_000).optional(),
  RATE_LIMIT_MAX_KEYS: int(100, 10_000_000).default(100_000),
  TENANTS_DIR: z.string().min(1).optional(),
  // Unset: the default port (8084, 1884, 8883), skipped with a warning when in use; set: required.
  ADMIN_HTTP_PORT: int(0, 65_535).optional(),
  /** Where the admin and tenant API (8084) listens: apart from HTTP_HOST, so exposing one does not expose the other. */
  ADMIN_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  ADMIN_TOKEN: z.string().min(24, 'at least 24 characters').optional(),
  OPERATOR_TOKEN: z.string().min(24, 'at least 24 characters').optional(),
  /** /metrics without a token (a Prometheus that cannot send one, on a private network). */
  METRICS_PUBLIC: bool.default(false),
  MAX_DEVICES_PER_TENANT: int(1, 10_000_000).default(10_000),
  MAX_BUILDINGS_PER_TENANT: int(1, 1_000_000).default(1000),
  REGISTRY_MAX_BYTES: int(64 * 1024, 400 * 1024 * 1024).default(32 * 1024 * 1024),
  MQTT_TENANT_PORT: int(0, 65_535).optional(),
  MQTT_TLS_PORT: int(0, 65_535).optional(),
  // Embedded broker limits (services/broker/connectionLimits.ts); Mosquitto's are in deploy/stack/stack.sh.
  MQTT_MAX_PACKET_BYTES: int(1024, 268_435_460).optional(),
  MQTT_MAX_CONNECTIONS: int(1, 1_000_000).default(10_000),
  MQTT_MAX_CONNECTIONS_PER_ADDRESS: int(1, 1_000_000).default(200),
  MQTT_CONNECT_TIMEOUT_MS: int(1000, 600_000).default(10_000),
  // What the embedded broker holds for sessions (services/broker/sessionBacklog.ts); publishers wait above it.
  MQTT_EMBEDDED_MAX_QUEUED_BYTES: int(1024 * 1024, 16 * 1024 ** 3).default(128 * 1024 * 1024),
  MQTT_EMBEDDED_MAX_QUEUED_BYTES_PER_TENANT: int(64 * 1024, 16 * 1024 ** 3).optional(),
  LOGIN_FAILURES_PER_MIN: int(0, 1_000_000).default(10),
  MQTT_TENANT_URL: url(['mqtt', 'mqtts', 'tcp', 'ssl', 'ws', 'wss']).optional(),
  MQTT_TENANT_TLS_URL: url(['mqtts', 'ssl', 'wss']).optional(),
  MOSQUITTO_PASSWORD_FILE: z.string().min(1).optional(),
  MOSQUITTO_ACL_FILE: z.string().min(1).optional(),
  MOSQUITTO_PID_FILE: z.string().min(1).optional(),
  INFLUX_TENANT_BUCKET_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{0,40}$/, 'letters, digits, dot, dash, underscore').default('tenant-'),
  TENANT_READINGS_IN_MAIN_BUCKET: bool.default(true),
  GRAFANA_TENANTS_DIR: z.string().min(1).optional(),
  GRAFANA_SECRETS_DIR: z.string().min(1).optional(),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
});

/** Never echoed in an error or a log line. Each may also come from a file: `<NAME>_FILE`. */
export const SECRETS = new Set(['MQTT_PASSWORD', 'INFLUX_TOKEN', 'ADMIN_TOKEN', 'OPERATOR_TOKEN']);

export type Config = Readonly<z.infer<typeof configSchema>>;

/** Reads and validates the configuration; throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile: Record<string, string> = {};
  if (env.CONFIG_FILE) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(env.CONFIG_FILE, 'utf8'));
    } catch (err) {
      throw new ConfigError('CONFIG_FILE', 'a readable JSON file of {"VARIABLE": "value"}', `${env.CONFIG_FILE}: ${(err as Error).message}`);
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('CONFIG_FILE', 'a JSON object', env.CONFIG_FILE);
    for (const [k, v] of Object.entries(raw)) fromFile[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key] !== undefined && env[key] !== '' ? env[key] : fromFile[key];
    if (v !== undefined) input[key] = v;
    else if (SECRETS.has(key)) {
      const file = env[`${key}_FILE`] || fromFile[`${key}_FILE`];
      if (file) input[key] = readSecretFile(`${key}_FILE`, file);
    }
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'config');
    // Never echo a secret back, not even a wrong one.
    throw new ConfigError(variable, issue.message, SECRETS.has(variable) ? undefined : input[variable]);
  }
  const c = parsed.data;
  if (c.INFLUX_URL && !c.INFLUX_TOKEN) throw new ConfigError('INFLUX_TOKEN', 'an InfluxDB API token when INFLUX_URL is set');
  if (Boolean(c.TLS_CERT_FILE) !== Boolean(c.TLS_KEY_FILE)) throw new ConfigError(c.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE', 'both TLS_CERT_FILE and TLS_KEY_FILE (PEM files)');
  const mosq = [c.MOSQUITTO_PASSWORD_FILE, c.MOSQUITTO_ACL_FILE].filter(Boolean).length;
  if (mosq === 1) throw new ConfigError(c.MOSQUITTO_PASSWORD_FILE ? 'MOSQUITTO_ACL_FILE' : 'MOSQUITTO_PASSWORD_FILE', 'both MOSQUITTO_PASSWORD_FILE and MOSQUITTO_ACL_FILE');
  if (c.MQTT_MAX_PACKET_BYTES !== undefined && c.MQTT_MAX_PACKET_BYTES <= c.MAX_PAYLOAD_BYTES) {
    throw new ConfigError('MQTT_MAX_PACKET_BYTES', `more than MAX_PAYLOAD_BYTES (${c.MAX_PAYLOAD_BYTES}): a packet holds the payload and its topic`, String(c.MQTT_MAX_PACKET_BYTES));
  }
  if (c.MQTT_EMBEDDED_MAX_QUEUED_BYTES_PER_TENANT !== undefined && c.MQTT_EMBEDDED_MAX_QUEUED_BYTES_PER_TENANT > c.MQTT_EMBEDDED_MAX_QUEUED_BYTES) {
    throw new ConfigError('MQTT_EMBEDDED_MAX_QUEUED_BYTES_PER_TENANT', `at most MQTT_EMBEDDED_MAX_QUEUED_BYTES (${c.MQTT_EMBEDDED_MAX_QUEUED_BYTES})`, String(c.MQTT_EMBEDDED_MAX_QUEUED_BYTES_PER_TENANT));
  }
  return Object.freeze({ ...c });
}

/** A secret from a file (Docker/Kubernetes secrets): its content without the trailing newline. */
function readSecretFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(variable, 'a readable file holding the secret', `${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

/** MQTT_MAX_PACKET_BYTES, by default MAX_PAYLOAD_BYTES + 64 KiB: a payload a little too large still arrives and is dead-lettered with its reason. */
export function maxPacketBytes(c: Config): number {
  return c.MQTT_MAX_PACKET_BYTES ?? c.MAX_PAYLOAD_BYTES + 64 * 1024;
}

export function tenantsDir(c: Config): string {
  return c.TENANTS_DIR ?? resolve(c.DATA_DIR, 'tenants');
}

export function grafanaTenantsDir(c: Config): string {
  return c.GRAFANA_TENANTS_DIR ?? resolve(PACKAGE_ROOT, 'deploy/grafana/tenants');
}

export function targetsDir(c: Config): string {
  return c.TARGETS_DIR ?? resolve(PACKAGE_ROOT, 'services/indicators/targets');
}

export function defaultRegistryFile(c: Config): string {
  return c.REGISTRY_FILE ?? resolve(PACKAGE_ROOT, 'services/demo/registry.json');
}
