import { GenericError, MultipleErrors } from '@platformatic/kafka';
import { BusError, KlimatpulsError } from '../core/errors.js';
import { backoffDelay } from '../core/retry.js';

/**
 * The client's own retries per request (backoff with jitter, as kafkaBus gives
 * kafkajs); the callers retry on top (BatchingProducer, the consumer's restart).
 * Closing a client ends its retries at once.
 */
export const CLIENT_RETRIES = {
  retries: 8,
  retryDelay: (_client: unknown, _op: string, attempt: number) => Math.max(50, backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 5_000, factor: 2 })),
  connectTimeout: 5_000,
  requestTimeout: 30_000,
} as const;

/**
 * @platformatic/kafka's errors as BusErrors (services/core/errors.ts): retriable
 * unless the client marked an error in the chain `canRetry: false` (a refused
 * request, a bad option), so `retry` (services/core/retry.ts) and the callers'
 * `isRetriable` decide as they do with kafkajs's `retriable`.
 */
export function toBusError(err: unknown, what: string): KlimatpulsError {
  if (err instanceof KlimatpulsError) return err;
  const retriable = isGeneric(err) ? !(err as GenericError).findBy('canRetry', false) : true;
  return new BusError(`kafka ${what}: ${innermostMessage(err)}`, { retriable, cause: err });
}

function isGeneric(err: unknown): err is GenericError | MultipleErrors {
  return !!err && typeof err === 'object' && (GenericError.isGenericError(err as Error) || MultipleErrors.isMultipleErrors(err as Error));
}

/** "produce failed 4 times." says little: the last attempt's own error says why. */
function innermostMessage(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    const errors = (e as { errors?: unknown[] } | undefined)?.errors;
    if (Array.isArray(errors) && errors.length > 0) e = errors[errors.length - 1];
    else break;
  }
  const own = e instanceof Error ? e.message : String(e);
  const top = err instanceof Error ? err.message : String(err);
  return own === top ? top : `${top} (${own})`;
}

/** Runs `fn`, turning what it throws into a BusError. */
export async function mapped<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toBusError(err, what);
  }
}
