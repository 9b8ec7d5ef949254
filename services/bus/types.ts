import type { Logger } from '../core/logger.js';
/**
 * The message bus between gateway and writer. Kafka in production; an in-process
 * stand-in (memoryBus) in the embedded `npm start`. Both honour the same contract:
 * `send` resolves only when the records are durably accepted, and a consumer's
 * position moves only when `commit` is called after the batch was handled.
 */
export interface BusRecord {
  topic: string;
  key: string;
  /** Bytes, or text sent as UTF-8 (a JSON string need not be copied into a Buffer first). */
  value: Buffer | string;
  /** The partition, when the producer chose it (packed v2 readings records); else by the key's murmur2. */
  partition?: number;
}

export interface BusProducer {
  connect(): Promise<void>;
  /** Resolves when every record is acknowledged; may reject with a retriable error. */
  send(records: BusRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ConsumedMessage {
  offset: string;
  key: string | null;
  value: Buffer | null;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /** Keep the group membership alive during long work (InfluxDB down, retries). */
  heartbeat(): Promise<void>;
  /** Marks everything up to and including `offset` as done. */
  commit(offset: string): Promise<void>;
  /** False once the consumer is stopping; long work should give up and not commit. */
  isRunning(): boolean;
}

export interface BusConsumer {
  connect(): Promise<void>;
  run(topic: string, eachBatch: (batch: ConsumedBatch) => Promise<void>): Promise<void>;
  /** Stops fetching; resolves after the batch in hand finished. */
  disconnect(): Promise<void>;
  /** Messages behind the head of the topic, summed over partitions (for metrics). */
  lag(): Promise<number>;
}

export interface Bus {
  kind: 'kafka' | 'memory';
  producer(opts?: { idempotent?: boolean }): BusProducer;
  consumer(groupId: string): BusConsumer;
  ensureTopics(topics: string[]): Promise<void>;
  /** Partitions of an existing topic (Kafka buses; the gateway packs readings per partition). */
  partitionCount?(topic: string): Promise<number>;
  /** Releases shared connections (admin client). */
  close(): Promise<void>;
}

/** What a bus on Kafka is built from (kafkaBus.ts, platformaticBus.ts). */
export interface BusOptions {
  brokers: string[];
  clientId: string;
  partitions: number;
  logger: Logger;
  /** Retention of the dead-letter topic: long enough to fix a decoder and replay. */
  deadLetterTopic?: string;
  deadLetterRetentionMs?: number;
}
