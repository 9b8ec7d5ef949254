import type { HttpResponse } from '../http/httpServer.js';
import type { IndicatorEngine } from './engine.js';
import type { IndicatorStore } from '../core/storePorts.js';
import { parsePeriod } from './periods.js';
import { provenanceOf } from './scheduler.js';

/**
 * GET /api/indicators?indicator=&period=&tenant=&entity=
 * Serves stored values. When one indicator, one period and one tenant are asked
 * for and nothing is stored yet, it is computed on the spot (and stored).
 */
/**
 * `settled` (with `status`): false while months with new readings wait for their
 * recomputation. `demo` (with a demo history): the tenant whose values rest on
 * simulated demo data, named in the answer as `demo`.
 */
export function indicatorsRoute(o: {
  store: IndicatorStore;
  engine: (tenant?: string) => IndicatorEngine;
  status?: () => { settled: boolean; pendingMonths: number };
  demo?: () => { tenant: string; from: string; to: string } | undefined;
}): (url: URL) => Promise<HttpResponse> {
  return async (url) => {
    const q = Object.fromEntries(['indicator', 'period', 'tenant', 'entity'].map((k) => [k, url.searchParams.get(k) ?? undefined])) as Record<string, string | undefined>;
    if (q.tenant !== undefined && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(q.tenant)) return { status: 400, body: { error: 'tenant: expected a tenant slug' } };
    if (q.entity !== undefined && !/^[^\x00-\x1f\x7f]{1,200}$/.test(q.entity)) return { status: 400, body: { error: 'entity: 1-200 characters, no control characters' } };
    const engine = o.engine(q.tenant);
    if (q.indicator && !engine.ids().includes(q.indicator)) return { status: 400, body: { error: `indicator: unknown (known: ${engine.ids().join(', ')})` } };
    let period;
    if (q.period) {
      try {
        period = parsePeriod(q.period);
      } catch (err) {
        return { status: 400, body: { error: `period: ${(err as Error).message}` } };
      }
    }
    let values = await o.store.query(q);
    let computed = false;
    if (values.length === 0 && q.indicator && period && q.tenant) {
      values = await engine.compute(q.indicator, q.tenant, period);
      await o.store.write(values, provenanceOf(engine));
      if (q.entity) values = values.filter((v) => v.entity === q.entity);
      computed = true;
    }
    const st = o.status?.();
    const demo = o.demo?.();
    const demoShown = demo && (q.tenant === undefined || q.tenant === demo.tenant);
    return {
      status: 200,
      body: {
        count: values.length,
        computedOnRequest: computed,
        ...(st ? { settled: st.settled, pendingMonths: st.pendingMonths } : {}),
        ...(demoShown ? { demo: { tenant: demo.tenant, note: `demo data: the values of ${demo.tenant} rest on simulated readings (services/demo), history ${demo.from.slice(0, 10)} to ${demo.to.slice(0, 10)}`, from: demo.from, to: demo.to } } : {}),
        values: values.map((v) => ({ ...v, value: Number.isFinite(v.value) ? v.value : null, ...(demoShown && v.tenant === demo.tenant ? { demo: true } : {}) })),
      },
    };
  };
}
