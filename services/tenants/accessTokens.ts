import { RequestError } from '../core/errors.js';
import { LoginThrottle } from '../security/loginThrottle.js';
import { fingerprint, hashSecret, issueToken, parseToken, sameSecret } from '../security/secrets.js';
import type { Actor, AuditLog } from './auditLog.js';
import type { TenantStore } from './tenantStore.js';

export type Principal = { kind: 'admin'; id: string } | { kind: 'operator'; id: string } | { kind: 'tenant'; tenant: string; id: string };

/** Stored token kinds besides the tenants' own: admin (tenants) and operator (operational endpoints). */
export type StaffRole = 'admin' | 'operator';
const LIST = { admin: 'adminTokens', operator: 'operatorTokens' } as const;

const CACHE_MS = 60_000;
const CACHE_MAX = 1000;

/**
 * API tokens: admin tokens (manage tenants), operator tokens (read the operational
 * endpoints: /metrics, /api/readings/latest, /api/indicators, /report; an admin
 * token is accepted there too) and tenant tokens (a tenant manages its own
 * buildings and devices). Only scrypt hashes are stored. A token names its
 * record (`kpa_<id>_...`), so checking it costs one scrypt; a verified token is
 * remembered for a minute by its SHA-256 (in memory only) together with the hash it
 * matched, while revocation and a disabled tenant are checked on every request.
 *
 * Bootstrap: ADMIN_TOKEN and OPERATOR_TOKEN (environment or `*_FILE`) are accepted
 * without being stored; `klimatpuls admin-token create` and `operator-token create`
 * issue stored ones.
 *
 * Failures are throttled per caller address and token id (LoginThrottle: beyond
 * LOGIN_FAILURES_PER_MIN, 429 without a verification); a well-formed token whose id
 * is unknown or revoked costs one scrypt like a wrong one, and verifications share
 * the process's bounded verifier with MQTT logins, so a flood cannot fill libuv's
 * thread pool.
 */
export class AccessTokens {
  private readonly verified = new Map<string, { hash: string; until: number }>();

  constructor(
    private readonly store: TenantStore,
    private readonly audit: AuditLog,
    private readonly bootstrapAdminToken?: string,
    private readonly bootstrapOperatorToken?: string,
    private readonly throttle = new LoginThrottle({ failuresPerMin: 10 }),
  ) {}

  /**
   * The principal an `Authorization: Bearer` header stands for; 401 for anything
   * else, 429 while the caller's address (or the token id) has too many failures.
   */
  async authenticate(header: string | undefined, from?: string): Promise<Principal> {
    const refused = new RequestError('UNAUTHORIZED', 'a valid token is required (Authorization: Bearer <token>)');
    const m = /^Bearer ([\x21-\x7e]{1,200})$/.exec(header ?? '');
    if (!m) throw refused; // costs nothing: not counted
    const token = m[1]!;
    if (this.bootstrapAdminToken && sameSecret(token, this.bootstrapAdminToken)) return { kind: 'admin', id: 'ADMIN_TOKEN' };
    if (this.bootstrapOperatorToken && sameSecret(token, this.bootstrapOperatorToken)) return { kind: 'operator', id: 'OPERATOR_TOKEN' };
    const parsed = parseToken(token);
    if (!parsed) throw refused;
    const state = this.store.fresh().read();
    let principal: Principal | undefined;
    let hash: string | undefined;
    if (parsed.kind === 'a' || parsed.kind === 'o') {
      const kind = parsed.kind === 'a' ? 'admin' : 'operator';
      const rec = state[LIST[kind]].find((t) => t.id === parsed.id && !t.revokedAt);
      if (rec) [principal, hash] = [{ kind, id: rec.id }, rec.hash];
    } else {
      for (const tenant of state.tenants) {
        const rec = tenant.apiTokens.find((t) => t.id === parsed.id && !t.revokedAt);
        if (rec && tenant.status === 'active') [principal, hash] = [{ kind: 'tenant', tenant: tenant.id, id: rec.id }, rec.hash];
        if (rec) break;
      }
    }
    const result = await this.check(token, `kp${parsed.kind}_${parsed.id}`, from, hash);
    if (result === 'ok' && principal) return principal;
    throw result === 'throttled' || result === 'busy' ? tooMany() : refused;
  }

  async createAdminToken(name: string, actor: Actor): Promise<{ id: string; token: string }> {
    return this.createToken('admin', name, actor);
  }

  listAdminTokens(): Array<{ id: string; name: string; createdAt: string; revokedAt?: string }> {
    return this.listTokens('admin');
  }

  revokeAdminToken(id: string, actor: Actor): Promise<void> {
    return this.revokeToken('admin', id, actor);
  }

  hasAdminTokens(): boolean {
    return this.hasTokens('admin');
  }

  async createToken(role: StaffRole, name: string, actor: Actor): Promise<{ id: string; token: string }> {
    const issued = issueToken(role === 'admin' ? 'a' : 'o');
    const hash = await hashSecret(issued.token);
    await this.store.update((s) => {
      s[LIST[role]].push({ id: issued.id, name: name.slice(0, 100), hash, createdAt: new Date().toISOString() });
    }, { grows: true });
    this.audit.record({ actor, action: `${role}-token.create`, target: issued.id, details: { name: name.slice(0, 100) } });
    return issued;
  }

  listTokens(role: StaffRole): Array<{ id: string; name: string; createdAt: string; revokedAt?: string }> {
    return this.store.read()[LIST[role]].map(({ id, name, createdAt, revokedAt }) => ({ id, name, createdAt, ...(revokedAt ? { revokedAt } : {}) }));
  }

  async revokeToken(role: StaffRole, id: string, actor: Actor): Promise<void> {
    await this.store.update((s) => {
      const rec = s[LIST[role]].find((t) => t.id === id && !t.revokedAt);
      if (!rec) throw new RequestError('NOT_FOUND', `no active ${role} token ${id}`);
      rec.revokedAt = new Date().toISOString();
    });
    this.audit.record({ actor, action: `${role}-token.revoke`, target: id });
  }

  hasTokens(role: StaffRole): boolean {
    return this.store.read()[LIST[role]].some((t) => !t.revokedAt);
  }

  /** A cached verification first (no throttle, no scrypt), then the throttled verifier; no hash: a dummy of the same cost. */
  private async check(token: string, id: string, from: string | undefined, hash: string | undefined): Promise<'ok' | 'wrong' | 'throttled' | 'busy'> {
    const key = fingerprint(token);
    const hit = this.verified.get(key);
    if (hash && hit && hit.hash === hash && hit.until > Date.now()) return 'ok';
    const result = await this.throttle.check(id, from, token, hash);
    if (result !== 'ok' || !hash) return result;
    if (this.verified.size >= CACHE_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, { hash, until: Date.now() + CACHE_MS });
    return 'ok';
  }
}

function tooMany(): RequestError {
  return new RequestError('TOO_MANY_REQUESTS', 'too many failed authentications from this address: try again in a minute');
}

/** May this principal act for `tenant`? Admins may act for every tenant, a tenant for itself. */
export function requireTenant(p: Principal, tenant: string): void {
  if (p.kind === 'admin') return;
  if (p.kind !== 'tenant') throw new RequestError('FORBIDDEN', 'a tenant or admin token is required');
  if (p.tenant !== tenant) throw new RequestError('FORBIDDEN', 'this token belongs to another tenant');
}

export function requireAdmin(p: Principal): void {
  if (p.kind !== 'admin') throw new RequestError('FORBIDDEN', 'an admin token is required');
}

/** The operational endpoints: an operator or an admin token; a tenant token is not enough. */
export function requireOperator(p: Principal): void {
  if (p.kind !== 'admin' && p.kind !== 'operator') throw new RequestError('FORBIDDEN', 'an operator (or admin) token is required');
}

export function actorOf(p: Principal): Actor {
  if (p.kind === 'tenant') return { kind: 'tenant', id: `${p.tenant}/${p.id}` };
  return { kind: p.kind, id: p.id };
}

/** How a principal appears in an access log line (never the token). */
export function principalLabel(p: Principal | undefined): string {
  if (!p) return 'anonymous';
  return p.kind === 'tenant' ? `tenant:${p.tenant}` : `${p.kind}:${p.id}`;
}
