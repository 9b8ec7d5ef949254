import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './logger.js';

/**
 * DATA_DIR holds every tenant's readings and raw payloads (DuckDB), TENANTS_DIR the
 * registry, the audit log, token files and read tokens: only the service's own user
 * may read them (issue 13, item 12). Folders are 0700, files 0600.
 *
 * DuckDB creates its files itself (the database, and the `.wal` later, at the first
 * write after a checkpoint) with mode 0666 less the umask, so no chmod after opening
 * can cover the `.wal`: the process umask is set to 077 before DuckDB opens anything.
 * It applies to every file this process creates afterwards, which is what a server
 * holding tenants' data wants.
 */
export function restrictNewFiles(): void {
  try {
    process.umask(process.umask() | 0o077);
  } catch {
    // In a worker thread the umask cannot be set (it is the process's); DATA_DIR is 0700 regardless.
  }
}

/**
 * Creates `dir` 0700, or tightens an existing one (and the files directly in it, and
 * in `subdirs`) that group or others may read, with a log line naming what changed.
 */
export function securePrivateDir(dir: string, logger?: Logger, subdirs: string[] = []): string[] {
  const tightened: string[] = [];
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tighten = (path: string, mode: number) => {
    const st = statSync(path);
    if ((st.mode & 0o077) === 0) return;
    chmodSync(path, mode);
    tightened.push(`${path} ${(st.mode & 0o777).toString(8)} -> ${mode.toString(8)}`);
  };
  for (const d of [dir, ...subdirs.map((s) => join(dir, s))]) {
    if (!existsSync(d)) continue;
    tighten(d, 0o700);
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isFile()) tighten(join(d, entry.name), 0o600);
    }
  }
  if (tightened.length) logger?.warn({ dir, tightened }, 'data folder readable by others: permissions tightened to 0700 (folders) and 0600 (files)');
  return tightened;
}
