import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { loadTls } from '../security/tls.js';
import { buildStore } from './components.js';
import { stopOnSignals, type Service } from './lifecycle.js';
import { watchedTenants } from './serviceSupport.js';
import { bootstrapOperatorToken } from './tenantsApp.js';
import { applyBrokerAccess, startAdminApi } from './tenantStartup.js';

/**
 * `klimatpuls admin`: the admin and tenant API on its own (ADMIN_HTTP_PORT, 8084), for
 * the real stack, where the gateway and writer run as separate services. It applies
 * the registry to Mosquitto at start; with INFLUX_URL it also serves tenants their
 * own latest readings.
 */
export async function startAdmin(env = process.env): Promise<void> {
  const c = loadConfig(env);
  const logger = createLogger(c.LOG_LEVEL);
  const parts: Service[] = [];
  stopOnSignals(parts, logger);
  const tenants = watchedTenants(c, logger, parts);
  applyBrokerAccess(c, tenants, logger);
  const readings = c.INFLUX_URL ? await buildStore(c, tenants.store) : undefined;
  const admin = await startAdminApi(c, tenants, { logger, tls: loadTls(c), readings, optional: false });
  parts.push(admin.server!);
  if (admin.tokenFile) process.stderr.write(`first start: an admin token was written to ${admin.tokenFile}\n`);
  const operatorTokenFile = await bootstrapOperatorToken(c, tenants);
  if (operatorTokenFile) process.stderr.write(`first start: an operator token (for /metrics and the operational APIs) was written to ${operatorTokenFile}\n`);
  logger.info({ url: admin.url, tenants: tenants.store.read().tenants.length }, 'admin API running');
}
