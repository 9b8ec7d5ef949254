import type { Logger } from '../core/logger.js';

export interface Service {
  stop(): Promise<void>;
}

/**
 * Stops the started parts in reverse order on SIGINT/SIGTERM (each `stop` drains
 * its in-flight work), then exits. A second signal exits at once.
 */
export function stopOnSignals(parts: Service[], log: Logger, onStopped?: () => void): void {
  let stopping = false;
  const handler = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    for (const p of [...parts].reverse()) {
      try {
        await p.stop();
      } catch (err) {
        log.error({ err: (err as Error).message }, 'error while stopping');
      }
    }
    onStopped?.();
    process.exit(0);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
