import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { randomSecret } from '../../services/security/secrets.js';
import { exited, spawnKlimatpuls, waitReady } from './processes.js';
import { OPERATOR_HEADERS, TEST_OPERATOR_TOKEN, freePort } from './stack.js';

/**
 * `klimatpuls start` as `npm start` runs it (embedded aedes broker, in-process bus,
 * DuckDB), as a child process on free ports, with the admin API on, so tests create
 * real tenants and publish on the real tenant listener with their credentials.
 */
export async function startEmbeddedApp(extraEnv: Record<string, string> = {}) {
  const [http, mqttPort, tenantPort, adminPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'klimatpuls-embedded-'));
  const adminToken = randomSecret(32);
  const child = spawnKlimatpuls('start', {
    HTTP_PORT: String(http), MQTT_EMBEDDED_PORT: String(mqttPort), MQTT_TENANT_PORT: String(tenantPort), ADMIN_HTTP_PORT: String(adminPort),
    ADMIN_TOKEN: adminToken, OPERATOR_TOKEN: TEST_OPERATOR_TOKEN, DATA_DIR: dataDir, SIMULATOR: 'off', LOG_LEVEL: 'warn', ...extraEnv,
  });
  try {
    await waitReady(http, 90_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`klimatpuls start did not become ready: ${(err as Error).message}\n${child.output().slice(-3000)}`);
  }
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${adminPort}${path}`, {
      method, headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
  return {
    child, http, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, tenantUrl: `mqtt://127.0.0.1:${tenantPort}`, dataDir, admin,
    async createTenant(id: string): Promise<{ id: string; username: string; password: string }> {
      const r = await admin('POST', '/api/admin/tenants', { id, name: `Housing company ${id}` });
      if (r.status !== 201) throw new Error(`create tenant ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      return { id, username: r.body.credentials.mqtt.username, password: r.body.credentials.mqtt.password };
    },
    async addDevice(tenant: string, device: { id: string; kind: string }): Promise<void> {
      const r = await admin('POST', `/api/tenants/${tenant}/devices`, device);
      if (r.status !== 201) throw new Error(`add device ${device.id}: ${r.status} ${JSON.stringify(r.body)}`);
    },
    async metrics(): Promise<string> {
      return (await fetch(`http://127.0.0.1:${http}/metrics`, { headers: OPERATOR_HEADERS, signal: AbortSignal.timeout(30_000) })).text();
    },
    /** GET on the operational API (HTTP_PORT) with the operator token. */
    async operatorGet(path: string, timeoutMs = 30_000): Promise<Response> {
      return fetch(`http://127.0.0.1:${http}${path}`, { headers: OPERATOR_HEADERS, signal: AbortSignal.timeout(timeoutMs) });
    },
    /** SIGINT (Ctrl-C) and wait for the exit; the exit code. */
    async stop(): Promise<number | null> {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited(child);
      return child.exitCode;
    },
    /** After `stop`: rows of the DuckDB file the app left. */
    async query(sql: string): Promise<Record<string, unknown>[]> {
      const db = await DuckDBInstance.create(join(dataDir, 'klimatpuls.duckdb'));
      const c = await db.connect();
      try {
        return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
      } finally {
        c.closeSync();
        db.closeSync();
      }
    },
  };
}

export type EmbeddedApp = Awaited<ReturnType<typeof startEmbeddedApp>>;
