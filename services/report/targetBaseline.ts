import type { FigureStore, YearlyFigure } from '../core/storePorts.js';
import type { IndicatorEngine } from '../indicators/engine.js';
import { hoursIn, parsePeriod, periodOf, type Period } from '../indicators/periods.js';
import type { Target } from '../indicators/targets/targets.js';
import type { Aggregate } from './finance.js';
import { ReportValues } from './reportValues.js';

/**
 * A target's baseline for one period (the same quarter of the baseline year),
 * and where it comes from. Order, first that has one wins:
 *
 * 1. `targets_file`: the targets file's `baselineValue` (the contract's own number).
 * 2. `measured`: the indicator computed from stored readings for the same quarter
 *    of the baseline year, when that value is sufficient. Measured wins over an
 *    imported yearly figure because it compares like with like: the same meters,
 *    the same method and scope as the quarter followed up, and the same season,
 *    where a yearly figure has to be spread over the quarters by an assumed
 *    profile and often has another scope (a statistics database's whole
 *    municipality against the metered buildings).
 * 3. `yearly_figure`: an imported yearly figure (`klimatpuls import`, type
 *    `figures`; DuckDB table / InfluxDB measurement `yearly_figures`) of the
 *    target's indicator, entity and baseline year, spread over the quarter by a
 *    profile: the quarter's share of the year in the last complete year before
 *    the report's year where the indicator has sufficient data for the year and
 *    all four quarters (`profile: last_year`: quarter value ÷ the indicator's
 *    own year value, so for a flow the quarters' shares add up to 1, for a level
 *    they are around 1). Without such a year: a flow gets the quarter's share of
 *    the year's hours (`days`), a level the figure itself (`flat`).
 *
 * The choice is made per quarter: a baseline year measured only in its second
 * half takes its first half from the figure.
 */
export interface BaselineSource {
  kind: 'targets_file' | 'measured' | 'yearly_figure';
  year: number;
  /** yearly_figure: the figure as imported (indicator unit), its source and file row. */
  figure?: number;
  source?: string;
  importedFrom?: string;
  profile?: 'last_year' | 'days' | 'flat';
  /** last_year: the year whose quarters gave the profile. */
  profileYear?: number;
}

export interface Baseline {
  value: number;
  from: BaselineSource;
}

/** Same quarter (or month, year) in another year. */
export function sameInYear(p: Period, year: number): Period {
  const d = new Date(p.start + 12 * 3_600_000); // a safe instant inside the period's first day
  const shifted = new Date(Date.UTC(year, d.getUTCMonth(), Math.min(d.getUTCDate(), 28), 12));
  return periodOf(p.kind, shifted.getTime());
}

type Profile = { year: number; shares: number[] } | undefined;

/** Baselines of one report: figures and profiles are looked up once per target. */
export class TargetBaselines {
  private figures = new Map<string, Promise<YearlyFigure | undefined>>();
  private profiles = new Map<string, Promise<Profile>>();

  private readonly values: ReportValues;

  /** `values`: the report's values (stored when current, else computed); without, `engine` computes each. */
  constructor(private readonly o: ({ values: ReportValues } | { engine: IndicatorEngine }) & { tenant: string; figures?: FigureStore; reportYear: number }) {
    this.values = 'values' in o ? o.values : new ReportValues({ engine: o.engine, tenant: o.tenant });
  }

  async of(t: Target, p: Period, aggregate: Aggregate): Promise<Baseline | undefined> {
    if (t.baselineValue !== undefined) return { value: t.baselineValue, from: { kind: 'targets_file', year: t.baselineYear } };
    const measured = await this.value(t, sameInYear(p, t.baselineYear));
    if (measured !== undefined) return { value: measured, from: { kind: 'measured', year: t.baselineYear } };
    const f = await this.figure(t);
    if (!f) return undefined;
    const base = sameInYear(p, t.baselineYear);
    const from: BaselineSource = { kind: 'yearly_figure', year: t.baselineYear, figure: f.value, source: f.source, ...(f.importedFrom ? { importedFrom: f.importedFrom } : {}) };
    const profile = base.kind === 'quarter' ? await this.profile(t) : undefined;
    if (profile) return { value: f.value * profile.shares[Number(base.label.slice(-1)) - 1]!, from: { ...from, profile: 'last_year', profileYear: profile.year } };
    if (aggregate === 'mean' || base.kind === 'year') return { value: f.value, from: { ...from, profile: 'flat' } };
    return { value: (f.value * hoursIn(base)) / hoursIn(parsePeriod(String(t.baselineYear))), from: { ...from, profile: 'days' } };
  }

  private async value(t: Target, p: Period): Promise<number | undefined> {
    const v = await this.values.value(t.indicator, p, t.entity);
    return v?.sufficient && Number.isFinite(v.value) ? v.value : undefined;
  }

  private figure(t: Target): Promise<YearlyFigure | undefined> {
    const key = `${t.indicator}\u0000${t.entity}\u0000${t.baselineYear}`;
    let f = this.figures.get(key);
    if (!f) {
      const store = this.o.figures;
      f = store ? store.query({ tenant: this.o.tenant, figure: t.indicator, entity: t.entity, year: t.baselineYear }).then((rows) => rows[0]) : Promise.resolve(undefined);
      this.figures.set(key, f);
    }
    return f;
  }

  /** Quarter ÷ year of the indicator in the year before the report's (all sufficient, year value ≠ 0). */
  private profile(t: Target): Promise<Profile> {
    const key = `${t.indicator}\u0000${t.entity}`;
    let p = this.profiles.get(key);
    if (!p) {
      p = (async () => {
        const year = this.o.reportYear - 1;
        const total = await this.value(t, parsePeriod(String(year)));
        if (total === undefined || total === 0) return undefined;
        const quarters: number[] = [];
        for (let q = 1; q <= 4; q++) {
          const v = await this.value(t, parsePeriod(`${year}Q${q}`));
          if (v === undefined) return undefined;
          quarters.push(v / total);
        }
        return { year, shares: quarters };
      })();
      this.profiles.set(key, p);
    }
    return p;
  }
}
