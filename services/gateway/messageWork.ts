import type { BusRecord } from '../bus/types.js';
import type { Telemetry } from '../core/telemetry.js';
import { processMessage, type ProcessedMessage, type ProcessorOptions } from './messageProcessor.js';

export interface MessageWorkOptions {
  processor: ProcessorOptions;
  readingsTopic: string;
  deadLetterTopic: string;
  telemetry: Telemetry;
  rateLimiter?: { apply(topic: string, payload: Buffer, receivedAt: Date, result: ProcessedMessage): ProcessedMessage };
}

/** One message, ready for the bus. */
export interface PreparedMessage {
  result: ProcessedMessage;
  records: BusRecord[];
}

/**
 * The gateway's CPU work for one MQTT message, without any I/O: count it, process
 * it (decode → normalize), build its bus records; after the bus acknowledged them,
 * count what was produced. Gateway.onMessage and the micro-benchmark
 * bench/gatewayCpu.ts share it, so the benchmark measures what the gateway does.
 */
export class MessageWork {
  constructor(private readonly o: MessageWorkOptions) {}

  prepare(topic: string, rawPayload: Buffer | string): PreparedMessage {
    const { o } = this;
    const receivedAt = new Date();
    o.telemetry.messagesReceived.inc({ service: 'gateway' });
    const payload = Buffer.isBuffer(rawPayload) ? rawPayload : Buffer.from(rawPayload);
    const processed = processMessage(topic, payload, receivedAt, o.processor);
    const result = o.rateLimiter ? o.rateLimiter.apply(topic, payload, receivedAt, processed) : processed;
    const records: BusRecord[] = result.readings.map((r) => ({
      topic: o.readingsTopic,
      key: `${r.tenant}/${r.deviceId}`,
      value: Buffer.from(JSON.stringify(r)),
    }));
    if (result.deadLetter) {
      records.push({ topic: o.deadLetterTopic, key: topic, value: Buffer.from(JSON.stringify(result.deadLetter)) });
    }
    return { result, records };
  }

  /** The ack gate's count of unacknowledged messages changed (twice per message). */
  inFlight(n: number): void {
    this.o.telemetry.inFlight.set({ service: 'gateway' }, n);
  }

  /** The bus acknowledged `m.records` after `produceSeconds`. */
  produced(m: PreparedMessage, produceSeconds: number): void {
    const { telemetry } = this.o;
    telemetry.latency.observe({ service: 'gateway', stage: 'produce' }, produceSeconds);
    telemetry.readingsProduced.inc({ service: 'gateway' }, m.result.readings.length);
    if (m.result.deadLetter) telemetry.deadLetters.inc({ service: 'gateway', reason: m.result.deadLetter.reason });
  }
}
