import type { Decoder } from '../../decoders/types.js';
import { coveringFilters, DecoderRouter } from './decoderRouter.js';
import { TENANT_PREFIX, TENANT_ROOT_FILTERS } from '../../tenants/topicSpace.js';

const PREFIXED = new RegExp(`^${TENANT_PREFIX}/([a-z0-9][a-z0-9_-]{0,62})/(.+)$`);

/**
 * The decoder router plus the tenants' prefixed topics: every route `F` that is not
 * the native format (whose topic names the tenant already) is also served as
 * `tenants/+/F`. A message on `tenants/{tenant}/F...` is decoded as if it had
 * arrived on `F...`, and its values carry the tenant from the prefix as the
 * tenant hint, so a device of another tenant is dead-lettered (`tenant_mismatch`).
 *
 * It subscribes to both tenant roots whole (`klimatpuls/#`, `tenants/#`), not only to
 * the routes' filters: a tenant may publish anywhere under its roots and the broker
 * acknowledges it, so a topic no route takes (`klimatpuls/A/dev/data`,
 * `tenants/A/unknown/x`) must reach the gateway and become a `no_route` dead letter,
 * not vanish in the broker.
 */
export class TenantTopicRouter extends DecoderRouter {
  private readonly prefixed: string[];
  private readonly wrapped = new Map<string, Decoder>();

  constructor(routes: ReadonlyArray<readonly [string, string]>, variable = 'DECODER_ROUTES') {
    super(routes, variable);
    this.prefixed = [...new Set(routes.filter(([, name]) => name !== 'native').map(([f]) => `${TENANT_PREFIX}/+/${f}`))];
  }

  override decoderFor(topic: string): Decoder | undefined {
    const m = PREFIXED.exec(topic);
    if (!m) return super.decoderFor(topic);
    const tenant = m[1]!;
    const inner = m[2]!;
    const decoder = super.decoderFor(inner);
    if (!decoder || decoder.name === 'native') return undefined;
    return this.forTenant(tenant, decoder);
  }

  override filters(): string[] {
    return coveringFilters([...TENANT_ROOT_FILTERS, ...super.filters(), ...this.prefixed]);
  }

  private forTenant(tenant: string, inner: Decoder): Decoder {
    const key = `${tenant}\u0000${inner.name}`;
    let base = this.wrapped.get(key);
    if (!base) {
      base = {
        name: inner.name,
        version: inner.version,
        decode: (payload, ctx) => {
          const topic = ctx.topic.startsWith(`${TENANT_PREFIX}/${tenant}/`) ? ctx.topic.slice(TENANT_PREFIX.length + tenant.length + 2) : ctx.topic;
          const r = inner.decode(payload, { ...ctx, topic });
          return r.ok ? { ...r, tenantHint: tenant } : r;
        },
      };
      if (this.wrapped.size < 10_000) this.wrapped.set(key, base);
    }
    return base;
  }
}
