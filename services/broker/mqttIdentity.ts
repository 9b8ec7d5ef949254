import { createHash, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import { randomSecret } from '../security/secrets.js';

/**
 * Who may be who on the MQTT brokers (embedded aedes and Mosquitto alike):
 *
 * - The pipeline listener (1883) is the pipeline's own: only the MQTT user
 *   `klimatpuls` with the pipeline password may connect there (no anonymous
 *   clients, no tenants). Its client ids (MQTT_CLIENT_ID, `klimatpuls-…`) can
 *   therefore only be used by the pipeline itself.
 * - On the tenant listeners (1884, 8883) a tenant's client id is its MQTT username
 *   (= its tenant id), nothing else: the embedded broker refuses any other id
 *   (CONNACK 2, identifier rejected), Mosquitto replaces it by the username
 *   (`use_username_as_clientid true`). A tenant can thus take over or kick only its
 *   own session — one connection per username, a second one replaces the first.
 * - Tenant ids starting with `klimatpuls` are reserved (never created, never given
 *   broker access), so no tenant's client id can be a pipeline client id
 *   (services/tenants/tenantIds.ts).
 */
export const PIPELINE_MQTT_USERNAME = 'klimatpuls';
/** Where the embedded broker's pipeline password lives (0600, in a 0700 folder). */
export function pipelinePasswordFile(dataDir: string): string {
  return join(dataDir, 'mqtt', 'pipeline.password');
}

/** The pipeline password of the embedded broker: generated once, then read. */
export function ensurePipelinePassword(dataDir: string): string {
  const existing = readPipelinePassword(dataDir);
  if (existing) return existing;
  const file = pipelinePasswordFile(dataDir);
  mkdirSync(join(dataDir, 'mqtt'), { recursive: true, mode: 0o700 });
  chmodSync(join(dataDir, 'mqtt'), 0o700);
  try {
    writeFileSync(file, `${randomSecret()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process made it first
  }
  return readPipelinePassword(dataDir)!;
}

export function readPipelinePassword(dataDir: string): string | undefined {
  try {
    return readFileSync(pipelinePasswordFile(dataDir), 'utf8').trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Credentials of a pipeline client (gateway, simulator, record/replay/dlq replay):
 * MQTT_USERNAME / MQTT_PASSWORD(_FILE) when set, otherwise the embedded broker's
 * pipeline password from DATA_DIR when it exists, otherwise none.
 */
export function pipelineMqttAuth(c: Config): { username?: string; password?: string } {
  if (c.MQTT_USERNAME) return { username: c.MQTT_USERNAME, password: c.MQTT_PASSWORD };
  const password = readPipelinePassword(c.DATA_DIR);
  return password ? { username: PIPELINE_MQTT_USERNAME, password } : {};
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(expected));
}
