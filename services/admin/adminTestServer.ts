import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdminServer, buildTenants, type Tenants } from '../app/tenantsApp.js';
import { loadConfig, type Config } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import type { AdminServer } from './adminServer.js';

export const TEST_ADMIN_TOKEN = 'bootstrap-admin-token-0123456789';

/**
 * A real admin API (HTTP on a free port) over a fresh tenant registry in a temporary
 * DATA_DIR, for tests; `call` sends a request and parses the JSON answer.
 */
export async function startTestAdmin(env: Record<string, string> = {}): Promise<{ config: Config; tenants: Tenants; server: AdminServer; base: string; call: Call; stop(): Promise<void> }> {
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'klimatpuls-admin-')), ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...env });
  const tenants = buildTenants(config, createLogger('silent'), new DeviceRegistry([]));
  const server = buildAdminServer(config, tenants, { logger: createLogger('silent'), port: 0 });
  const base = await server.start();
  const call: Call = async (method, path, token, body) => {
    const res = await fetch(`${base}${path}`, {
      method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return { config, tenants, server, base, call, stop: () => server.stop() };
}

export type Call = (method: string, path: string, token?: string, body?: unknown) => Promise<{ status: number; body: any; headers: Headers }>;
