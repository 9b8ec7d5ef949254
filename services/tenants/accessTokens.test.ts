import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../security/loginThrottle.js';
import { SecretVerifier } from '../security/secretVerifier.js';
import { AccessTokens } from './accessTokens.js';
import { AuditLog } from './auditLog.js';
import { TenantStore } from './tenantStore.js';

const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-access-tokens-'));
const store = new TenantStore(join(dir, 'tenants'));
const verifier = new SecretVerifier();
const tokens = new AccessTokens(store, new AuditLog(join(dir, 'audit.ndjson')), undefined, undefined, new LoginThrottle({ failuresPerMin: 3, verifier }));
afterAll(() => store.close());

describe('API token checks under a flood (issue 13, item 10)', () => {
  it('refuses the 4th wrong token from an address with 429 and no verification; the known admin keeps working', async () => {
    const { token } = await tokens.createAdminToken('ops', { kind: 'admin', id: 't' });
    await tokens.authenticate(`Bearer ${token}`, '10.0.0.9'); // known from 10.0.0.9 (and cached)
    const wrong = `${token.slice(0, -4)}AAAA`; // the same id, another secret: not in the cache
    const v0 = verifier.verifications;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await tokens.authenticate(`Bearer ${wrong}`, '10.0.0.66').then(() => 200, (e) => e.status));
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    expect(verifier.verifications - v0).toBe(3);
    // a well-formed token with an unknown id costs a verification like a wrong one (then is throttled too)
    const unknown = `kpa_000000000000_${'A'.repeat(43)}`;
    await expect(tokens.authenticate(`Bearer ${unknown}`, '10.0.0.77')).rejects.toMatchObject({ status: 401 });
    expect(verifier.verifications - v0).toBe(4);
    await expect(tokens.authenticate(`Bearer ${token}`, '10.0.0.9')).resolves.toMatchObject({ kind: 'admin' });
  });
});
