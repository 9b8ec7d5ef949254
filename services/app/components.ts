import { resolve } from 'node:path';
import { createKafkaBus } from '../bus/kafkaBus.js';
import { createMemoryBus } from '../bus/memoryBus.js';
import type { Bus } from '../bus/types.js';
import { defaultRegistryFile, type Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Telemetry } from '../core/telemetry.js';
import type { CanonicalReading } from '../core/reading.js';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import { DecoderRouter } from '../gateway/decoderRouter.js';
import { Gateway } from '../gateway/gateway.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { InfluxStore } from '../store/influxStore.js';
import type { ReadingStore } from '../store/types.js';
import { Writer } from '../writer/writer.js';

/** Builders shared by the commands: each turns validated config into one part. */

export function buildBus(c: Config, logger: Logger): Bus {
  if (!c.KAFKA_BROKERS) {
    const log = logger.child({ component: 'memory-bus' });
    return createMemoryBus({ onError: (err) => log.error({ err: (err as Error).message }, 'batch failed; fetching it again') });
  }
  return createKafkaBus({
    brokers: c.KAFKA_BROKERS,
    clientId: c.KAFKA_CLIENT_ID,
    partitions: c.KAFKA_PARTITIONS,
    logger,
    deadLetterTopic: c.DEADLETTER_TOPIC,
    deadLetterRetentionMs: 30 * 86_400_000,
  });
}

export async function buildStore(c: Config): Promise<ReadingStore> {
  if (!c.INFLUX_URL) {
    // Loaded only when used: DuckDB is a native module, and the gateway or a writer
    // that talks to InfluxDB must not depend on it being installable.
    const { DuckDbStore } = await import('../store/duckdbStore.js');
    return new DuckDbStore(resolve(c.DATA_DIR, 'klimatpuls.duckdb'));
  }
  return new InfluxStore({ url: c.INFLUX_URL, token: c.INFLUX_TOKEN!, org: c.INFLUX_ORG, bucket: c.INFLUX_BUCKET, measurement: c.INFLUX_MEASUREMENT });
}

export function buildRegistry(c: Config): DeviceRegistry {
  return DeviceRegistry.fromFile(defaultRegistryFile(c));
}

export function buildGateway(c: Config, deps: { bus: Bus; registry: DeviceRegistry; logger: Logger; telemetry: Telemetry; mqttUrl: string }): Gateway {
  return new Gateway({
    mqttUrl: deps.mqttUrl,
    mqttUsername: c.MQTT_USERNAME,
    mqttPassword: c.MQTT_PASSWORD,
    clientId: c.MQTT_CLIENT_ID,
    maxInFlight: c.MQTT_MAX_IN_FLIGHT,
    readingsTopic: c.READINGS_TOPIC,
    deadLetterTopic: c.DEADLETTER_TOPIC,
    maxPayloadBytes: c.MAX_PAYLOAD_BYTES,
    maxFutureMs: c.MAX_FUTURE_SKEW_S * 1000,
    drainTimeoutMs: c.DRAIN_TIMEOUT_MS,
    router: new DecoderRouter(c.DECODER_ROUTES ?? DEFAULT_ROUTES),
    registry: deps.registry,
    bus: deps.bus,
    logger: deps.logger,
    telemetry: deps.telemetry,
  });
}

export function buildWriter(c: Config, deps: { bus: Bus; store: ReadingStore; logger: Logger; telemetry: Telemetry; onWritten?: (readings: CanonicalReading[]) => void }): Writer {
  return new Writer({
    bus: deps.bus,
    store: deps.store,
    readingsTopic: c.READINGS_TOPIC,
    deadLetterTopic: c.DEADLETTER_TOPIC,
    groupId: c.WRITER_GROUP_ID,
    batchSize: c.WRITER_BATCH_SIZE,
    archiveDeadLetters: true,
    drainTimeoutMs: c.DRAIN_TIMEOUT_MS,
    onWritten: deps.onWritten,
    logger: deps.logger,
    telemetry: deps.telemetry,
  });
}
