import type { Device } from '../registry/deviceRegistry.js';
import type { Period } from './periods.js';
import { DEFAULT_SETTINGS, type Indicator, type IndicatorContext, type IndicatorSettings, type IndicatorValue, type ReadingSource } from './types.js';

/**
 * Computes indicators in event time: a value depends only on the readings stored
 * for its period (plus margins), never on when or in which order they arrived,
 * so recomputing a period after late readings gives the value the data supports.
 * Results of one engine are memoized per (indicator, tenant, period); make a new
 * engine (or call `forget`) to see new data.
 */
export class IndicatorEngine {
  private memo = new Map<string, Promise<IndicatorValue[]>>();
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
      const ctx: IndicatorContext = {
        tenant,
        period,
        source: this.o.source,
        devices: this.o.devices.filter((d) => d.tenant === tenant),
        settings: this.settings,
        compute: (other, otherPeriod) => this.compute(other, tenant, otherPeriod),
      };
      p = ind.compute(ctx).then((values) => values.map((v) => ({ ...v, indicator: id, tenant, period: period.label, periodKind: period.kind })));
      this.memo.set(key, p);
      p.catch(() => this.memo.delete(key));
    }
    return p;
  }

  /** Every indicator (or `ids`) for every period it supports among `periods`. */
  async computeAll(tenant: string, periods: Period[], ids = Object.keys(this.o.indicators)): Promise<IndicatorValue[]> {
    const out: IndicatorValue[] = [];
    for (const id of ids) for (const p of periods) out.push(...(await this.compute(id, tenant, p)));
    return out;
  }

  forget(): void {
    this.memo.clear();
  }
}
