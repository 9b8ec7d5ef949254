import type { BusRecord } from '../bus/types.js';
import type { DeadLetterReason } from '../core/deadLetter.js';
import type { Telemetry } from '../core/telemetry.js';
import { compactReading } from '../core/readingRecords.js';
import { processMessage, type ProcessedMessage, type ProcessorOptions } from './messageProcessor.js';

export interface MessageWorkOptions {
  processor: ProcessorOptions;
  readingsTopic: string;
  /** Readings as compactReading lines (for v3 packing: services/core/readingRecords.ts), not v1 JSON. */
  compactReadings?: boolean;
  deadLetterTopic: string;
  telemetry: Telemetry;
  rateLimiter?: { apply(topic: string, payload: Buffer, receivedAt: Date, result: ProcessedMessage): ProcessedMessage };
}

/**
 * One message, ready for the bus: its records, and what is counted once they are
 * acknowledged. Not the readings themselves: the gateway holds this while it waits
 * for Kafka (up to MQTT_MAX_IN_FLIGHT messages), and less held is less for the GC.
 */
export interface PreparedMessage {
  records: BusRecord[];
  readings: number;
  deadLetter?: { reason: DeadLetterReason; field: string };
  /** The MQTT topic of a dead-lettered message (for the debug log once it is produced). */
  topic?: string;
  /** Values without a metric beside the stored ones (counted in klimatpuls_unknown_values_total). */
  unknown?: ProcessedMessage['unknown'];
}

/** At most this many distinct decoder/name label pairs; further names are counted as `(other)`. */
const MAX_UNKNOWN_NAMES = 200;

/**
 * The gateway's CPU work for one MQTT message, without any I/O: count it, process
 * it (decode → normalize), build its bus records; after the bus acknowledged them,
 * count what was produced. Gateway.onMessage and the micro-benchmark
 * bench/gatewayCpu.ts share it, so the benchmark measures what the gateway does.
 */
export class MessageWork {
  // Counted in plain numbers, put into prom-client when metrics are collected
  // (Telemetry.countLocally): prom-client hashes labels and allocates on every update.
  private received = 0;
  private producedMessages = 0;
  private producedReadings = 0;
  private inFlightNow: number | undefined;
  // prom-client children with their labels bound once (no labels object per call)
  private readonly produceLatency;
  private readonly deadLetters = new Map<string, { inc(n?: number): void }>();
  private readonly unknownValues = new Map<string, { inc(n?: number): void }>();

  constructor(private readonly o: MessageWorkOptions) {
    const t = o.telemetry;
    this.produceLatency = t.latency.labels({ service: 'gateway', stage: 'produce' });
    const received = t.messagesReceived.labels({ service: 'gateway' });
    const produced = t.readingsProduced.labels({ service: 'gateway' });
    const inFlight = t.inFlight.labels({ service: 'gateway' });
    t.countLocally(() => {
      if (this.received > 0) received.inc(this.received);
      if (this.producedMessages > 0) produced.inc(this.producedReadings);
      if (this.inFlightNow !== undefined) inFlight.set(this.inFlightNow);
      this.received = this.producedMessages = this.producedReadings = 0;
      this.inFlightNow = undefined;
    });
  }

  prepare(topic: string, rawPayload: Buffer | string): PreparedMessage {
    const { o } = this;
    const receivedAt = new Date();
    this.received++;
    const payload = Buffer.isBuffer(rawPayload) ? rawPayload : Buffer.from(rawPayload);
    const processed = processMessage(topic, payload, receivedAt, o.processor);
    const result = o.rateLimiter ? o.rateLimiter.apply(topic, payload, receivedAt, processed) : processed;
    const records: BusRecord[] = [];
    for (const r of result.readings) records.push({ topic: o.readingsTopic, key: `${r.tenant}/${r.deviceId}`, value: o.compactReadings ? compactReading(r) : JSON.stringify(r) });
    const dl = result.deadLetter;
    const unknown = result.unknown;
    if (!dl) return unknown ? { records, readings: result.readings.length, unknown } : { records, readings: result.readings.length };
    records.push({ topic: o.deadLetterTopic, key: topic, value: JSON.stringify(dl) });
    const deadLetter = { reason: dl.reason, field: dl.field };
    return unknown ? { records, readings: result.readings.length, deadLetter, topic, unknown } : { records, readings: result.readings.length, deadLetter, topic };
  }

  /** The ack gate's count of unacknowledged messages changed (twice per message). */
  inFlight(n: number): void {
    this.inFlightNow = n;
  }

  /**
   * One bus request was acknowledged `seconds` after its first message was handed to
   * the bus: the produce latency, observed once per request (a histogram observation
   * per message cost more than the rest of the counting).
   */
  requestProduced(seconds: number): void {
    this.produceLatency.observe(seconds);
  }

  /** The bus acknowledged `m.records`. */
  produced(m: PreparedMessage): void {
    this.producedMessages++;
    this.producedReadings += m.readings;
    const reason = m.deadLetter?.reason;
    if (reason !== undefined) {
      let counter = this.deadLetters.get(reason);
      if (!counter) this.deadLetters.set(reason, (counter = this.o.telemetry.deadLetters.labels({ service: 'gateway', reason })));
      counter.inc();
    }
    if (m.unknown) for (const u of m.unknown.values) this.unknownCounter(m.unknown.decoder, u.name).inc();
  }

  private unknownCounter(decoder: string, name: string): { inc(n?: number): void } {
    const key = `${decoder}\u0000${name}`;
    let counter = this.unknownValues.get(key);
    if (counter) return counter;
    if (this.unknownValues.size >= MAX_UNKNOWN_NAMES && name !== '(other)') return this.unknownCounter(decoder, '(other)');
    counter = this.o.telemetry.unknownValues.labels({ service: 'gateway', decoder, name });
    this.unknownValues.set(key, counter);
    return counter;
  }
}
