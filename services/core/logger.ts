import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout; components take a child logger (`logger.child({ component })`). */
export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'klimatpuls' },
      // Secrets never reach a log line, even if an object carrying them is logged.
      redact: { paths: ['*.token', '*.password', 'token', 'password', '*.INFLUX_TOKEN', '*.MQTT_PASSWORD'], censor: '[redacted]' },
    },
    destination as pino.DestinationStream | undefined,
  );
}
