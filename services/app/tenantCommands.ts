import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { Actor } from '../tenants/auditLog.js';
import { buildRegistry } from './components.js';
import { buildTenants, type Tenants } from './tenantsApp.js';

export const TENANT_USAGE = `usage:
  klimatpuls tenant create ID [--name NAME]     prints the MQTT credentials, API token and read token (once)
  klimatpuls tenant list
  klimatpuls tenant disable ID | enable ID      MQTT and read access off/on at once; data stays
  klimatpuls tenant rotate-mqtt-password ID | rotate-api-token ID
  klimatpuls building add --tenant T --id B [--name N] [--address A] [--param k=v]... | list --tenant T | remove --tenant T --id B
  klimatpuls device add --tenant T --id D --kind K [--site S] [--model M] [--param k=v]...
  klimatpuls device list [--tenant T] | remove --tenant T --id D
  klimatpuls admin-token create [--name N] | list | revoke ID
  klimatpuls operator-token create [--name N] | list | revoke ID   /metrics, /api/readings/latest, /api/indicators, /report
They change the tenant registry in TENANTS_DIR (default DATA_DIR/tenants) directly, and
Mosquitto (MOSQUITTO_*), InfluxDB (INFLUX_*) and Grafana provisioning as configured.`;

type Out = { output: unknown; exitCode: number };

/** `klimatpuls tenant|device|building|admin-token ...`: the admin API's operations, from a shell. */
export async function tenantCommand(group: string, argv: string[], env = process.env): Promise<Out> {
  const { values: o, positionals } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' }, tenant: { type: 'string' }, id: { type: 'string' }, kind: { type: 'string' },
      site: { type: 'string' }, model: { type: 'string' }, address: { type: 'string' },
      param: { type: 'string', multiple: true }, help: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const [verb, arg] = positionals;
  if (o.help || !verb) return { output: TENANT_USAGE, exitCode: o.help ? 0 : 2 };
  const c = loadConfig(env);
  const t = buildTenants(c, createLogger(c.LOG_LEVEL === 'info' ? 'warn' : c.LOG_LEVEL), buildRegistry(c));
  const actor: Actor = { kind: 'cli', id: safeUser() };
  const need = (v: string | undefined, flag: string) => {
    if (!v) throw new ConfigError(flag, `required for ${group} ${verb}`);
    return v;
  };
  const withWarnings = (r: { warnings?: string[] }) => ({ output: r, exitCode: r.warnings?.length ? 1 : 0 });
  switch (`${group} ${verb}`) {
    case 'tenant create': return withWarnings(await t.tenants.create({ id: need(arg ?? o.id, 'ID'), name: o.name }, actor));
    case 'tenant list': return { output: { tenants: t.tenants.list() }, exitCode: 0 };
    case 'tenant disable': return withWarnings(await t.tenants.setStatus(need(arg ?? o.id, 'ID'), 'disabled', actor));
    case 'tenant enable': return withWarnings(await t.tenants.setStatus(need(arg ?? o.id, 'ID'), 'active', actor));
    case 'tenant rotate-mqtt-password': return withWarnings(await t.tenants.rotateMqttPassword(need(arg ?? o.id, 'ID'), actor));
    case 'tenant rotate-api-token': return withWarnings(await t.tenants.rotateApiToken(need(arg ?? o.id, 'ID'), actor));
    case 'building add':
      return created(await t.devices.addBuilding(need(o.tenant, '--tenant'), { id: need(o.id ?? arg, '--id'), name: o.name, address: o.address, params: params(o.param) }, actor));
    case 'building list': return { output: { buildings: t.devices.listBuildings(need(o.tenant, '--tenant')) }, exitCode: 0 };
    case 'building remove':
      await t.devices.removeBuilding(need(o.tenant, '--tenant'), need(o.id ?? arg, '--id'), actor);
      return { output: { removed: o.id ?? arg }, exitCode: 0 };
    case 'device add':
      return created(await t.devices.addDevice(need(o.tenant, '--tenant'), {
        id: need(o.id ?? arg, '--id'), kind: need(o.kind, '--kind'), site: o.site, model: o.model, params: params(o.param),
      }, actor));
    case 'device list': return { output: { devices: listDevices(t, o.tenant) }, exitCode: 0 };
    case 'device remove':
      await t.devices.removeDevice(need(o.tenant, '--tenant'), need(o.id ?? arg, '--id'), actor);
      return { output: { removed: o.id ?? arg }, exitCode: 0 };
    case 'admin-token create':
    case 'operator-token create': return created(await t.tokens.createToken(role(group), o.name ?? 'cli', actor));
    case 'admin-token list':
    case 'operator-token list': return { output: { tokens: t.tokens.listTokens(role(group)) }, exitCode: 0 };
    case 'admin-token revoke':
    case 'operator-token revoke':
      await t.tokens.revokeToken(role(group), need(arg ?? o.id, 'ID'), actor);
      return { output: { revoked: arg ?? o.id }, exitCode: 0 };
    default:
      return { output: `klimatpuls: unknown command ${group} ${verb}\n${TENANT_USAGE}`, exitCode: 2 };
  }
}

function role(group: string): 'admin' | 'operator' {
  return group === 'operator-token' ? 'operator' : 'admin';
}

function created(v: unknown): Out {
  return { output: v, exitCode: 0 };
}

function listDevices(t: Tenants, tenant?: string) {
  const ids = tenant ? [tenant] : t.store.read().tenants.map((x) => x.id);
  return ids.flatMap((id) => t.devices.listDevices(id));
}

/** `--param volume_l=660 --param households=24`: numbers and booleans as such. */
export function params(list: string[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const p of list ?? []) {
    const i = p.indexOf('=');
    if (i < 1) throw new ConfigError('--param', 'key=value', p);
    const [k, v] = [p.slice(0, i), p.slice(i + 1)];
    out[k] = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}
