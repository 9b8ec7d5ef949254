import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]": tokens, passwords, credentials and
 * Authorization headers, at the top level and one level down (pino's `*`).
 * Code never logs a secret on purpose; this is the second line of defence, and
 * test/security asserts that no issued secret reaches a log line.
 */
const SECRET_KEYS = ['token', 'password', 'apiToken', 'readToken', 'credentials', 'authorization', 'INFLUX_TOKEN', 'MQTT_PASSWORD', 'ADMIN_TOKEN'];
export const REDACT = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

/** JSON logs to stdout; components take a child logger (`logger.child({ component })`). */
export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'klimatpuls' },
      // Secrets never reach a log line, even if an object carrying them is logged.
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    destination as pino.DestinationStream | undefined,
  );
}
