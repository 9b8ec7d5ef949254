import type { Bus } from '../bus/types.js';
import { isCompactRecord, readingFromCompact, recordReadings } from '../core/readingRecords.js';

export interface ReadingsFollowerOptions {
  bus: Bus;
  readingsTopic: string;
  /** Its own consumer group: it reads every reading the writer reads, independently. */
  groupId: string;
  /** Told the tenant and observed time of every reading (IndicatorScheduler.mark). */
  scheduler: { mark(tenant: string, observedAt: number): void };
}

/**
 * The indicator service's view of the pipeline: follows the readings topic to learn
 * which periods got (late) readings and marks them for recomputation. A record that
 * is not a reading is skipped (the writer dead-letters it). Returns the part to stop.
 */
export async function followReadings(o: ReadingsFollowerOptions): Promise<{ stop(): Promise<void> }> {
  await o.bus.ensureTopics([o.readingsTopic]);
  const consumer = o.bus.consumer(o.groupId);
  await consumer.connect();
  await consumer.run(o.readingsTopic, async (batch) => {
    for (const m of batch.messages) {
      const compact = isCompactRecord(m.value);
      for (const value of recordReadings(m.value)) {
        try {
          const json: unknown = JSON.parse(value?.toString('utf8') ?? '');
          const r = (compact ? readingFromCompact(json) ?? {} : json) as { tenant?: string; observedAt?: string };
          if (r.tenant && r.observedAt) o.scheduler.mark(r.tenant, Date.parse(r.observedAt));
        } catch {
          /* not a reading: the writer dead-letters it */
        }
      }
    }
    await batch.commit(batch.messages[batch.messages.length - 1]!.offset);
  });
  return { stop: () => consumer.disconnect() };
}
