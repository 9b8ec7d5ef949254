/**
 * The embedded broker with one tenant, in its own process, for bench/brokerLimits.ts
 * (so that its RSS is the broker's alone). Prints one JSON line: urls and credentials.
 *   tsx bench/brokerLimitsServer.ts [failuresPerMin]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../services/core/logger.js';
import { EmbeddedBroker } from '../services/broker/embeddedBroker.js';
import { EmbeddedAccess } from '../services/broker/embeddedAccess.js';
import { LoginThrottle } from '../services/security/loginThrottle.js';
import { randomSecret } from '../services/security/secrets.js';
import { AuditLog } from '../services/tenants/auditLog.js';
import { TenantService } from '../services/tenants/tenantService.js';
import { TenantStore } from '../services/tenants/tenantStore.js';

const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-bench-limits-'));
const log = createLogger('silent');
const store = new TenantStore(join(dir, 'tenants'));
const svc = new TenantService({ store, audit: new AuditLog(join(dir, 'audit.ndjson')), logger: log, secretsDir: join(dir, 's'), mqtt: { url: 'x' } });
const failuresPerMin = Number(process.argv[2] ?? 10);
const access = new EmbeddedAccess(store, log, randomSecret(32), new LoginThrottle({ failuresPerMin }));
const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, tenantPort: 0, logger: log, access });
await broker.start();
const admin = { kind: 'admin' as const, id: 'bench' };
const creds = [];
for (const id of ['victim', 'other']) creds.push((await svc.create({ id }, admin)).credentials.mqtt!);
process.stdout.write(`${JSON.stringify({ pid: process.pid, internal: broker.urls.internal, tenant: broker.urls.tenant, creds })}\n`);
process.on('SIGTERM', () => void broker.stop().then(() => process.exit(0)));
