import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Who did it: an admin token (by id), a tenant's API token, the CLI (OS user), or the system. */
export interface Actor {
  kind: 'admin' | 'operator' | 'tenant' | 'cli' | 'system';
  id: string;
}

export interface AuditEntry {
  time: string;
  actor: Actor;
  action: string;
  tenant?: string;
  target?: string;
  /** What changed, without secrets (never a token, password or hash). */
  details?: Record<string, unknown>;
}

const FORBIDDEN_KEYS = /token|password|secret|hash|credential/i;

/**
 * The audit log: one JSON line per change (tenant created, disabled, device added,
 * token issued, ...), appended with O_APPEND and never rewritten. Details are
 * screened: a key that looks like it holds a secret is refused, so a careless
 * caller fails loudly in tests instead of leaking.
 */
export class AuditLog {
  constructor(readonly file: string) {}

  record(entry: Omit<AuditEntry, 'time'>): AuditEntry {
    for (const key of Object.keys(entry.details ?? {})) {
      if (FORBIDDEN_KEYS.test(key)) throw new Error(`audit details must not carry secrets (key ${JSON.stringify(key)})`);
    }
    const full: AuditEntry = { time: new Date().toISOString(), ...entry };
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    appendFileSync(this.file, `${JSON.stringify(full)}\n`, { mode: 0o600, flag: 'a' });
    return full;
  }

  /** The newest `limit` entries, oldest first, optionally of one tenant. */
  tail(limit = 100, tenant?: string): AuditEntry[] {
    if (!existsSync(this.file)) return [];
    const out: AuditEntry[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as AuditEntry;
        if (!tenant || e.tenant === tenant) out.push(e);
      } catch {
        /* a torn last line after a crash */
      }
    }
    return out.slice(-limit);
  }
}
