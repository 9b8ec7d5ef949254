import { createKafkaBus } from '../bus/kafkaBus.js';
import { createPlatformaticBus } from '../bus/platformaticBus.js';
import { Gauge } from 'prom-client';
import { createMemoryBus, type MemoryBus } from '../bus/memoryBus.js';
import type { Bus } from '../bus/types.js';
import { defaultRegistryFile, type Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Telemetry } from '../core/telemetry.js';
import type { CanonicalReading } from '../core/reading.js';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import type { EmbeddedBroker } from '../broker/embeddedBroker.js';
import { Gateway } from '../gateway/gateway.js';
import { DeviceRegistry, type DeviceLookup } from '../registry/deviceRegistry.js';
import { MessageRateLimiter } from '../gateway/limits/messageRateLimiter.js';
import { buildSink } from '../sinks/index.js';
import { TenantTopicRouter } from '../gateway/routing/tenantRouter.js';
import type { TenantStore } from '../tenants/tenantStore.js';
import type { ReadingStore } from '../core/storePorts.js';
import { Writer } from '../writer/writer.js';

/** Builders shared by the commands: each turns validated config into one part. */

/**
 * The embedded pipeline's buffers as metrics: bytes the broker holds for sessions
 * (klimatpuls_mqtt_queued_bytes), publishes it made wait (klimatpuls_mqtt_paused_publishes_total),
 * and the in-process bus's uncommitted bytes per topic (klimatpuls_bus_bytes).
 */
export function embeddedMetrics(telemetry: Telemetry, broker: EmbeddedBroker | undefined, bus: Bus): void {
  const registers = [telemetry.registry];
  if (broker) {
    const backlog = broker.backlog;
    new Gauge({ name: 'klimatpuls_mqtt_queued_bytes', help: 'Bytes of QoS 1 messages the embedded broker holds for sessions', registers, collect() { this.set(backlog.bytes); } });
    new Gauge({ name: 'klimatpuls_mqtt_paused_publishes_total', help: 'Publishes the embedded broker made wait (session backlog over its bound)', registers, collect() { this.set(backlog.paused); } });
  }
  const usage = 'usage' in bus ? (bus as MemoryBus).usage.bind(bus) : undefined;
  if (usage) {
    new Gauge({
      name: 'klimatpuls_bus_bytes', help: 'Uncommitted bytes per topic of the in-process bus', labelNames: ['topic'], registers,
      collect() { for (const [topic, u] of Object.entries(usage())) this.set({ topic }, u.bytes); },
    });
  }
}

export function buildBus(c: Config, logger: Logger): Bus {
  if (!c.KAFKA_BROKERS) {
    const log = logger.child({ component: 'memory-bus' });
    return createMemoryBus({ maxBytes: c.BUS_MAX_BYTES, onError: (err) => log.error({ err: (err as Error).message }, 'batch failed; fetching it again') });
  }
  // KAFKA_CLIENT: the same bus contract on kafkajs or on @platformatic/kafka
  const create = c.KAFKA_CLIENT === 'platformatic' ? createPlatformaticBus : createKafkaBus;
  return create({
    brokers: c.KAFKA_BROKERS,
    clientId: c.KAFKA_CLIENT_ID,
    partitions: c.KAFKA_PARTITIONS,
    logger,
    deadLetterTopic: c.DEADLETTER_TOPIC,
    deadLetterRetentionMs: 30 * 86_400_000,
  });
}

/** The reading store of the configured sink (services/sinks/index.ts), for services that only write. */
export async function buildStore(c: Config, tenants?: TenantStore, logger?: Logger): Promise<ReadingStore> {
  return (await buildSink(c, { tenants, logger })).store;
}

export function buildRegistry(c: Config): DeviceRegistry {
  return DeviceRegistry.fromFile(defaultRegistryFile(c));
}

/** `mqttAuth` (the embedded broker's pipeline user) replaces MQTT_USERNAME / MQTT_PASSWORD. */
export function buildGateway(
  c: Config,
  deps: {
    bus: Bus;
    registry: DeviceLookup;
    logger: Logger;
    telemetry: Telemetry;
    mqttUrl: string;
    mqttAuth?: { username?: string; password?: string };
    /** The embedded broker (aedes 1.2) speaks MQTT 3.1.1 only. */
    embeddedBroker?: boolean;
  },
): Gateway {
  return new Gateway({
    mqttUrl: deps.mqttUrl,
    mqttUsername: deps.mqttAuth ? deps.mqttAuth.username : c.MQTT_USERNAME,
    mqttPassword: deps.mqttAuth ? deps.mqttAuth.password : c.MQTT_PASSWORD,
    clientId: c.MQTT_CLIENT_ID,
    maxInFlight: c.MQTT_MAX_IN_FLIGHT,
    protocolVersion: deps.embeddedBroker ? 4 : c.MQTT_PROTOCOL_VERSION,
    keepaliveS: c.MQTT_KEEPALIVE_S,
    shareGroup: c.MQTT_SHARE_GROUP,
    readingsTopic: c.READINGS_TOPIC,
    readingsRecordFormat: c.READINGS_RECORD_FORMAT,
    deadLetterTopic: c.DEADLETTER_TOPIC,
    maxPayloadBytes: c.MAX_PAYLOAD_BYTES,
    maxReadingsPerMessage: c.MAX_READINGS_PER_MESSAGE,
    maxFutureMs: c.MAX_FUTURE_SKEW_S * 1000,
    drainTimeoutMs: c.DRAIN_TIMEOUT_MS,
    router: new TenantTopicRouter(c.DECODER_ROUTES ?? DEFAULT_ROUTES),
    rateLimiter: buildRateLimiter(c),
    registry: deps.registry,
    bus: deps.bus,
    logger: deps.logger,
    telemetry: deps.telemetry,
  });
}

/** Undefined when no limit is configured (RATE_LIMIT_DEVICE_PER_MIN, RATE_LIMIT_TENANT_PER_S). */
export function buildRateLimiter(c: Config): MessageRateLimiter | undefined {
  const limiter = new MessageRateLimiter({
    devicePerMin: c.RATE_LIMIT_DEVICE_PER_MIN,
    deviceBurst: c.RATE_LIMIT_DEVICE_BURST,
    tenantPerSec: c.RATE_LIMIT_TENANT_PER_S,
    tenantBurst: c.RATE_LIMIT_TENANT_BURST,
    maxKeys: c.RATE_LIMIT_MAX_KEYS,
  });
  return limiter.enabled ? limiter : undefined;
}

export function buildWriter(c: Config, deps: { bus: Bus; store: ReadingStore; logger: Logger; telemetry: Telemetry; onWritten?: (readings: CanonicalReading[]) => void; onDeadLettersArchived?: (receivedAt: string[]) => void }): Writer {
  return new Writer({
    bus: deps.bus,
    store: deps.store,
    readingsTopic: c.READINGS_TOPIC,
    deadLetterTopic: c.DEADLETTER_TOPIC,
    groupId: c.WRITER_GROUP_ID,
    batchSize: c.WRITER_BATCH_SIZE,
    concurrency: c.WRITER_CONCURRENCY,
    maxQueued: c.WRITER_MAX_QUEUED,
    archiveDeadLetters: true,
    drainTimeoutMs: c.DRAIN_TIMEOUT_MS,
    onWritten: deps.onWritten,
    onDeadLettersArchived: deps.onDeadLettersArchived,
    logger: deps.logger,
    telemetry: deps.telemetry,
  });
}
