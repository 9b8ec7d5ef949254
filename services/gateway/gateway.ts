import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { BusProducer, Bus } from '../bus/types.js';
import { BatchingProducer } from '../bus/batchingProducer.js';
import { errorMessage } from '../core/errors.js';
import { fulfilledWithin } from '../core/retry.js';
import type { Logger } from '../core/logger.js';
import type { Telemetry } from '../core/telemetry.js';
import type { DeviceLookup } from '../registry/deviceRegistry.js';
import { packReadings } from '../core/readingRecords.js';
import { FrameTimeCache } from './frameTimeCache.js';
import { installAckGate, type AckGate } from './mqttAckGate.js';
import { gatewayConnectOptions } from './mqttSession.js';
import type { DecoderRouter } from './routing/decoderRouter.js';
import type { ProcessedMessage } from './messageProcessor.js';
import { MessageWork, type PreparedMessage } from './messageWork.js';

export interface GatewayOptions {
  mqttUrl: string;
  mqttUsername?: string;
  mqttPassword?: string;
  clientId: string;
  maxInFlight: number;
  /**
   * MQTT_PROTOCOL_VERSION: 5 tells the broker our window (Receive Maximum), so a stalled
   * store never pauses reading and the keepalive holds; 4 (default here, and for aedes,
   * which refuses MQTT 5) pauses reading when the window is full.
   */
  protocolVersion?: 4 | 5;
  /** MQTT_KEEPALIVE_S (default 30). */
  keepaliveS?: number;
  /**
   * Subscribe through the shared subscription `$share/<group>/<filter>` (MQTT_SHARE_GROUP):
   * the broker hands each message to one gateway of the group, so several instances
   * (each with its own stable client id) split one topic space. Decoders are still
   * chosen by the message's topic, which carries no `$share` prefix.
   */
  shareGroup?: string;
  readingsTopic: string;
  /**
   * READINGS_RECORD_FORMAT: 3 (default) packs readings as compact lines into one record per
   * partition, 2 as their v1 JSON (Kafka buses only; 1 or a bus without partitions: a record per reading).
   */
  readingsRecordFormat?: 1 | 2 | 3;
  deadLetterTopic: string;
  maxPayloadBytes: number;
  maxReadingsPerMessage?: number;
  maxFutureMs: number;
  drainTimeoutMs: number;
  router: DecoderRouter;
  registry: DeviceLookup;
  bus: Bus;
  logger: Logger;
  telemetry: Telemetry;
  /** Per-device / per-tenant rate limits: a message over them becomes a `rate_limited` dead letter. */
  rateLimiter?: { apply(topic: string, payload: Buffer, receivedAt: Date, result: ProcessedMessage): ProcessedMessage };
}

/**
 * MQTT → Kafka. Subscribes with QoS 1 on a persistent session, decodes and
 * normalizes each message, produces readings (keyed by device, so per-device
 * order holds) and dead letters, and acknowledges the MQTT message only after
 * the bus acknowledged everything it became.
 */
export class Gateway {
  private client?: MqttClient;
  private gate?: AckGate;
  private producer?: BusProducer;
  private batcher?: BatchingProducer;
  private readonly log: Logger;
  /** Made at start, once the record format is known. */
  private work!: MessageWork;
  private connectedOnce = false;
  /** The messages waiting for the batcher's newest promise. */
  private sending?: { sent: Promise<void>; sentAt: number; messages: PreparedMessage[] };

  constructor(private readonly o: GatewayOptions) {
    this.log = o.logger.child({ component: 'gateway' });
  }

  private messageWork(compactReadings: boolean): MessageWork {
    const { o } = this;
    return new MessageWork({
      processor: {
        router: o.router,
        registry: o.registry,
        maxPayloadBytes: o.maxPayloadBytes,
        maxReadingsPerMessage: o.maxReadingsPerMessage,
        maxFutureMs: o.maxFutureMs,
        minObservedAt: new Date('2000-01-01T00:00:00Z'),
        frameTimes: new FrameTimeCache(),
      },
      readingsTopic: o.readingsTopic,
      compactReadings,
      deadLetterTopic: o.deadLetterTopic,
      telemetry: o.telemetry,
      rateLimiter: o.rateLimiter,
    });
  }

  get ready(): boolean {
    return Boolean(this.client?.connected);
  }

  async start(): Promise<void> {
    const { o } = this;
    await o.bus.ensureTopics([o.readingsTopic, o.deadLetterTopic]);
    this.producer = o.bus.producer({ idempotent: true });
    await this.producer.connect();
    // One v3 (or v2) record per partition and request (services/core/readingRecords.ts).
    // Records are packed by the topic's partition count as of start; partitions added later
    // place a device's packed readings by their first reading's partition until a restart.
    const format = o.readingsRecordFormat ?? 3;
    const partitions = format !== 1 ? await o.bus.partitionCount?.(o.readingsTopic) : undefined;
    const packFormat = format === 3 ? 3 : 2;
    this.work = this.messageWork(Boolean(partitions) && packFormat === 3);
    this.batcher = new BatchingProducer(this.producer, this.log, {
      maxBatchRecords: 20_000,
      pack: partitions ? (records) => packReadings(records, o.readingsTopic, partitions, packFormat) : undefined,
      onError: () => o.telemetry.busErrors.inc({ service: 'gateway' }),
    });

    const protocolVersion = o.protocolVersion ?? 4;
    const client = mqtt.connect(
      o.mqttUrl,
      gatewayConnectOptions({
        clientId: o.clientId,
        username: o.mqttUsername,
        password: o.mqttPassword,
        protocolVersion,
        keepaliveS: o.keepaliveS ?? 30,
        maxInFlight: o.maxInFlight,
      }),
    );
    this.client = client;
    this.gate = installAckGate(client, (p) => this.onMessage(p), {
      maxInFlight: o.maxInFlight,
      brokerWindow: protocolVersion === 5,
      onInFlight: (n) => this.work.inFlight(n),
    });
    client.on('connect', (connack) => {
      this.log.info({ url: o.mqttUrl, clientId: o.clientId, sessionPresent: connack.sessionPresent }, 'connected to MQTT');
      // With a present session the broker already has our subscriptions; subscribing
      // again is harmless and covers a broker that lost its state.
      const filters = o.router.filters().map((f) => (o.shareGroup ? `$share/${o.shareGroup}/${f}` : f));
      client.subscribe(filters.map((f) => [f, { qos: 1 }]).reduce((acc, [f, q]) => ({ ...acc, [f as string]: q }), {}), (err, granted) => {
        const refused = (granted ?? []).filter((g) => g.qos >= 0x80);
        if (err) this.log.error({ err: errorMessage(err) }, 'subscribe failed');
        else if (refused.length > 0) this.log.error({ refused }, 'subscription refused by the broker');
        else this.log.info({ filters }, 'subscribed');
      });
    });
    client.on('reconnect', () => this.log.debug('reconnecting to MQTT'));
    client.on('offline', () => this.log.warn('MQTT offline'));
    client.on('error', (err) => this.log.warn({ err: errorMessage(err) }, 'MQTT error'));

    await new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        this.connectedOnce = true;
        client.off('error', onError);
        resolve();
      };
      const onError = (err: Error) => {
        if (!this.connectedOnce && /Not authorized|Bad user/i.test(err.message)) reject(err);
      };
      client.once('connect', onConnect);
      client.on('error', onError);
      client.connect();
    });
  }

  private onMessage(packet: IPublishPacket): Promise<void> {
    const m = this.work.prepare(packet.topic, packet.payload);
    // Nothing here holds the packet (its payload) while Kafka acknowledges: what lives
    // through a young-generation collection is copied, and in flight that is thousands.
    const sent = this.batcher!.send(m.records);
    m.records = []; // held by the batcher until packed and sent, not here while Kafka acknowledges
    // The messages of one request share its promise (and the ack gate groups them by it):
    // one reaction counts them all, not an async function per message.
    if (sent !== this.sending?.sent) {
      const batch = { sent, sentAt: performance.now(), messages: [] as PreparedMessage[] };
      this.sending = batch;
      sent.then(
        () => {
          this.work.requestProduced((performance.now() - batch.sentAt) / 1000);
          for (const p of batch.messages) {
            this.work.produced(p);
            if (p.deadLetter) this.log.debug({ topic: p.topic, reason: p.deadLetter.reason, field: p.deadLetter.field }, 'dead-lettered');
          }
          if (this.sending === batch) this.sending = undefined;
        },
        () => {
          if (this.sending === batch) this.sending = undefined;
        },
      );
    }
    this.sending!.messages.push(m);
    return sent;
  }

  /** Stops taking messages, waits for in-flight ones to be acknowledged (bounded), then disconnects. */
  async stop(): Promise<void> {
    if (!this.client) return;
    const client = this.client;
    this.client = undefined;
    this.gate?.close();
    const drained = await fulfilledWithin(this.gate?.drained() ?? Promise.resolve(), this.o.drainTimeoutMs);
    if (!drained) this.log.warn({ inFlight: this.gate?.inFlight }, 'drain timed out; unacknowledged messages will be redelivered by the broker');
    this.batcher?.stop();
    // A clean DISCONNECT (the broker keeps our session and its queued messages); if the
    // broker does not answer within 5 s, the socket is closed anyway.
    if (!(await fulfilledWithin(client.endAsync(false), 5000))) await client.endAsync(true).catch(() => {});
    await this.producer?.disconnect().catch(() => {});
    this.log.info('gateway stopped');
  }
}
