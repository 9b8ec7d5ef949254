import { buildBus, buildGateway, buildRegistry, buildStore, buildWriter } from '../../services/app/components.js';
import { loadConfig } from '../../services/core/config.js';
import { createLogger } from '../../services/core/logger.js';
import { Telemetry } from '../../services/core/telemetry.js';
import { DEFAULT_ROUTES } from '../../services/decoders/index.js';
import { STACK, createBucket, discardSession, runId } from './stack.js';

/**
 * A gateway and a writer, in this process, against the real stack, with their own
 * topics, consumer group and bucket (so tests do not see each other's data).
 */
export async function startPipeline(opts: { registryFile: string; routes?: string; extraEnv?: Record<string, string>; id?: string }) {
  const id = opts.id ?? runId('p');
  const bucket = `test-${id}`;
  if (!opts.id) await createBucket(bucket);
  const c = loadConfig({
    MQTT_URL: STACK.mqttUrl, ...STACK.mqttEnv, MQTT_CLIENT_ID: `gw-${id}`,
    DECODER_ROUTES: opts.routes ?? DEFAULT_ROUTES.map(([f, n]) => `${f}=${n}`).join(','),
    KAFKA_BROKERS: STACK.kafka, READINGS_TOPIC: `test.${id}.readings`, DEADLETTER_TOPIC: `test.${id}.deadletter`, WRITER_GROUP_ID: `writer-${id}`,
    INFLUX_URL: STACK.influxUrl, INFLUX_TOKEN: STACK.influxToken, INFLUX_ORG: STACK.influxOrg, INFLUX_BUCKET: bucket,
    REGISTRY_FILE: opts.registryFile, LOG_LEVEL: 'error', ...opts.extraEnv,
  });
  const logger = createLogger(c.LOG_LEVEL);
  const telemetry = new Telemetry({ defaultMetrics: false });
  const bus = buildBus(c, logger);
  const writer = buildWriter(c, { bus, store: await buildStore(c), logger, telemetry });
  await writer.start();
  const gateway = buildGateway(c, { bus, registry: buildRegistry(c), logger, telemetry, mqttUrl: c.MQTT_URL! });
  await gateway.start();
  return {
    id, bucket, config: c, telemetry, bus,
    async stop(opts: { keepSession?: boolean } = {}) {
      await gateway.stop();
      await writer.stop();
      await bus.close();
      if (!opts.keepSession) await discardSession(c.MQTT_CLIENT_ID);
    },
  };
}
