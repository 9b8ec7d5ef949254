import { errorMessage } from '../../core/errors.js';

/**
 * Whether opening a DuckDB file failed because another process has it open: DuckDB
 * lets one process open a database file for writing and no other process open it
 * beside it, not even read-only ("IO Error: Could not set lock on file ...:
 * Conflicting lock is held in ... (PID n)").
 */
export function isHeldByAnotherProcess(err: unknown): boolean {
  return /Could not set lock on file/.test(errorMessage(err));
}
