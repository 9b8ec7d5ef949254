import { createHash } from 'node:crypto';
import type { ValueProvenance } from '../core/storePorts.js';
import type { Device } from '../registry/deviceRegistry.js';
import type { Period } from './periods.js';
import { dayStart, monthStart, nextMonth } from './rollups/days.js';
import { DEFAULT_SETTINGS, type Indicator, type IndicatorContext, type IndicatorSettings, type IndicatorValue, type ReadingSource } from './types.js';

/** What one (indicator, tenant, period) read: its window of stored data, the values it used, when it started. */
interface Run {
  tenant: string;
  startedAt: number;
  from: number;
  to: number;
  uses: Set<string>;
}

/** Whether a tenant's window [from, to) may hold stored data (a day of it was marked). */
type DataProbe = (from: number, to: number) => Promise<boolean>;

/**
 * `source` noting every window read into `run` (month rows: whole months, which their
 * days make); with `mayHold`, a read of a window without a marked day returns nothing
 * without asking the store.
 */
function tracked(source: ReadingSource, run: Run, mayHold?: DataProbe): ReadingSource {
  const note = (from: number, to: number) => {
    run.from = Math.min(run.from, from);
    run.to = Math.max(run.to, to);
  };
  const held = (tenant: string | undefined, from: number, to: number) => (mayHold && tenant === run.tenant ? mayHold(from, to) : Promise.resolve(true));
  const rollups = source.rollups;
  const messageCounts = source.messageCounts;
  return {
    ...source,
    series: async (q) => {
      note(q.from, q.to);
      return (await held(q.tenant, q.from, q.to)) ? source.series(q) : [];
    },
    ...(rollups
      ? {
          rollups: {
            eachDevice: async (q, fn) => {
              const [from, to] = q.span === 'day' ? [q.from, q.to] : [monthStart(q.from), nextMonth(monthStart(q.to - 1))];
              note(from, to);
              if (await held(q.tenant, from, to)) await rollups.eachDevice(q, fn);
            },
          },
        }
      : {}),
    // Dead letters mark no day: always counted.
    ...(messageCounts ? { messageCounts: (q) => (note(q.from, q.to), messageCounts.call(source, q)) } : {}),
  };
}

/** A probe over the days ever marked (sorted day starts): does a marked day overlap [from, to)? */
function probeOf(days: readonly number[]): DataProbe {
  return (from, to) => {
    const first = dayStart(from);
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (days[mid]! < first) lo = mid + 1;
      else hi = mid;
    }
    return Promise.resolve(lo < days.length && days[lo]! < to);
  };
}

/**
 * Computes indicators in event time: a value depends only on the readings stored
 * for its period (plus margins), never on when or in which order they arrived,
 * so recomputing a period after late readings gives the value the data supports.
 * Results of one engine are memoized per (indicator, tenant, period); make a new
 * engine (or call `forget`) to see new data.
 */
export class IndicatorEngine {
  private memo = new Map<string, Promise<IndicatorValue[]>>();
  private runs = new Map<string, Run>();
  private bases = new Map<string, string>();
  /** Per tenant, the days with data (marked days) as first asked of this engine; dropped by `forget`. */
  private probes = new Map<string, Promise<{ probe: DataProbe; at: number } | undefined>>();
  readonly settings: IndicatorSettings;

  constructor(
    private readonly o: { source: ReadingSource; devices: Device[]; indicators: Readonly<Record<string, Indicator>>; settings?: Partial<IndicatorSettings> },
  ) {
    // Per kind: a city that configures one kind's interval keeps the defaults of the others.
    this.settings = { ...DEFAULT_SETTINGS, ...o.settings, expectedPerHour: { ...DEFAULT_SETTINGS.expectedPerHour, ...o.settings?.expectedPerHour } };
  }

  ids(): string[] {
    return Object.keys(this.o.indicators);
  }

  indicator(id: string): Indicator {
    const i = Object.prototype.hasOwnProperty.call(this.o.indicators, id) ? this.o.indicators[id] : undefined;
    if (!i) throw new Error(`unknown indicator ${JSON.stringify(id)} (known: ${Object.keys(this.o.indicators).join(', ')})`);
    return i;
  }

  compute(id: string, tenant: string, period: Period): Promise<IndicatorValue[]> {
    const key = `${id}\u0000${tenant}\u0000${period.kind}\u0000${period.label}`;
    let p = this.memo.get(key);
    if (!p) {
      const ind = this.indicator(id);
      if (!ind.periods.includes(period.kind)) return Promise.resolve([]);
      const run: Run = { tenant, startedAt: Date.now(), from: period.start, to: period.end, uses: new Set() };
      this.runs.set(key, run);
      const ctx: IndicatorContext = {
        tenant,
        period,
        source: tracked(this.o.source, run, (from, to) => this.mayHold(run, from, to)),
        devices: this.o.devices.filter((d) => d.tenant === tenant),
        settings: this.settings,
        compute: (other, otherPeriod) => {
          run.uses.add(`${other}\u0000${tenant}\u0000${otherPeriod.kind}\u0000${otherPeriod.label}`);
          return this.compute(other, tenant, otherPeriod);
        },
      };
      p = ind.compute(ctx).then((values) => values.map((v) => ({ ...v, indicator: id, tenant, period: period.label, periodKind: period.kind })));
      this.memo.set(key, p);
      p.catch(() => {
        this.memo.delete(key);
        this.runs.delete(key);
      });
    }
    return p;
  }

  /**
   * Of a value computed by this engine: when its computation (or that of a value it
   * used) started, the window of stored data read for it and every value it used,
   * and the basis (settings and the tenant's devices); undefined when not computed here.
   */
  provenance(id: string, tenant: string, period: Pick<Period, 'kind' | 'label'>): ValueProvenance | undefined {
    const key = `${id}\u0000${tenant}\u0000${period.kind}\u0000${period.label}`;
    if (!this.runs.has(key)) return undefined;
    const out = { computedAt: Infinity, windowFrom: Infinity, windowTo: -Infinity };
    const seen = new Set<string>();
    const visit = (k: string) => {
      const r = this.runs.get(k);
      if (seen.has(k) || !r) return;
      seen.add(k);
      out.computedAt = Math.min(out.computedAt, r.startedAt);
      out.windowFrom = Math.min(out.windowFrom, r.from);
      out.windowTo = Math.max(out.windowTo, r.to);
      for (const u of r.uses) visit(u);
    };
    visit(key);
    return { ...out, basis: this.basis(tenant) };
  }

  /** Digest of the settings and the tenant's registered devices: a stored value computed on another basis is not current. */
  basis(tenant: string): string {
    let b = this.bases.get(tenant);
    if (!b) {
      const h = createHash('sha256').update(JSON.stringify(this.settings));
      for (const d of this.o.devices) if (d.tenant === tenant) h.update('\u0000').update(JSON.stringify(d));
      this.bases.set(tenant, (b = h.digest('base64url').slice(0, 22)));
    }
    return b;
  }

  /** Every indicator (or `ids`) for every period it supports among `periods`. */
  async computeAll(tenant: string, periods: Period[], ids = Object.keys(this.o.indicators)): Promise<IndicatorValue[]> {
    const out: IndicatorValue[] = [];
    for (const id of ids) for (const p of periods) out.push(...(await this.compute(id, tenant, p)));
    return out;
  }

  /**
   * Every indicator (or `ids`) for every period it supports among `periods`, handed to
   * `each` one indicator at a time (its values of all those periods). After `each`,
   * the tenant's memoized values are dropped, but those of indicators that one still to
   * come uses (`Indicator.uses`): memory holds one indicator's values, not all of them.
   * What each computation read stays known (`provenance`). Returns the number of values.
   * An indicator that uses others comes right after the last of them (`usersSoon`), so
   * what it reads is dropped before the indicators in between are computed.
   */
  async computeEach(tenant: string, periods: Period[], each: (values: IndicatorValue[]) => Promise<void>, given = Object.keys(this.o.indicators)): Promise<number> {
    const ids = usersSoon(given, (id) => this.indicator(id).uses ?? []);
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      const values: IndicatorValue[] = [];
      for (const p of periods) values.push(...(await this.compute(ids[i]!, tenant, p)));
      n += values.length;
      if (values.length > 0) await each(values);
      const needed = new Set(ids.slice(i + 1).flatMap((id) => this.indicator(id).uses ?? []));
      for (const key of [...this.memo.keys()]) {
        const [id, t] = key.split('\u0000');
        if (t === tenant && !needed.has(id!)) this.memo.delete(key);
      }
    }
    return n;
  }

  /**
   * Whether the tenant's window [from, to) may hold stored data: false when the
   * store's rollups know the days ever marked (every stored reading marks its day:
   * writer, import, bulk load, `klimatpuls rollups`) and none overlaps the window.
   * The days are read once per engine (until `forget`), so a report's quarters without
   * data cost no query.
   */
  private async mayHold(run: Run, from: number, to: number): Promise<boolean> {
    let p = this.probes.get(run.tenant);
    if (!p) {
      const rollups = this.o.source.rollups;
      const at = Date.now();
      p = rollups?.markedDays ? rollups.markedDays(run.tenant).then((days) => ({ probe: probeOf(days), at })) : Promise.resolve(undefined);
      this.probes.set(run.tenant, p);
      p.catch(() => this.probes.delete(run.tenant));
    }
    const known = await p;
    if (!known) return true;
    // A day marked after the days were read is not seen: the value counts as computed then.
    run.startedAt = Math.min(run.startedAt, known.at);
    return known.probe(from, to);
  }

  /** Drops every memoized value (and what is known of their computation): new data is seen, memory is freed. */
  forget(): void {
    this.memo.clear();
    this.runs.clear();
    this.probes.clear();
  }
}

/**
 * `ids` in their order, but each indicator that uses others among them moved to just
 * after the last of those (a chain, such as cycling_index after cycle_flow, follows too).
 */
export function usersSoon(ids: readonly string[], uses: (id: string) => readonly string[]): string[] {
  const inIds = new Set(ids);
  const needs = new Map(ids.map((id) => [id, uses(id).filter((u) => inIds.has(u) && u !== id)]));
  const out: string[] = [];
  const done = new Set<string>();
  const rest = [...ids];
  const take = (id: string) => {
    out.push(id);
    done.add(id);
    rest.splice(rest.indexOf(id), 1);
    for (const u of [...rest]) if (rest.includes(u) && needs.get(u)!.includes(id) && needs.get(u)!.every((x) => done.has(x))) take(u);
  };
  while (rest.length > 0) {
    // The first one whose uses are all in (in the given order, as computeAll; a cycle takes the first).
    take(rest.find((id) => needs.get(id)!.every((x) => done.has(x))) ?? rest[0]!);
  }
  return out;
}
