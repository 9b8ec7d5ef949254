import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { KlimatpulsError } from '../core/errors.js';
import { Progress } from '../core/progress.js';
import { capturedMessageSchema, payloadOf } from './ndjson.js';

export interface ReplayOptions {
  file: string;
  mqttUrl: string;
  /** 1 = real time, 10 = ten times faster, 0 = as fast as the broker takes it. */
  speed: number;
  username?: string;
  password?: string;
  /** Unacknowledged QoS 1 publishes at once (memory stays bounded by it). */
  window?: number;
  progress?: boolean;
}

export interface ReplaySummary {
  published: number;
  skipped: Array<{ line: number; error: string }>;
  seconds: number;
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file) })) if (line.trim()) n++;
  return n;
}

/**
 * Publishes an NDJSON capture to MQTT, keeping the recorded spacing divided by
 * `speed`. Streams the file (no full load), and keeps at most `window`
 * publishes unacknowledged so a slow broker slows the replay instead of
 * growing memory. A line that is not a captured message is skipped and
 * reported with its line number.
 */
export async function replay(o: ReplayOptions): Promise<ReplaySummary> {
  if (!(o.speed >= 0)) throw new KlimatpulsError('CONFIG_INVALID', '--speed: expected a number >= 0 (0 = as fast as possible)');
  const total = o.progress === false ? undefined : await countLines(o.file);
  const progress = new Progress('replay', total);
  const client = await mqtt.connectAsync(o.mqttUrl, { clientId: `klimatpuls-replay-${process.pid}-${Date.now()}`, username: o.username, password: o.password, reconnectPeriod: 1000 });
  const window = o.window ?? 500;
  const inFlight = new Set<Promise<unknown>>();
  const skipped: ReplaySummary['skipped'] = [];
  const started = Date.now();
  let firstTime: number | undefined;
  let lineNo = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(o.file) })) {
      lineNo++;
      if (!line.trim()) continue;
      let msg;
      try {
        msg = capturedMessageSchema.parse(JSON.parse(line));
      } catch (err) {
        skipped.push({ line: lineNo, error: (err as Error).message.slice(0, 200) });
        continue;
      }
      if (o.speed > 0) {
        const t = Date.parse(msg.time);
        firstTime ??= t;
        const due = started + (t - firstTime) / o.speed;
        const wait = due - Date.now();
        if (wait > 5) await new Promise((r) => setTimeout(r, wait));
      }
      while (inFlight.size >= window) await Promise.race(inFlight);
      const p = client.publishAsync(msg.topic, payloadOf(msg), { qos: msg.qos, retain: msg.retain ?? false }).finally(() => inFlight.delete(p));
      inFlight.add(p);
      progress.tick();
    }
    await Promise.all(inFlight);
  } finally {
    await client.endAsync();
  }
  const summary = { published: progress.count, skipped, seconds: (Date.now() - started) / 1000 };
  progress.finish(`${summary.published} messages published${skipped.length ? `, ${skipped.length} lines skipped` : ''}`);
  return summary;
}
