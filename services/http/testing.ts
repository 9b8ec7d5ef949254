import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessTokens } from '../tenants/accessTokens.js';
import { AuditLog } from '../tenants/auditLog.js';
import { TenantStore } from '../tenants/tenantStore.js';

/** The real token check over a fresh registry in a temporary folder, with OPERATOR_TOKEN (and ADMIN_TOKEN) set: for tests of servers built on HttpServer. */
export function testOperatorAuth(o: { metricsPublic?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-http-auth-'));
  const store = new TenantStore(dir);
  const audit = new AuditLog(join(dir, 'audit.ndjson'));
  const operatorToken = 'operator-token-for-tests-0123456789';
  const adminToken = 'admin-token-for-tests-0123456789';
  const tokens = new AccessTokens(store, audit, adminToken, operatorToken);
  return { auth: { tokens, metricsPublic: o.metricsPublic ?? false }, tokens, store, operatorToken, adminToken, headers: { authorization: `Bearer ${operatorToken}` } };
}
