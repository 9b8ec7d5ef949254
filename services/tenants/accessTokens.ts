import { RequestError } from '../core/errors.js';
import { LoginThrottle } from '../security/loginThrottle.js';
import { fingerprint, hashSecret, issueToken, parseToken, sameSecret } from '../security/secrets.js';
import type { Actor, AuditLog } from './auditLog.js';
import type { TenantStore } from './tenantStore.js';

export type Principal = { kind: 'admin'; id: string } | { kind: 'tenant'; tenant: string; id: string };

const CACHE_MS = 60_000;
const CACHE_MAX = 1000;

/**
 * API tokens: admin tokens (manage tenants) and tenant tokens (a tenant manages its
 * own buildings and devices). Only scrypt hashes are stored. A token names its
 * record (`kpa_<id>_...`), so checking it costs one scrypt; a verified token is
 * remembered for a minute by its SHA-256 (in memory only) together with the hash it
 * matched, while revocation and a disabled tenant are checked on every request.
 *
 * Bootstrap: ADMIN_TOKEN (environment or ADMIN_TOKEN_FILE) is accepted as an admin
 * token without being stored; `klimatpuls admin-token create` issues stored ones.
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
    const parsed = parseToken(token);
    if (!parsed) throw refused;
    const state = this.store.fresh().read();
    let principal: Principal | undefined;
    let hash: string | undefined;
    if (parsed.kind === 'a') {
      const rec = state.adminTokens.find((t) => t.id === parsed.id && !t.revokedAt);
      if (rec) [principal, hash] = [{ kind: 'admin', id: rec.id }, rec.hash];
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
    const issued = issueToken('a');
    const hash = await hashSecret(issued.token);
    await this.store.update((s) => {
      s.adminTokens.push({ id: issued.id, name: name.slice(0, 100), hash, createdAt: new Date().toISOString() });
    });
    this.audit.record({ actor, action: 'admin-token.create', target: issued.id, details: { name } });
    return issued;
  }

  listAdminTokens(): Array<{ id: string; name: string; createdAt: string; revokedAt?: string }> {
    return this.store.read().adminTokens.map(({ id, name, createdAt, revokedAt }) => ({ id, name, createdAt, ...(revokedAt ? { revokedAt } : {}) }));
  }

  async revokeAdminToken(id: string, actor: Actor): Promise<void> {
    await this.store.update((s) => {
      const rec = s.adminTokens.find((t) => t.id === id && !t.revokedAt);
      if (!rec) throw new RequestError('NOT_FOUND', `no active admin token ${id}`);
      rec.revokedAt = new Date().toISOString();
    });
    this.audit.record({ actor, action: 'admin-token.revoke', target: id });
  }

  hasAdminTokens(): boolean {
    return this.store.read().adminTokens.some((t) => !t.revokedAt);
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
  if (p.tenant !== tenant) throw new RequestError('FORBIDDEN', 'this token belongs to another tenant');
}

export function requireAdmin(p: Principal): void {
  if (p.kind !== 'admin') throw new RequestError('FORBIDDEN', 'an admin token is required');
}

export function actorOf(p: Principal): Actor {
  return p.kind === 'admin' ? { kind: 'admin', id: p.id } : { kind: 'tenant', id: `${p.tenant}/${p.id}` };
}
