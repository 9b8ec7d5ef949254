import { ProvisioningError, RequestError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { TENANT_RE } from '../core/reading.js';
import { hashSecret, issueToken, mosquittoHash, randomSecret } from '../security/secrets.js';
import type { Actor, AuditLog } from './auditLog.js';
import { writeGrafanaProvisioning, writeReadTokenFile, type GrafanaProvisioningOptions } from './grafanaProvisioning.js';
import type { InfluxTenants } from '../sinks/influx/influxTenants.js';
import { publicTenant, type Tenant } from './model.js';
import type { TenantStore } from './tenantStore.js';
import { isReservedTenantId, RESERVED_TENANT_PREFIX, tenantClientId } from './tenantIds.js';
import { describeTopics } from './topicSpace.js';

export interface TenantServiceDeps {
  store: TenantStore;
  audit: AuditLog;
  logger: Logger;
  /** Where tenants connect (told to them with their credentials). */
  mqtt: { url: string; tlsUrl?: string };
  /**
   * The real broker's access files, rewritten from all tenants on every change
   * (services/broker/mosquittoAccess.ts); absent with the embedded broker, which reads the store itself.
   */
  mosquitto?: { sync(tenants: readonly Tenant[]): void };
  /** Bucket + read token per tenant; absent without InfluxDB (DuckDB keeps one store). */
  influx?: InfluxTenants;
  grafana?: GrafanaProvisioningOptions;
  /** 0600 files with each tenant's InfluxDB read token (for Grafana's `$__file{}`). */
  secretsDir: string;
}

/** Shown once, at creation or rotation; never stored, never logged. */
export interface TenantCredentials {
  mqtt?: {
    url: string; tlsUrl?: string; username: string; password: string;
    /** The only client id the tenant's connection may use (mqttIdentity.ts), and why. */
    clientId: string; clientIdRule: string;
    topics: ReturnType<typeof describeTopics>;
  };
  apiToken?: string;
  influx?: { url: string; org: string; bucket: string; readToken: string };
}

/**
 * Tenants' lifecycle: create (issues MQTT credentials, an API token, an InfluxDB
 * bucket and read token, Grafana provisioning), disable / enable (MQTT and read
 * access revoked or restored at once; data stays), credential rotation. Every change
 * is written to the audit log.
 */
export class TenantService {
  constructor(private readonly d: TenantServiceDeps) {}

  list(): Array<Record<string, unknown>> {
    return this.d.store.read().tenants.map(publicTenant);
  }

  get(id: string): Tenant {
    const t = this.d.store.tenant(id);
    if (!t) throw new RequestError('NOT_FOUND', `no tenant ${JSON.stringify(id)}`);
    return t;
  }

  async create(input: unknown, actor: Actor): Promise<{ tenant: Record<string, unknown>; credentials: TenantCredentials; warnings: string[] }> {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new RequestError('INVALID_INPUT', '(body): a JSON object {"id": ..., "name": ...}');
    const { id, name: givenName } = input as { id?: unknown; name?: unknown };
    if (typeof id !== 'string' || !TENANT_RE.test(id)) throw new RequestError('INVALID_INPUT', 'id: a lower-case slug (a-z, 0-9, - and _; at most 63)');
    if (isReservedTenantId(id)) throw new RequestError('INVALID_INPUT', `id: names starting with "${RESERVED_TENANT_PREFIX}" are reserved for the pipeline's own MQTT clients`);
    const name = givenName ?? id;
    if (typeof name !== 'string' || name.length < 1 || name.length > 200) throw new RequestError('INVALID_INPUT', 'name: 1-200 characters');
    if (this.d.store.tenant(id)) throw new RequestError('CONFLICT', `tenant ${id} exists`);
    this.d.store.assertRoom(); // before a bucket is created for a tenant the registry could not take
    const password = randomSecret();
    const api = issueToken('t');
    const influx = this.d.influx ? await this.d.influx.provision(id) : undefined;
    const now = new Date().toISOString();
    const [passwordHash, tokenHash] = await Promise.all([hashSecret(password), hashSecret(api.token)]);
    const tenant = await this.d.store.update((s) => {
      if (s.tenants.some((t) => t.id === id)) throw new RequestError('CONFLICT', `tenant ${id} exists`);
      const t: Tenant = {
        id, name, status: 'active', createdAt: now, updatedAt: now,
        mqtt: { username: id, passwordHash, mosquittoHash: mosquittoHash(password) },
        apiTokens: [{ id: api.id, name: 'initial', hash: tokenHash, createdAt: now }],
        ...(influx ? { influx: { bucket: influx.bucket, bucketId: influx.bucketId, readAuthorizationId: influx.readAuthorizationId } } : {}),
        grafanaOrgId: Math.max(1, ...s.tenants.map((x) => x.grafanaOrgId)) + 1,
      };
      s.tenants.push(t);
      return t;
    }, { grows: true });
    if (influx) writeReadTokenFile(this.d.secretsDir, id, influx.readToken);
    const warnings = this.afterChange(tenant);
    this.d.audit.record({ actor, action: 'tenant.create', tenant: id, details: { name, bucket: influx?.bucket ?? null, apiKeyId: api.id } });
    return {
      tenant: publicTenant(tenant),
      credentials: {
        mqtt: { ...this.d.mqtt, username: id, password, ...tenantClientId(id), topics: describeTopics(id) },
        apiToken: api.token,
        ...(influx && this.d.influx ? { influx: { url: this.d.influx.url, org: this.d.influx.org, bucket: influx.bucket, readToken: influx.readToken } } : {}),
      },
      warnings,
    };
  }

  /** Disable: MQTT refused (connected clients dropped), API and read tokens refused. Enable reverses it. */
  async setStatus(id: string, status: Tenant['status'], actor: Actor): Promise<{ tenant: Record<string, unknown>; warnings: string[] }> {
    const current = this.get(id);
    if (current.influx && this.d.influx) await this.d.influx.setReadAccess(current.influx.readAuthorizationId, status === 'active');
    const { tenant, warnings } = await this.change(id, (t) => {
      t.status = status;
    });
    this.d.audit.record({ actor, action: status === 'active' ? 'tenant.enable' : 'tenant.disable', tenant: id });
    return { tenant: publicTenant(tenant), warnings };
  }

  async rotateMqttPassword(id: string, actor: Actor): Promise<{ credentials: TenantCredentials; warnings: string[] }> {
    const password = randomSecret();
    const passwordHash = await hashSecret(password);
    const { tenant, warnings } = await this.change(id, (t) => {
      t.mqtt = { ...t.mqtt, passwordHash, mosquittoHash: mosquittoHash(password) };
    });
    this.d.audit.record({ actor, action: 'tenant.mqtt-password.rotate', tenant: id });
    return { credentials: { mqtt: { ...this.d.mqtt, username: tenant.mqtt.username, password, ...tenantClientId(tenant.mqtt.username), topics: describeTopics(id) } }, warnings };
  }

  /** A new API token; every earlier one of the tenant is revoked. */
  async rotateApiToken(id: string, actor: Actor): Promise<{ credentials: TenantCredentials; warnings: string[] }> {
    const api = issueToken('t');
    const hash = await hashSecret(api.token);
    await this.d.store.update((s) => {
      const t = s.tenants.find((x) => x.id === id);
      if (!t) throw new RequestError('NOT_FOUND', `no tenant ${JSON.stringify(id)}`);
      const now = new Date().toISOString();
      for (const k of t.apiTokens) k.revokedAt ??= now;
      t.apiTokens.push({ id: api.id, name: 'rotated', hash, createdAt: now });
      t.updatedAt = now;
    });
    this.d.audit.record({ actor, action: 'tenant.api-token.rotate', tenant: id, details: { apiKeyId: api.id } });
    return { credentials: { apiToken: api.token }, warnings: [] };
  }

  /** Rewrites the broker's files from the registry (at start, and after every change). */
  syncAccess(): void {
    this.d.mosquitto?.sync(this.d.store.read().tenants);
  }

  private async change(id: string, fn: (t: Tenant) => void): Promise<{ tenant: Tenant; warnings: string[] }> {
    const tenant = await this.d.store.update((s) => {
      const t = s.tenants.find((x) => x.id === id);
      if (!t) throw new RequestError('NOT_FOUND', `no tenant ${JSON.stringify(id)}`);
      fn(t);
      t.updatedAt = new Date().toISOString();
      return t;
    });
    return { tenant, warnings: this.afterChange(tenant) };
  }

  /**
   * Brings the broker and Grafana in line with the registry. A failure here does not
   * undo the change (the registry is the truth; the next change or start repairs the
   * broker): it is logged and returned as a warning, so credentials are never lost.
   */
  private afterChange(t: Tenant): string[] {
    const warnings: string[] = [];
    try {
      this.syncAccess();
    } catch (err) {
      warnings.push((err as Error).message);
      this.d.logger.error({ tenant: t.id, err: (err as Error).message }, 'broker access not updated');
    }
    if (this.d.grafana && t.influx) {
      try {
        writeGrafanaProvisioning(t, this.d.grafana);
      } catch (err) {
        const msg = new ProvisioningError('grafana', (err as Error).message).message;
        warnings.push(msg);
        this.d.logger.warn({ tenant: t.id, err: msg }, 'grafana provisioning not written');
      }
    }
    return warnings;
  }
}
