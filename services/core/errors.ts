/**
 * One error type for the whole of Klimatpuls, in the spirit of KafkaJS's errors:
 * every error carries a stable `code`, whether retrying may help (`retriable`), and
 * the underlying `cause`. Retry decisions look at `retriable`, never at messages.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'STORE_UNAVAILABLE'
  | 'STORE_REJECTED'
  | 'STORE_THROTTLED'
  | 'REGISTRY_INVALID'
  | 'BROKER_UNAVAILABLE'
  | 'BUS_UNAVAILABLE'
  | 'SHUTTING_DOWN'
  | 'INVALID_INPUT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_REQUESTS'
  | 'TOO_LARGE'
  | 'PROVISIONING_FAILED';

export class KlimatpulsError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  override readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message);
    this.name = 'KlimatpulsError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.cause = opts.cause;
  }
}

/** A configuration value is missing or wrong; `variable` names it. */
export class ConfigError extends KlimatpulsError {
  constructor(
    readonly variable: string,
    readonly expected: string,
    received?: string,
  ) {
    super('CONFIG_INVALID', `${variable}: expected ${expected}${received === undefined ? '' : `, got ${JSON.stringify(received)}`}`);
    this.name = 'ConfigError';
  }
}

/** InfluxDB (or the embedded store) answered; `status` is its HTTP status when there is one. */
export class StoreError extends KlimatpulsError {
  constructor(
    code: 'STORE_UNAVAILABLE' | 'STORE_REJECTED' | 'STORE_THROTTLED',
    message: string,
    readonly status?: number,
    cause?: unknown,
  ) {
    super(code, message, { retriable: code !== 'STORE_REJECTED', cause });
    this.name = 'StoreError';
  }
}

/**
 * A request to the admin or tenant API (or the same operation from the CLI) that
 * cannot be done as asked. `status` is the HTTP status the API answers with.
 * Messages are shown to the caller: they never contain a secret.
 */
export class RequestError extends KlimatpulsError {
  constructor(code: 'INVALID_INPUT' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'TOO_LARGE', message: string) {
    super(code, message);
    this.name = 'RequestError';
  }

  get status(): number {
    return REQUEST_STATUS[this.code as keyof typeof REQUEST_STATUS] ?? 400;
  }
}

const REQUEST_STATUS = { INVALID_INPUT: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, TOO_MANY_REQUESTS: 429, TOO_LARGE: 413 } as const;

/**
 * A Kafka request failed (broker down, no leader, request refused); `retriable`
 * as the Kafka client judged it. The kafkajs bus leaves kafkajs's own errors as
 * they are (they carry `retriable` too); the platformatic bus maps its errors here.
 */
export class BusError extends KlimatpulsError {
  constructor(message: string, opts: { retriable: boolean; cause?: unknown }) {
    super('BUS_UNAVAILABLE', message, opts);
    this.name = 'BusError';
  }
}

/** Setting a tenant up in the broker, InfluxDB or Grafana failed (retriable when the service was unreachable). */
export class ProvisioningError extends KlimatpulsError {
  constructor(
    readonly target: 'mosquitto' | 'influxdb' | 'grafana' | 'store',
    message: string,
    opts: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super('PROVISIONING_FAILED', `${target}: ${message}`, opts);
    this.name = 'ProvisioningError';
  }
}

export function isRetriable(err: unknown): boolean {
  if (err instanceof KlimatpulsError) return err.retriable;
  // kafkajs marks its own errors with `retriable`; network errors carry a code.
  if (err && typeof err === 'object') {
    const e = err as { retriable?: unknown; code?: unknown };
    if (typeof e.retriable === 'boolean') return e.retriable;
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  }
  return false;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
