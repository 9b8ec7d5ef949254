import mqtt from 'mqtt';
import { deadLetterSchema, type DeadLetter } from '../core/deadLetter.js';
import type { Bus, ConsumedBatch } from '../bus/types.js';
import { Progress } from '../core/progress.js';
import { sleep } from '../core/retry.js';

export interface DlqReplayOptions {
  bus: Bus;
  deadLetterTopic: string;
  readingsTopic: string;
  mqttUrl: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /** Replay only these reasons (all when empty). */
  reasons: string[];
  /** Count what would be replayed; commit nothing, publish nothing. */
  dryRun: boolean;
  groupId: string;
}

export interface DlqReplaySummary {
  seen: number;
  republishedToMqtt: number;
  reproducedToReadings: number;
  skipped: Record<string, number>;
  byReason: Record<string, number>;
}

/**
 * Sends dead letters back through the pipeline after the cause was fixed (a device
 * added to the registry, a decoder corrected): a message the gateway refused is
 * published again to its MQTT topic, with its original payload; a reading InfluxDB
 * refused is produced again to the readings topic. Reads the dead-letter topic in
 * its own consumer group (so each dead letter is replayed once) up to where it was
 * when the command started, then stops.
 */
export async function replayDeadLetters(o: DlqReplayOptions): Promise<DlqReplaySummary> {
  const summary: DlqReplaySummary = { seen: 0, republishedToMqtt: 0, reproducedToReadings: 0, skipped: {}, byReason: {} };
  const skip = (why: string) => (summary.skipped[why] = (summary.skipped[why] ?? 0) + 1);
  const progress = new Progress('dlq replay');
  await o.bus.ensureTopics([o.deadLetterTopic, o.readingsTopic]);
  const client = o.dryRun ? undefined : await mqtt.connectAsync(o.mqttUrl, { clientId: `klimatpuls-dlq-replay-${process.pid}`, username: o.mqttUsername, password: o.mqttPassword });
  const producer = o.dryRun ? undefined : o.bus.producer({ idempotent: true });
  await producer?.connect();
  const consumer = o.bus.consumer(o.groupId);
  await consumer.connect();

  const handle = async (batch: ConsumedBatch) => {
    const toReadings: Buffer[] = [];
    for (const m of batch.messages) {
      summary.seen++;
      progress.tick();
      let dl: DeadLetter;
      try {
        dl = deadLetterSchema.parse(JSON.parse(m.value?.toString('utf8') ?? ''));
      } catch {
        skip('not a dead letter');
        continue;
      }
      summary.byReason[dl.reason] = (summary.byReason[dl.reason] ?? 0) + 1;
      if (o.reasons.length && !o.reasons.includes(dl.reason)) {
        skip(`reason ${dl.reason} not selected`);
        continue;
      }
      const payload = Buffer.from(dl.payloadBase64, 'base64');
      if (dl.stage === 'gateway') {
        if (!o.dryRun) await client!.publishAsync(dl.topic, payload, { qos: 1 });
        summary.republishedToMqtt++;
      } else if (dl.reason === 'store_rejected') {
        toReadings.push(payload);
        summary.reproducedToReadings++;
      } else skip(`${dl.stage}/${dl.reason} cannot be replayed`);
    }
    if (o.dryRun) return;
    if (toReadings.length) await producer!.send(toReadings.map((value) => ({ topic: o.readingsTopic, key: 'dlq-replay', value })));
    await batch.commit(batch.messages[batch.messages.length - 1]!.offset);
  };
  await consumer.run(o.deadLetterTopic, handle);
  // Caught up when nothing is left behind the head as it was at start (dry runs commit
  // nothing, so they stop when the count of seen records reaches the initial backlog).
  const initial = await consumer.lag();
  for (;;) {
    await sleep(250);
    const left = o.dryRun ? initial - summary.seen : await consumer.lag();
    if (left <= 0) break;
  }
  await consumer.disconnect();
  await producer?.disconnect();
  await client?.endAsync();
  progress.finish(`${summary.seen} dead letters read, ${summary.republishedToMqtt} re-published to MQTT, ${summary.reproducedToReadings} re-produced as readings${o.dryRun ? ' (dry run: nothing sent)' : ''}`);
  return summary;
}
