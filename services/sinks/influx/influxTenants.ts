import { errorMessage, isRetriable, ProvisioningError } from '../../core/errors.js';
import { retry } from '../../core/retry.js';

export interface InfluxTenantsOptions {
  url: string;
  /** An operator (all-access) token: creates buckets and authorizations. */
  token: string;
  org: string;
  bucketPrefix: string;
}

/**
 * Storage isolation in InfluxDB: one bucket per tenant (`<prefix><tenant>`) and a
 * read-only token scoped to that bucket alone. The tenant (or its Grafana
 * organization) queries with that token; any other bucket answers 404/401.
 * Disabling the tenant sets the token inactive (InfluxDB refuses it at once);
 * the bucket and its data stay.
 */
export class InfluxTenants {
  private orgId?: string;

  constructor(private readonly o: InfluxTenantsOptions) {}

  /** Where tenants query (told to them with their read token). */
  get url(): string {
    return this.o.url;
  }

  get org(): string {
    return this.o.org;
  }

  bucketName(tenant: string): string {
    return `${this.o.bucketPrefix}${tenant}`;
  }

  /** Creates (or finds) the tenant's bucket and issues a new read token for it. */
  async provision(tenant: string): Promise<{ bucket: string; bucketId: string; readAuthorizationId: string; readToken: string }> {
    const orgID = await this.orgID();
    const bucket = this.bucketName(tenant);
    // InfluxDB 2.7 answers a name lookup of a missing bucket with 404.
    const found = await this.api<{ buckets?: Array<{ id: string }> }>('GET', `/api/v2/buckets?name=${encodeURIComponent(bucket)}&orgID=${orgID}`).catch((err: unknown) => {
      if (/ answered 404/.test((err as Error).message)) return { buckets: [] };
      throw err;
    });
    const bucketId =
      found.buckets?.[0]?.id ??
      (await this.api<{ id: string }>('POST', '/api/v2/buckets', { orgID, name: bucket, description: `Klimatpuls tenant ${tenant}`, retentionRules: [] })).id;
    const auth = await this.api<{ id: string; token: string }>('POST', '/api/v2/authorizations', {
      orgID,
      description: `klimatpuls tenant ${tenant}: read ${bucket}`,
      permissions: [{ action: 'read', resource: { type: 'buckets', id: bucketId, orgID } }],
    });
    return { bucket, bucketId, readAuthorizationId: auth.id, readToken: auth.token };
  }

  /** Turns the tenant's read token on or off (disable/enable). */
  async setReadAccess(authorizationId: string, active: boolean): Promise<void> {
    await this.api('PATCH', `/api/v2/authorizations/${encodeURIComponent(authorizationId)}`, { status: active ? 'active' : 'inactive' });
  }

  /** Replaces the tenant's read token (the old one is deleted). */
  async rotateReadToken(tenant: string, bucketId: string, oldAuthorizationId: string): Promise<{ readAuthorizationId: string; readToken: string }> {
    const orgID = await this.orgID();
    const auth = await this.api<{ id: string; token: string }>('POST', '/api/v2/authorizations', {
      orgID,
      description: `klimatpuls tenant ${tenant}: read ${this.bucketName(tenant)}`,
      permissions: [{ action: 'read', resource: { type: 'buckets', id: bucketId, orgID } }],
    });
    await this.api('DELETE', `/api/v2/authorizations/${encodeURIComponent(oldAuthorizationId)}`).catch(() => undefined);
    return { readAuthorizationId: auth.id, readToken: auth.token };
  }

  private async orgID(): Promise<string> {
    if (this.orgId) return this.orgId;
    const r = await this.api<{ orgs?: Array<{ id: string }> }>('GET', `/api/v2/orgs?org=${encodeURIComponent(this.o.org)}`);
    const id = r.orgs?.[0]?.id;
    if (!id) throw new ProvisioningError('influxdb', `organization ${this.o.org} not found`);
    this.orgId = id;
    return id;
  }

  private async api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return retry(
      async () => {
        let res: Response;
        try {
          res = await fetch(new URL(path, this.o.url), {
            method,
            headers: { Authorization: `Token ${this.o.token}`, 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(10_000),
          });
        } catch (err) {
          throw new ProvisioningError('influxdb', `unreachable: ${errorMessage(err)}`, { retriable: true, cause: err });
        }
        if (!res.ok) {
          const text = (await res.text()).slice(0, 300);
          throw new ProvisioningError('influxdb', `${method} ${path.split('?')[0]} answered ${res.status}: ${text}`, { retriable: res.status >= 500 || res.status === 429 });
        }
        return (res.status === 204 ? undefined : await res.json()) as T;
      },
      { retries: 4, initialDelayMs: 200, maxDelayMs: 2000, shouldRetry: isRetriable },
    );
  }
}
