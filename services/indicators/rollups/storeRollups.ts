import type { SensorKind } from '../../core/metrics.js';
import { dayRollup } from './dayRollup.js';
import { dayStart, daysBetween, monthStart, nextDay, nextMonth } from './days.js';
import { monthHoursRollup, monthRollup } from './monthRollup.js';
import { SHORT_MS, type RollupRow, type RollupStorage, type Span } from './types.js';

/** What indicators read: rows of a window, device by device, after the window's marked days are rebuilt. */
export interface RollupReader {
  eachDevice(q: { tenant: string; span: Span; from: number; to: number; kinds?: readonly SensorKind[] }, fn: (device: string, rows: RollupRow[]) => void | Promise<void>): Promise<void>;
  /** Every day of the tenant ever marked (sorted day starts): the days with stored readings. */
  markedDays?(tenant: string): Promise<number[]>;
}

/**
 * Keeps a store's rollups up to date: readings mark their day (and the
 * neighbour day when they lie within 3 h of midnight: a day's rollup reaches 3 h
 * into its neighbours); marked days are rebuilt from the stored readings, then
 * their months from the days, before anything reads them. The rebuild of a day
 * holds one device's readings at a time and the day's rows in batches.
 */
export class StoreRollups implements RollupReader {
  private pending = new Map<string, Set<number>>();
  private flushing: Promise<void> = Promise.resolve();
  private settling: Promise<unknown> = Promise.resolve();

  constructor(private readonly storage: RollupStorage) {}

  async markReadings(readings: ReadonlyArray<{ tenant: string; observedAt: string }>): Promise<void> {
    for (const r of readings) {
      const t = Date.parse(r.observedAt);
      if (!Number.isFinite(t)) continue;
      let set = this.pending.get(r.tenant);
      if (!set) this.pending.set(r.tenant, (set = new Set()));
      const day = dayStart(t);
      set.add(day);
      if (t - day < SHORT_MS) set.add(dayStart(day - 1));
      const next = nextDay(day);
      if (next - t <= SHORT_MS) set.add(next);
    }
    await this.flush();
  }

  async markRange(tenant: string, from: number, to: number): Promise<void> {
    await this.flush();
    await this.storage.markDirty(tenant, daysBetween(from, to));
  }

  /** Persists the marks made so far (one write per tenant, batches joined). */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      const batch = this.pending;
      this.pending = new Map();
      try {
        for (const [tenant, days] of batch) await this.storage.markDirty(tenant, [...days].sort((a, b) => a - b));
      } catch (err) {
        // Kept for the next flush (marks are idempotent): a failed write loses no mark.
        for (const [tenant, days] of batch) {
          const set = this.pending.get(tenant) ?? new Set<number>();
          for (const d of days) set.add(d);
          this.pending.set(tenant, set);
        }
        throw err;
      }
    });
    this.flushing = run.catch(() => {});
    return run;
  }

  /** Rebuilds the tenant's marked days in [from, to) (all of them without a window), then their months. */
  settle(q: { tenant: string; from?: number; to?: number; onDay?: (done: number, total: number) => void }): Promise<{ days: number }> {
    const run = this.settling.then(async () => {
      await this.flush();
      const startedAt = Date.now();
      const days = await this.storage.dirtyDays(q.tenant, q.from ?? -Infinity, q.to ?? Infinity);
      for (let i = 0; i < days.length; i++) {
        await this.rebuildDay(q.tenant, days[i]!);
        q.onDay?.(i + 1, days.length);
      }
      for (const m of new Set(days.map(monthStart))) await this.rebuildMonth(q.tenant, m);
      await this.storage.clearDirty(q.tenant, days, startedAt);
      return { days: days.length };
    });
    this.settling = run.catch(() => {});
    return run;
  }

  /** When a day of [from, to) was last marked (marks not yet persisted included); 0 for never. */
  async lastMarked(tenant: string, from: number, to: number): Promise<number> {
    await this.flush();
    return this.storage.lastMarked(tenant, from, to);
  }

  async markedDays(tenant: string): Promise<number[]> {
    await this.flush();
    return [...new Set(await this.storage.markedDays(tenant))].sort((a, b) => a - b);
  }

  async tenants(): Promise<string[]> {
    await this.flush();
    return this.storage.dirtyTenants();
  }

  async eachDevice(q: Parameters<RollupReader['eachDevice']>[0], fn: Parameters<RollupReader['eachDevice']>[1]): Promise<void> {
    // Days behind the window's rows: for month rows, every day of their months.
    const monthly = q.span !== 'day';
    const from = monthly ? monthStart(q.from) : q.from;
    const to = monthly ? nextMonth(monthStart(q.to - 1)) : q.to;
    await this.settle({ tenant: q.tenant, from, to });
    await this.storage.eachDeviceRows(q, fn);
  }

  // A day's (or month's) rows are written after its readings were read: a store may
  // serve both on one connection. They are bounded by the tenant's devices.
  private async rebuildDay(tenant: string, day: number): Promise<void> {
    const end = nextDay(day);
    const rows: RollupRow[] = [];
    await this.storage.eachRawDevice(tenant, day - SHORT_MS, end + SHORT_MS, (raw) => {
      const row = dayRollup(raw, { start: day, end });
      if (row) rows.push(row);
    });
    await this.storage.replaceRows(tenant, 'day', day, rows);
  }

  private async rebuildMonth(tenant: string, month: number): Promise<void> {
    const rows: RollupRow[] = [];
    const hours: RollupRow[] = [];
    await this.storage.eachDeviceRows({ tenant, span: 'day', from: month, to: nextMonth(month) }, (_device, days) => {
      rows.push(monthRollup(days, month));
      const h = monthHoursRollup(days, month);
      if (h) hours.push(h);
    });
    await this.storage.replaceRows(tenant, 'month', month, rows);
    await this.storage.replaceRows(tenant, 'month_hours', month, hours);
  }
}
