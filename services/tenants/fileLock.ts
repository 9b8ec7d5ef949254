import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { ProvisioningError } from '../core/errors.js';
import { retry } from '../core/retry.js';

const STALE_MS = 30_000;

/**
 * An exclusive lock between processes (the admin API, the CLI, `start`) that
 * change the same tenant registry: a lock file created with O_EXCL. A lock older
 * than 30 s belongs to a process that died mid-change and is broken.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const fd = await retry(
    async () => {
      try {
        return openSync(path, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        breakIfStale(path);
        throw Object.assign(new Error(`${path} is locked`), { locked: true });
      }
    },
    { retries: 60, initialDelayMs: 10, maxDelayMs: 250, factor: 2, shouldRetry: (err) => Boolean((err as { locked?: boolean }).locked) },
  ).catch((err: unknown) => {
    throw new ProvisioningError('store', `could not lock the tenant registry: ${(err as Error).message}`, { retriable: true, cause: err });
  });
  try {
    writeSync(fd, `${process.pid}\n`);
    return await fn();
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

function breakIfStale(path: string): void {
  try {
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
  } catch {
    /* gone meanwhile */
  }
}
