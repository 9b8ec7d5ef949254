import { createWriteStream } from 'node:fs';
import mqtt from 'mqtt';
import { Progress } from '../core/progress.js';
import { toCaptured } from './ndjson.js';

export interface RecordOptions {
  mqttUrl: string;
  out: string;
  topics: string[];
  username?: string;
  password?: string;
  /** Stop after this many messages or seconds (else on SIGINT/SIGTERM or `signal`). */
  count?: number;
  seconds?: number;
  signal?: AbortSignal;
}

/**
 * Captures live MQTT traffic to NDJSON (topic, payload, QoS, time), one message a
 * line, written as it arrives (stream with backpressure: nothing piles up in
 * memory while the disk is slow, the subscription just reads slower).
 */
export async function record(o: RecordOptions): Promise<{ recorded: number; bytes: number }> {
  const out = createWriteStream(o.out, { flags: 'w' });
  const progress = new Progress('record', o.count);
  const client = await mqtt.connectAsync(o.mqttUrl, { clientId: `klimatpuls-record-${process.pid}-${Date.now()}`, username: o.username, password: o.password, reconnectPeriod: 1000 });
  let bytes = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  client.handleMessage = (packet, callback) => {
    const line = `${JSON.stringify(toCaptured(packet.topic, Buffer.from(packet.payload as Buffer), packet.qos, new Date(), packet.retain))}\n`;
    bytes += line.length;
    progress.tick();
    if (o.count !== undefined && progress.count >= o.count) finish();
    if (out.write(line)) callback();
    else out.once('drain', () => callback());
  };
  await client.subscribeAsync(o.topics.map((t) => ({ topic: t, qos: 1 as const })).reduce((a, s) => ({ ...a, [s.topic]: { qos: s.qos } }), {}));
  const timer = o.seconds ? setTimeout(finish, o.seconds * 1000) : undefined;
  const onSignal = () => finish();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  o.signal?.addEventListener('abort', onSignal, { once: true });
  await finished;
  clearTimeout(timer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await client.endAsync();
  await new Promise<void>((r) => out.end(() => r()));
  progress.finish(`${progress.count} messages, ${bytes} bytes to ${o.out}`);
  return { recorded: progress.count, bytes };
}
