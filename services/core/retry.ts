import { isRetriable, KlimatpulsError } from './errors.js';

export interface RetryOptions {
  /** Attempts after the first; Infinity retries until `signal` aborts. */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** Decides whether an error is worth another attempt; default: `isRetriable`. */
  shouldRetry?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void | Promise<void>;
  signal?: AbortSignal;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 8, initialDelayMs: 100, maxDelayMs: 10_000, factor: 2 };

/**
 * Exponential backoff with "full jitter" (AWS architecture blog): the delay is drawn
 * uniformly from [0, min(max, initial * factor^attempt)], so many clients that failed
 * together do not retry together. The one retry helper used everywhere.
 */
export function backoffDelay(attempt: number, o: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs' | 'factor' | 'random'>): number {
  const ceiling = Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** attempt);
  return Math.round((o.random ?? Math.random)() * ceiling);
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: Partial<RetryOptions> = {}): Promise<T> {
  const o: RetryOptions = { ...DEFAULT_RETRY, ...opts };
  const shouldRetry = o.shouldRetry ?? isRetriable;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (o.signal?.aborted) throw abortError(err);
      if (attempt >= o.retries || !shouldRetry(err)) throw err;
      const delay = backoffDelay(attempt, o);
      await o.onRetry?.(err, attempt + 1, delay);
      await sleep(delay, o.signal).catch(() => {
        throw abortError(err);
      });
    }
  }
}

function abortError(cause: unknown): KlimatpulsError {
  return new KlimatpulsError('SHUTTING_DOWN', 'retry aborted: shutting down', { cause });
}

/**
 * True when `p` fulfils within `ms`, false when it rejects or the time runs out first
 * (bounded waits in `stop()`: drain, then give up). The timer keeps no process alive.
 */
export function fulfilledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  return Promise.race([p.then(() => true, () => false), timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
