import type { IndicatorStore, ValueProvenance } from '../core/storePorts.js';
import type { IndicatorEngine } from '../indicators/engine.js';
import type { Period } from '../indicators/periods.js';
import type { IndicatorValue } from '../indicators/types.js';

/** When a day of a tenant's window was last marked (the sink's rollups, RollupMaintenance.lastMarked). */
export interface MarkClock {
  lastMarked(tenant: string, from: number, to: number): Promise<number>;
}

export interface ValueRequest {
  indicator: string;
  period: Period;
  entity: string;
}

const keyOf = (indicator: string, p: Pick<Period, 'kind' | 'label'>) => `${indicator}\u0000${p.kind}\u0000${p.label}`;

/**
 * The indicator values one report shows, each looked up once for every language.
 * A value comes from the indicator store when it is current there: stored with the
 * provenance of its computation (IndicatorEngine.provenance, written by the
 * scheduler and the indicators API), on the same basis (settings, registered
 * devices), computed after its window ended, and no day of that window marked
 * (a late or imported reading) since its computation started. Otherwise the
 * engine computes it. Only the entities asked for are kept; the engine's memo is
 * dropped whenever the computation moves to another period, so memory holds one
 * period's values of the city, not every period of the report.
 */
export class ReportValues {
  private kept = new Map<string, Map<string, IndicatorValue | undefined>>();
  private loading = new Map<string, Promise<void>>();
  private enginePeriod?: string;
  /** Store lookups started ahead by `prefetch` (a few at a time), taken by `fetch`. */
  private lookups = new Map<string, { entities: Set<string>; result: Promise<Map<string, IndicatorValue> | undefined> }>();
  /** (indicator, period) pairs taken from the store, and computed. */
  reused = 0;
  computed = 0;

  constructor(private readonly o: { engine: IndicatorEngine; tenant: string; store?: IndicatorStore; marks?: MarkClock }) {}

  get engine(): IndicatorEngine {
    return this.o.engine;
  }

  /** The value of one entity, undefined when there is none (an indicator not computed for the period's kind included). */
  async value(indicator: string, period: Period, entity: string): Promise<IndicatorValue | undefined> {
    const key = keyOf(indicator, period);
    let k = this.kept.get(key);
    if (!k?.has(entity)) {
      await this.load([{ indicator, period, entity }]);
      k = this.kept.get(key);
    }
    return k?.get(entity);
  }

  /** Loads what a report will ask for, period by period (values of one period share their inputs: energy_use behind emissions …). */
  async prefetch(requests: ValueRequest[]): Promise<void> {
    const byPeriod = new Map<string, ValueRequest[]>();
    for (const r of requests) {
      const k = this.kept.get(keyOf(r.indicator, r.period));
      if (k?.has(r.entity)) continue;
      const list = byPeriod.get(r.period.label) ?? [];
      byPeriod.set(r.period.label, list);
      list.push(r);
    }
    const ordered = [...byPeriod.values()].sort((a, b) => a[0]!.period.start - b[0]!.period.start);
    this.lookAhead(ordered.flat());
    // A value that fails here is left to `value`, whose caller decides (the report leaves out a failed quality indicator).
    for (const list of ordered) await this.load(list).catch(() => {});
  }

  private async load(requests: ValueRequest[]): Promise<void> {
    const groups = new Map<string, { indicator: string; period: Period; entities: Set<string> }>();
    for (const r of requests) {
      const key = keyOf(r.indicator, r.period);
      const g = groups.get(key) ?? { indicator: r.indicator, period: r.period, entities: new Set<string>() };
      groups.set(key, g);
      g.entities.add(r.entity);
    }
    let failed: unknown;
    for (const [key, g] of groups) {
      // One load of a (indicator, period) at a time: a concurrent ask waits and reads what it kept.
      while (this.loading.has(key)) await this.loading.get(key);
      const have = this.kept.get(key);
      const missing = [...g.entities].filter((e) => !have?.has(e));
      if (missing.length === 0) continue;
      const run = this.fetch(g.indicator, g.period, missing).then((found) => {
        const k = this.kept.get(key) ?? new Map<string, IndicatorValue | undefined>();
        this.kept.set(key, k);
        for (const e of missing) k.set(e, found.get(e));
      });
      this.loading.set(key, run);
      try {
        await run;
      } catch (err) {
        failed ??= err;
      } finally {
        this.loading.delete(key);
      }
    }
    if (failed !== undefined) throw failed;
  }

  /**
   * Starts the store lookups of these requests, LOOKUPS_IN_FLIGHT at a time (one per
   * (indicator, period), all its entities): a store answers them while the engine computes.
   */
  private lookAhead(requests: ValueRequest[]): void {
    const groups = new Map<string, { indicator: string; period: Period; entities: string[] }>();
    const known = new Set(this.o.engine.ids());
    for (const r of requests) {
      const key = keyOf(r.indicator, r.period);
      // An unknown indicator is left to fetch, which throws for it.
      if (this.lookups.has(key) || !known.has(r.indicator) || !this.o.engine.indicator(r.indicator).periods.includes(r.period.kind)) continue;
      const g = groups.get(key) ?? { indicator: r.indicator, period: r.period, entities: [] };
      groups.set(key, g);
      if (!g.entities.includes(r.entity)) g.entities.push(r.entity);
    }
    const queue = [...groups.entries()];
    const gates: Array<Promise<unknown>> = [];
    for (const [key, g] of queue) {
      const before = gates.length >= LOOKUPS_IN_FLIGHT ? gates[gates.length - LOOKUPS_IN_FLIGHT]! : Promise.resolve();
      const p = before.then(() => this.current(g.indicator, g.period, g.entities), () => this.current(g.indicator, g.period, g.entities));
      p.catch(() => {}); // taken (and thrown) by fetch
      gates.push(p.catch(() => {}));
      this.lookups.set(key, { entities: new Set(g.entities), result: p });
    }
  }

  private async fetch(indicator: string, period: Period, entities: string[]): Promise<Map<string, IndicatorValue | undefined>> {
    const out = new Map<string, IndicatorValue | undefined>();
    if (!this.o.engine.indicator(indicator).periods.includes(period.kind)) return out;
    const key = keyOf(indicator, period);
    const ahead = this.lookups.get(key);
    this.lookups.delete(key);
    // A lookup made ahead serves the entities prefetch asked for; others are looked up now.
    const stored = ahead && entities.every((e) => ahead.entities.has(e)) ? await ahead.result : await this.current(indicator, period, entities);
    if (stored) {
      this.reused++;
      return stored;
    }
    if (this.enginePeriod !== period.label) this.o.engine.forget();
    this.enginePeriod = period.label;
    const wanted = new Set(entities);
    for (const v of await this.o.engine.compute(indicator, this.o.tenant, period)) if (wanted.has(v.entity)) out.set(v.entity, v);
    this.computed++;
    return out;
  }

  /** The stored values of these entities when each is there and current, else undefined. */
  private async current(indicator: string, period: Period, entities: string[]): Promise<Map<string, IndicatorValue> | undefined> {
    const { store, marks, tenant } = this.o;
    if (!store || !marks) return undefined;
    const rows = await store.stored({ indicator, tenant, period: period.label, entities });
    if (rows.length < entities.length) return undefined;
    const p = rows[0]!.provenance;
    if (!p || !rows.every((r) => sameRun(r.provenance, p))) return undefined;
    if (p.basis !== this.o.engine.basis(tenant) || p.computedAt < p.windowTo) return undefined;
    if ((await marks.lastMarked(tenant, p.windowFrom, p.windowTo)) >= p.computedAt) return undefined;
    return new Map(rows.map((r) => [r.value.entity, r.value]));
  }
}

const LOOKUPS_IN_FLIGHT = 4;

function sameRun(a: ValueProvenance | undefined, b: ValueProvenance): boolean {
  return a !== undefined && a.computedAt === b.computedAt && a.basis === b.basis && a.windowFrom === b.windowFrom && a.windowTo === b.windowTo;
}
