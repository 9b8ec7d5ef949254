import type { MetricName } from '../../core/metrics.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { entityOf, MARGIN_MS, registerOf } from '../energy/common.js';
import { periodsBetween } from '../periods.js';
import { dayStart, daysBetween, nextDay } from '../rollups/days.js';
import { seriesFigures, type SeriesFigures } from '../rollups/reducers.js';
import type { RollupRow } from '../rollups/types.js';
import type { ReadingSource, Series } from '../types.js';

/** Which meters of a building count: both carriers (as energy_use), only heat meters, or only electricity meters. */
export type MeterChoice = 'all' | 'heat' | 'electricity';

export interface DailyEnergy {
  /** kWh of the group's meters in the day (energy_use's figure for the day, summed over the buildings). */
  kwh: number;
  /** Mean over the group's meters of the share of the day their readings cover (a silent meter counts 0). */
  coverage: number;
}

const KINDS = { all: ['electricity_meter', 'heat_meter'], heat: ['heat_meter'], electricity: ['electricity_meter'] } as const;

/** The meters of a group of buildings (registry sites; a device without a site is its own building). */
export function metersOf(devices: Device[], tenant: string, buildings: readonly string[], meters: MeterChoice = 'all'): Device[] {
  const wanted = new Set(buildings);
  const kinds: readonly string[] = KINDS[meters];
  return devices.filter((d) => d.tenant === tenant && kinds.includes(d.kind) && wanted.has(entityOf(d))).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** energy_use's choice of register per device: heat meters heat_energy_total when they have it, else energy_total. */
function pick(d: Device, figures: SeriesFigures[]): SeriesFigures[] {
  const has = (m: MetricName) => figures.some((f) => f.metric === m);
  const metric: MetricName = d.kind === 'heat_meter' && (has('heat_energy_total') || !has('energy_total')) ? 'heat_energy_total' : 'energy_total';
  const all = figures.filter((f) => f.metric === metric);
  const plain = all.filter((f) => f.channel === '');
  return plain.length > 0 ? plain : all;
}

/**
 * Energy per Stockholm day of [from, to) of a group's meters, exactly energy_use's
 * value of each day (its registers differenced with the raw engine's margins).
 * From the store's day rollups, one device's rows at a time (a few numbers per
 * day, never raw readings); without rollups from raw series a month at a time.
 */
export async function dailyEnergy(source: ReadingSource, meters: Device[], q: { tenant: string; from: number; to: number }): Promise<Map<number, DailyEnergy>> {
  const days = daysBetween(q.from, q.to).filter((d) => d >= q.from && nextDay(d) <= q.to);
  const perDevice = new Map<string, Map<number, { kwh: number; coverage: number }>>();
  const byId = new Map(meters.map((d) => [d.id.toLowerCase(), d]));
  const record = (d: Device, day: number, kwh: number, coverage: number) => {
    const m = perDevice.get(d.id.toLowerCase()) ?? new Map();
    m.set(day, { kwh, coverage });
    perDevice.set(d.id.toLowerCase(), m);
  };
  const metrics: MetricName[] = ['energy_total', 'heat_energy_total'];
  if (meters.length > 0 && days.length > 0 && source.rollups) {
    const kinds = [...new Set(meters.map((d) => d.kind))];
    await source.rollups.eachDevice({ tenant: q.tenant, span: 'day', from: dayStart(q.from - MARGIN_MS), to: q.to + MARGIN_MS, kinds }, (id, rows) => {
      const d = byId.get(id.toLowerCase());
      if (d) for (const [day, v] of daysOfRows(d, rows, days, metrics)) record(d, day, v.kwh, v.coverage);
    });
  } else if (meters.length > 0) {
    for (const month of periodsBetween('month', q.from, q.to)) {
      const series = await source.series({ tenant: q.tenant, metrics, kinds: [...new Set(meters.map((d) => d.kind))], devices: meters.map((d) => d.id), from: month.start - MARGIN_MS, to: month.end + MARGIN_MS });
      for (const d of meters) {
        const mine = series.filter((s) => s.device.id.toLowerCase() === d.id.toLowerCase());
        for (const day of days) if (day >= month.start && day < month.end) rawDay(d, mine, day, record);
      }
    }
  }
  const out = new Map<number, DailyEnergy>();
  for (const day of days) {
    let kwh = 0;
    let cov = 0;
    for (const d of meters) {
      const v = perDevice.get(d.id.toLowerCase())?.get(day);
      kwh += v?.kwh ?? 0;
      cov += v?.coverage ?? 0;
    }
    out.set(day, { kwh, coverage: meters.length ? cov / meters.length : 0 });
  }
  return out;
}

/** One device's days from its day rows (sorted by start): each day reduced from the rows within its margins. */
function daysOfRows(d: Device, rows: RollupRow[], days: number[], metrics: MetricName[]): Map<number, { kwh: number; coverage: number }> {
  const out = new Map<number, { kwh: number; coverage: number }>();
  let lo = 0;
  for (const day of days) {
    const end = nextDay(day);
    const w = { from: day, to: end, loadedFrom: day - MARGIN_MS, loadedTo: end + MARGIN_MS };
    while (lo < rows.length && rows[lo]!.start < w.loadedFrom - MARGIN_MS) lo++;
    let hi = lo;
    while (hi < rows.length && rows[hi]!.start < w.loadedTo) hi++;
    const list = pick(d, seriesFigures(rows.slice(lo, hi), w, metrics).filter((f) => f.found));
    if (list.length === 0) continue;
    out.set(day, {
      kwh: list.reduce((s, f) => s + f.kwh, 0),
      coverage: list.reduce((s, f) => s + Math.min(1, f.coveredMs / (end - day)), 0) / list.length,
    });
  }
  return out;
}

function rawDay(d: Device, series: Series[], day: number, record: (d: Device, day: number, kwh: number, coverage: number) => void): void {
  const has = (m: MetricName) => series.some((s) => s.metric === m);
  const metric: MetricName = d.kind === 'heat_meter' && (has('heat_energy_total') || !has('energy_total')) ? 'heat_energy_total' : 'energy_total';
  const all = series.filter((s) => s.metric === metric);
  const plain = all.filter((s) => s.channel === undefined);
  const r = registerOf(plain.length > 0 ? plain : all, day, nextDay(day));
  if (r.found) record(d, day, r.kwh, r.coverage);
}
