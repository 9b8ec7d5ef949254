import { z } from 'zod';
import { TENANT_RE } from '../core/reading.js';
import { deviceSchema } from '../registry/deviceRegistry.js';

/**
 * The tenant registry's data: tenants (housing companies, the city), their
 * buildings and devices, and the hashes of the admin and tenant API tokens.
 * Persisted as one JSON file (services/tenants/tenantStore.ts). Never holds a
 * secret: only scrypt hashes (and Mosquitto's own hash of the MQTT password).
 */
export const tokenRecordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  name: z.string().max(100),
  hash: z.string(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
});
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

export const tenantSchema = z.object({
  id: z.string().regex(TENANT_RE, 'a lower-case slug (a-z, 0-9, - and _)'),
  name: z.string().min(1).max(200),
  status: z.enum(['active', 'disabled']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  mqtt: z.object({
    username: z.string(),
    /** scrypt hash: the embedded broker checks passwords against it. */
    passwordHash: z.string(),
    /** Mosquitto's `$7$` hash of the same password, written to its password file. */
    mosquittoHash: z.string(),
  }),
  apiTokens: z.array(tokenRecordSchema),
  /** Set when the tenant was created with InfluxDB configured: its own bucket and read token. */
  influx: z
    .object({ bucket: z.string(), bucketId: z.string(), readAuthorizationId: z.string() })
    .optional(),
  /** The Grafana organization generated for the tenant (deploy/grafana/tenants/<id>/). */
  grafanaOrgId: z.number().int().min(2),
});
export type Tenant = z.infer<typeof tenantSchema>;

const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, dot, dash, underscore');

export const buildingSchema = z.object({
  id: slug,
  tenant: z.string().regex(TENANT_RE),
  name: z.string().max(200).optional(),
  address: z.string().max(300).optional(),
  /** Heated floor area (Atemp, m²), households ...: copied into devices at this site. */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type Building = z.infer<typeof buildingSchema>;

export const stateSchema = z.object({
  version: z.literal(1),
  tenants: z.array(tenantSchema),
  buildings: z.array(buildingSchema),
  devices: z.array(deviceSchema),
  adminTokens: z.array(tokenRecordSchema),
  /** Operator tokens: the operational HTTP endpoints (/metrics, /api/readings/latest, /api/indicators, /report). */
  operatorTokens: z.array(tokenRecordSchema).default([]),
});
export type TenantState = z.infer<typeof stateSchema>;

export function emptyState(): TenantState {
  return { version: 1, tenants: [], buildings: [], devices: [], adminTokens: [], operatorTokens: [] };
}

/** What the API and CLI show of a tenant: no hashes. */
export function publicTenant(t: Tenant): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    status: t.status,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    mqttUsername: t.mqtt.username,
    apiTokens: t.apiTokens.filter((k) => !k.revokedAt).map((k) => ({ id: k.id, name: k.name, createdAt: k.createdAt })),
    ...(t.influx ? { influxBucket: t.influx.bucket } : {}),
    grafanaOrgId: t.grafanaOrgId,
  };
}
