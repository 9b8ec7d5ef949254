import { DateTime } from 'luxon';

/** Calendar periods are Swedish calendar periods: Europe/Stockholm, DST-correct (luxon). */
export const ZONE = 'Europe/Stockholm';

export type PeriodKind = 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface Period {
  kind: PeriodKind;
  /** Stable label: 2025-03-30, 2025-W13, 2025-03, 2025Q1, 2025. */
  label: string;
  /** Inclusive start, exclusive end, as epoch ms. */
  start: number;
  end: number;
}

const UNIT: Record<PeriodKind, 'day' | 'week' | 'month' | 'quarter' | 'year'> = { day: 'day', week: 'week', month: 'month', quarter: 'quarter', year: 'year' };

function labelOf(kind: PeriodKind, d: DateTime): string {
  switch (kind) {
    case 'day':
      return d.toFormat('yyyy-LL-dd');
    case 'week':
      return `${d.toFormat("kkkk-'W'WW")}`;
    case 'month':
      return d.toFormat('yyyy-LL');
    case 'quarter':
      return `${d.year}Q${d.quarter}`;
    case 'year':
      return String(d.year);
  }
}

/** The period of `kind` that contains instant `t`. */
export function periodOf(kind: PeriodKind, t: number): Period {
  const d = DateTime.fromMillis(t, { zone: ZONE }).startOf(UNIT[kind], { useLocaleWeeks: false });
  const end = d.plus({ [`${UNIT[kind]}s`]: 1 });
  return { kind, label: labelOf(kind, d), start: d.toMillis(), end: end.toMillis() };
}

/** Parses a label back into a period: 2025-03-30, 2025-W13, 2025-03, 2025Q3, 2025. */
export function parsePeriod(label: string): Period {
  let d: DateTime | undefined;
  let kind: PeriodKind;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})Q([1-4])$/.exec(label))) {
    kind = 'quarter';
    d = DateTime.fromObject({ year: Number(m[1]), month: (Number(m[2]) - 1) * 3 + 1, day: 1 }, { zone: ZONE });
  } else if ((m = /^(\d{4})-W(\d{2})$/.exec(label))) {
    kind = 'week';
    d = DateTime.fromObject({ weekYear: Number(m[1]), weekNumber: Number(m[2]), weekday: 1 }, { zone: ZONE });
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(label)) {
    kind = 'day';
    d = DateTime.fromISO(label, { zone: ZONE });
  } else if (/^\d{4}-\d{2}$/.test(label)) {
    kind = 'month';
    d = DateTime.fromISO(`${label}-01`, { zone: ZONE });
  } else if (/^\d{4}$/.test(label)) {
    kind = 'year';
    d = DateTime.fromObject({ year: Number(label), month: 1, day: 1 }, { zone: ZONE });
  } else {
    throw new Error(`period ${JSON.stringify(label)}: expected 2025-03-30, 2025-W13, 2025-03, 2025Q3 or 2025`);
  }
  if (!d.isValid) throw new Error(`period ${JSON.stringify(label)}: not a valid date`);
  const p = periodOf(kind, d.toMillis());
  if (p.label !== label) throw new Error(`period ${JSON.stringify(label)}: not a valid ${kind}`);
  return p;
}

/** The periods of `kind` that overlap [from, to). */
export function periodsBetween(kind: PeriodKind, from: number, to: number): Period[] {
  const out: Period[] = [];
  for (let p = periodOf(kind, from); p.start < to; p = periodOf(kind, p.end)) out.push(p);
  return out;
}

/** The same period one year earlier (baseline comparisons). */
export function sameLastYear(p: Period, years = 1): Period {
  const d = DateTime.fromMillis(p.start, { zone: ZONE }).minus({ years });
  return periodOf(p.kind, p.kind === 'week' ? d.plus({ days: 3 }).toMillis() : d.toMillis());
}

/** The period before. */
export function previous(p: Period): Period {
  return periodOf(p.kind, p.start - 1);
}

/** Hours in a period (23 or 25 on DST days). */
export function hoursIn(p: Period): number {
  return (p.end - p.start) / 3_600_000;
}
