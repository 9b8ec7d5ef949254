import { RequestError } from '../core/errors.js';
import type { ReadingStore } from '../core/storePorts.js';
import { actorOf, requireAdmin, requireTenant, type AccessTokens, type Principal } from '../tenants/accessTokens.js';
import type { AuditLog } from '../tenants/auditLog.js';
import type { DeviceService } from '../tenants/deviceService.js';
import { dryRun, type DryRunOptions } from '../gateway/dryRun.js';
import { publicTenant } from '../tenants/model.js';
import type { TenantService } from '../tenants/tenantService.js';
import { describeTopics } from '../tenants/topicSpace.js';
import { decodeSegment } from './requestBody.js';

export interface AdminDeps {
  tenants: TenantService;
  devices: DeviceService;
  tokens: AccessTokens;
  audit: AuditLog;
  dryRun: DryRunOptions;
  /** Serves a tenant's own latest readings when given. */
  readings?: ReadingStore;
  /** Largest dry-run request body (a payload of MAX_PAYLOAD_BYTES, base64-encoded, plus the topic). */
  dryRunMaxBodyBytes?: number;
}

export interface RouteContext {
  principal: Principal;
  params: string[];
  body: unknown;
  url: URL;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  /** Largest body this route takes (default: the server's small limit); only the dry run carries a payload. */
  maxBodyBytes?: number;
  handle(ctx: RouteContext): Promise<{ status: number; body: unknown }>;
}

const T = '([a-z0-9][a-z0-9_-]{0,62})';
const ID = '([^/]{1,128})';
const ok = (body: unknown, status = 200) => ({ status, body });

/** The admin and tenant API (docs/openapi.yaml): each route checks who may call it. */
export function adminRoutes(d: AdminDeps): Route[] {
  const admin = (fn: (c: RouteContext) => Promise<{ status: number; body: unknown }> | { status: number; body: unknown }) => async (c: RouteContext) => {
    requireAdmin(c.principal);
    return fn(c);
  };
  const own = (fn: (c: RouteContext, tenant: string) => Promise<{ status: number; body: unknown }> | { status: number; body: unknown }) => async (c: RouteContext) => {
    const tenant = c.params[0]!;
    requireTenant(c.principal, tenant);
    return fn(c, tenant);
  };
  const re = (p: string) => new RegExp(`^${p}$`);
  return [
    { method: 'GET', path: re('/api/admin/tenants'), handle: admin(() => ok({ tenants: d.tenants.list() })) },
    { method: 'POST', path: re('/api/admin/tenants'), handle: admin(async (c) => ok(await d.tenants.create(c.body, actorOf(c.principal)), 201)) },
    { method: 'GET', path: re(`/api/admin/tenants/${T}`), handle: admin((c) => ok(publicTenant(d.tenants.get(c.params[0]!)))) },
    { method: 'POST', path: re(`/api/admin/tenants/${T}/disable`), handle: admin(async (c) => ok(await d.tenants.setStatus(c.params[0]!, 'disabled', actorOf(c.principal)))) },
    { method: 'POST', path: re(`/api/admin/tenants/${T}/enable`), handle: admin(async (c) => ok(await d.tenants.setStatus(c.params[0]!, 'active', actorOf(c.principal)))) },
    { method: 'POST', path: re(`/api/admin/tenants/${T}/mqtt-password`), handle: admin(async (c) => ok(await d.tenants.rotateMqttPassword(c.params[0]!, actorOf(c.principal)))) },
    { method: 'POST', path: re(`/api/admin/tenants/${T}/api-token`), handle: admin(async (c) => ok(await d.tenants.rotateApiToken(c.params[0]!, actorOf(c.principal)))) },
    { method: 'GET', path: re('/api/admin/audit'), handle: admin((c) => ok({ entries: d.audit.tail(limit(c.url, 100, 10_000), c.url.searchParams.get('tenant') ?? undefined) })) },
    ...(['admin', 'operator'] as const).flatMap((role): Route[] => {
      const base = role === 'admin' ? '/api/admin/tokens' : '/api/admin/operator-tokens';
      return [
        { method: 'GET', path: re(base), handle: admin(() => ok({ tokens: d.tokens.listTokens(role) })) },
        { method: 'POST', path: re(base), handle: admin(async (c) => ok(await d.tokens.createToken(role, tokenName(c.body), actorOf(c.principal)), 201)) },
        {
          method: 'DELETE', path: re(`${base}/([0-9a-f]{12})`),
          handle: admin(async (c) => {
            await d.tokens.revokeToken(role, c.params[0]!, actorOf(c.principal));
            return ok(undefined, 204);
          }),
        },
      ];
    }),
    {
      method: 'GET', path: re(`/api/tenants/${T}`),
      handle: own((_c, t) => ok({ ...publicTenant(d.tenants.get(t)), topics: describeTopics(t) })),
    },
    { method: 'GET', path: re(`/api/tenants/${T}/buildings`), handle: own((_c, t) => ok({ buildings: d.devices.listBuildings(t) })) },
    { method: 'POST', path: re(`/api/tenants/${T}/buildings`), handle: own(async (c, t) => ok(await d.devices.addBuilding(t, c.body, actorOf(c.principal)), 201)) },
    {
      method: 'DELETE', path: re(`/api/tenants/${T}/buildings/${ID}`),
      handle: own(async (c, t) => {
        await d.devices.removeBuilding(t, decodeSegment(c.params[1]!, 'building'), actorOf(c.principal));
        return ok(undefined, 204);
      }),
    },
    { method: 'GET', path: re(`/api/tenants/${T}/devices`), handle: own((_c, t) => ok({ devices: d.devices.listDevices(t) })) },
    { method: 'POST', path: re(`/api/tenants/${T}/devices`), handle: own(async (c, t) => ok(await d.devices.addDevice(t, c.body, actorOf(c.principal)), 201)) },
    {
      method: 'DELETE', path: re(`/api/tenants/${T}/devices/${ID}`),
      handle: own(async (c, t) => {
        await d.devices.removeDevice(t, decodeSegment(c.params[1]!, 'device'), actorOf(c.principal));
        return ok(undefined, 204);
      }),
    },
    { method: 'POST', path: re(`/api/tenants/${T}/dry-run`), maxBodyBytes: d.dryRunMaxBodyBytes, handle: own((c, t) => ok(dryRun(t, c.body, d.dryRun))) },
    {
      method: 'GET', path: re(`/api/tenants/${T}/readings/latest`),
      handle: own(async (c, t) => {
        if (!d.readings) throw new RequestError('NOT_FOUND', 'this service has no reading store');
        const readings = await d.readings.latest({ limit: limit(c.url, 100, 9999), tenant: t });
        return ok({ count: readings.length, readings });
      }),
    },
  ];
}

/** `{"name": "..."}` (optional, at most 100 characters) of a token to be created. */
function tokenName(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RequestError('INVALID_INPUT', '(body): a JSON object {"name": ...}');
  const name = (body as { name?: unknown }).name ?? 'api';
  if (typeof name !== 'string' || name.length < 1 || name.length > 100) throw new RequestError('INVALID_INPUT', 'name: 1-100 characters');
  return name;
}

function limit(url: URL, dflt: number, max: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return dflt;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new RequestError('INVALID_INPUT', `limit: a whole number 1-${max}`);
  return Number(raw);
}
