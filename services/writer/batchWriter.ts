import { KlimatpulsError, StoreError, errorMessage, isRetriable } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { retry } from '../core/retry.js';

export interface Rejected<T> {
  item: T;
  message: string;
}

export interface BatchWriteHooks {
  /** Called between retries: keep the consumer group alive. */
  heartbeat(): Promise<void>;
  /** False once we are stopping: give up, do not commit. */
  isRunning(): boolean;
  onRetry?(err: unknown): void;
}

/**
 * Writes items (readings, or indexes of readings) in batches, retrying what may
 * succeed later and isolating what never will:
 *  - network errors, 429 and 5xx: retried with backoff and jitter, without limit,
 *    while the consumer is running (nothing is committed meanwhile);
 *  - 400 (invalid data): the batch is split in halves until the bad points are
 *    found; they are returned as rejected, the rest is written.
 */
export async function writeIsolating<T>(
  write: (items: T[]) => Promise<void>,
  items: T[],
  hooks: BatchWriteHooks,
  log: Logger,
): Promise<Array<Rejected<T>>> {
  const abort = new AbortController();
  const tryWrite = (rs: T[]) =>
    retry(
      async () => {
        if (!hooks.isRunning()) abort.abort();
        await write(rs);
      },
      {
        retries: Infinity,
        initialDelayMs: 200,
        maxDelayMs: 15_000,
        signal: abort.signal,
        shouldRetry: (err) => isRetriable(err) && hooks.isRunning(),
        onRetry: async (err, attempt, delayMs) => {
          hooks.onRetry?.(err);
          log.warn({ err: errorMessage(err), attempt, delayMs, points: rs.length }, 'store write failed; retrying');
          await hooks.heartbeat().catch(() => {});
        },
      },
    );

  const rejected: Array<Rejected<T>> = [];
  const go = async (rs: T[]): Promise<void> => {
    try {
      await tryWrite(rs);
    } catch (err) {
      if (!(err instanceof StoreError) || err.code !== 'STORE_REJECTED') {
        if (!hooks.isRunning()) throw new KlimatpulsError('SHUTTING_DOWN', 'stopped while writing', { cause: err });
        throw err;
      }
      if (rs.length === 1) {
        rejected.push({ item: rs[0]!, message: err.message });
        return;
      }
      const mid = Math.ceil(rs.length / 2);
      await go(rs.slice(0, mid));
      await go(rs.slice(mid));
    }
  };
  await go(items);
  return rejected;
}
