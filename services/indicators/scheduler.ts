import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { IndicatorEngine } from './engine.js';
import type { IndicatorStore, ValueProvenance } from '../core/storePorts.js';
import { periodOf, periodsBetween, type Period, type PeriodKind } from './periods.js';
import type { IndicatorValue } from './types.js';

const DAY = 86_400_000;

/** The provenance of each value an engine computed (stored with it: the report reuses current values). */
export function provenanceOf(engine: IndicatorEngine): (v: IndicatorValue) => ValueProvenance | undefined {
  const known = new Map<string, ValueProvenance | undefined>();
  return (v) => {
    const key = `${v.indicator}\u0000${v.tenant}\u0000${v.periodKind}\u0000${v.period}`;
    if (!known.has(key)) known.set(key, engine.provenance(v.indicator, v.tenant, { kind: v.periodKind, label: v.period }));
    return known.get(key);
  };
}

/**
 * Keeps stored indicators up to date in event time. Every stored reading marks
 * its tenant's month as dirty (and the neighbouring month when it lies within
 * two days of the boundary: register differences reach across it). Dirty months
 * that have been quiet for `settleMs` are recomputed — with the periods of every
 * configured kind that overlap them (weeks, the quarter, the year) — from the
 * stored readings, and the results replace what was stored. Late readings thus
 * correct old periods; the result does not depend on arrival order.
 */
export class IndicatorScheduler {
  private readonly dirty = new Map<string, { tenant: string; month: Period; since: number }>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  recomputed = 0;

  constructor(
    private readonly o: {
      /** A fresh engine for one tenant (its city's settings). */
      engine: (tenant: string) => IndicatorEngine;
      store: IndicatorStore;
      kinds: PeriodKind[];
      intervalMs: number;
      settleMs: number;
      logger: Logger;
      onComputed?: (n: number) => void;
      /** The store's rollups: every mark also marks the reading's day there (rebuilt before the next read). */
      /** Tenants with devices (markArrivals marks each). */
      tenants?: () => string[];
      rollups?: { markReadings(readings: ReadonlyArray<{ tenant: string; observedAt: string }>): Promise<void> };
    },
  ) {}

  mark(tenant: string, observedAt: number): void {
    this.markRollups([{ tenant, observedAt: new Date(observedAt).toISOString() }]);
    this.markMonths(tenant, observedAt);
  }

  private markRollups(readings: ReadonlyArray<{ tenant: string; observedAt: string }>): void {
    this.o.rollups?.markReadings(readings).catch((err: unknown) => this.o.logger.error({ err: errorMessage(err) }, 'rollup marks not stored yet; kept and written with the next ones'));
  }

  /** The month of t to be recomputed, its rollups already up to date (written past the pipeline and settled: imports, the demo history). */
  markMonth(tenant: string, t: number): void {
    // Nothing more is on its way (not a live stream): due at the next tick, and not settled until then.
    this.markMonths(tenant, t, 0);
  }

  private markMonths(tenant: string, observedAt: number, since = Date.now()): void {
    const months = [periodOf('month', observedAt)];
    const m = months[0]!;
    if (observedAt - m.start < 2 * DAY) months.push(periodOf('month', m.start - 1));
    if (m.end - observedAt < 2 * DAY) months.push(periodOf('month', m.end));
    for (const month of months) {
      const key = `${tenant}\u0000${month.label}`;
      const e = this.dirty.get(key);
      if (e) e.since = e.since === 0 || since === 0 ? 0 : since; // a month due now stays due now
      else this.dirty.set(key, { tenant, month, since });
    }
  }

  /**
   * Dead letters archived (arrival times): they count in dead_letter_share of the
   * periods they arrived in, for every tenant (a dead letter may have none), so
   * those months are recomputed. Rollups are not touched: no reading changed.
   */
  markArrivals(receivedAt: string[]): void {
    const hours = new Set<number>();
    for (const r of receivedAt) {
      const t = Date.parse(r);
      if (Number.isFinite(t)) hours.add(Math.floor(t / 3_600_000) * 3_600_000);
    }
    for (const tenant of this.o.tenants?.() ?? []) for (const t of hours) this.markMonths(tenant, t);
  }

  markAll(readings: Array<{ tenant: string; observedAt: string }>): void {
    this.markRollups(readings);
    for (const r of readings) this.markMonths(r.tenant, Date.parse(r.observedAt));
  }

  get pending(): number {
    return this.dirty.size;
  }

  /**
   * No recomputation runs and no dirty month waits, but those still getting readings
   * (marked within settleMs: a live stream keeps its month busy, and it is recomputed
   * once quiet): the stored values are up to date with what has stopped arriving.
   */
  get settled(): boolean {
    const now = Date.now();
    return this.running === undefined && [...this.dirty.values()].every((e) => now - e.since < this.o.settleMs);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  private tick(force = false): Promise<void> {
    if (this.running) return this.running;
    this.running = this.recompute(force).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Recomputes every dirty month now, quiet or not (tests, shutdown, `report`). */
  async flush(): Promise<void> {
    await this.running;
    await this.tick(true);
  }

  private async recompute(force: boolean): Promise<void> {
    const now = Date.now();
    const due = [...this.dirty].filter(([, e]) => force || now - e.since >= this.o.settleMs);
    if (due.length === 0) return;
    for (const [key] of due) this.dirty.delete(key);
    const byTenant = new Map<string, Map<string, Period>>();
    for (const [, { tenant, month }] of due) {
      const periods = byTenant.get(tenant) ?? new Map<string, Period>();
      byTenant.set(tenant, periods);
      for (const kind of this.o.kinds) {
        for (const p of kind === 'quarter' || kind === 'year' ? [periodOf(kind, month.start)] : periodsBetween(kind, month.start, month.end)) periods.set(`${p.kind}${p.label}`, p);
      }
    }
    for (const [tenant, periods] of byTenant) {
      try {
        const engine = this.o.engine(tenant);
        // Each indicator's values are stored as soon as computed (and leave the engine's memo).
        const provenance = provenanceOf(engine);
        const values = await engine.computeEach(tenant, [...periods.values()], (v) => this.o.store.write(v, provenance));
        this.recomputed += values;
        this.o.onComputed?.(values);
        this.o.logger.info({ tenant, periods: periods.size, values }, 'indicators recomputed');
      } catch (err) {
        // put them back: the next tick tries again
        for (const [key, e] of due) if (e.tenant === tenant) this.dirty.set(key, { ...e, since: 0 });
        this.o.logger.warn({ tenant, err: errorMessage(err) }, 'indicator recomputation failed; will retry');
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
