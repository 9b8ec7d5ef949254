import { isMetricName, METRICS, type MetricName } from '../core/metrics.js';
import { toCanonical } from '../core/units.js';
import type { DeadLetterReason } from '../core/deadLetter.js';
import type { Device, DeviceLookup } from '../registry/deviceRegistry.js';
import { numberOf, textOf, timeOf, type Cell, type ParsedTime } from './cells.js';
import { ZoneClock, type Wall } from './zoneClock.js';
import type { IntervalName, ReadingsMapping } from './mapping.js';
import { columnIndex, type SourceRow } from './sourceRows.js';

/** A row that became a value of one series: [start, end) for interval values, `end` = `start` for a register reading. */
export interface RowEntry {
  row: number;
  device: Device;
  metric: MetricName;
  channel?: string;
  start: number;
  end: number;
  /** In the metric's canonical unit. */
  value: number;
}

export interface Rejection {
  reason: DeadLetterReason;
  field: string;
  message: string;
}

export const MIN_TIME = Date.UTC(1990, 0, 1);
const MAX_FUTURE_MS = 86_400_000;

/** Interval lengths: fixed ones in ms (an hour is an hour across DST), calendar ones in wall-clock days or months. */
const STEP: Record<IntervalName, { ms: number } | { days: number } | { months: number }> = {
  '15min': { ms: 900_000 }, hour: { ms: 3_600_000 }, day: { days: 1 }, month: { months: 1 }, quarter: { months: 3 }, year: { months: 12 },
};

type Spec = { column: string | number; map?: Record<string, string> } | { fixed: string };

/**
 * Turns rows of a readings mapping into series entries, checking each: the
 * device is registered (and the tenant's), the time is a time, the value a
 * number, the unit one that converts to the metric's, the value plausible.
 */
export class RowParser {
  private header?: string[];
  private idx = new Map<string, number | undefined>();
  private readonly ambiguousSeen = new Set<string>();
  private readonly clock: ZoneClock;

  constructor(
    private readonly m: ReadingsMapping,
    private readonly devices: DeviceLookup,
    private readonly decimal: ',' | '.',
    private readonly now = Date.now(),
  ) {
    this.clock = new ZoneClock(m.time.zone);
  }

  /** The header's columns the mapping names that are missing (a config error, not a row's). */
  missingColumns(header: string[]): string[] {
    const specs: Array<[string, Spec | { column: string | number } | undefined]> = [
      ['device', this.m.device], ['time', this.m.time], ['value', this.m.value], ['unit', this.m.unit], ['metric', this.m.metric], ['channel', this.m.channel],
    ];
    if (this.m.time.timeColumn !== undefined) specs.push(['time.timeColumn', { column: this.m.time.timeColumn }]);
    return specs.filter(([, s]) => s && 'column' in s && columnIndex(header, s.column) === undefined).map(([f, s]) => `${f}.column ${JSON.stringify((s as { column: unknown }).column)}`);
  }

  parse(r: SourceRow): RowEntry | Rejection {
    if (r.header !== this.header) {
      this.header = r.header;
      this.idx.clear();
    }
    const deviceId = this.text(r, 'device', this.m.device);
    if (!deviceId) return { reason: 'schema', field: 'device', message: 'no device id in the row' };
    const device = this.devices.get(deviceId);
    if (!device) return { reason: 'unknown_device', field: 'device', message: `device ${JSON.stringify(deviceId)} is not registered (klimatpuls device add)` };
    if (this.m.tenant && device.tenant !== this.m.tenant) return { reason: 'tenant_mismatch', field: 'device', message: `device ${device.id} belongs to ${device.tenant}, not ${this.m.tenant}` };

    const metricName = this.text(r, 'metric', this.m.metric);
    if (!isMetricName(metricName)) return { reason: 'unknown_metric', field: 'metric', message: `unknown metric ${JSON.stringify(metricName)}` };
    const spec = METRICS[metricName];
    const channel = this.m.channel ? this.text(r, 'channel', this.m.channel) || undefined : undefined;

    const t = timeOf(this.cell(r, 'time', this.m.time.column), this.m.time.timeColumn === undefined ? undefined : this.cell(r, 'time.timeColumn', this.m.time.timeColumn), { ...this.m.time, clock: this.clock });
    if (!t) return { reason: 'implausible_time', field: 'time', message: `not a time: ${JSON.stringify(textOf(this.cell(r, 'time', this.m.time.column)))}${this.m.time.format ? ` (format ${this.m.time.format})` : ''}` };
    if (this.clock.wall(t.ms).hour !== t.wall.hour) return { reason: 'implausible_time', field: 'time', message: `${String(t.wall.hour).padStart(2, '0')}:00 on ${t.wall.year}-${String(t.wall.month).padStart(2, '0')}-${String(t.wall.day).padStart(2, '0')} does not exist in ${this.m.time.zone} (summer time starts)` };
    const { start, end } = this.span(this.laterIfRepeated(t, `${device.id}\u0000${metricName}\u0000${channel ?? ''}`));
    if (start < MIN_TIME) return { reason: 'implausible_time', field: 'time', message: `before 1990: ${new Date(t.ms).toISOString()}` };
    if (end > this.now + MAX_FUTURE_MS) return { reason: 'future_time', field: 'time', message: `in the future: ${new Date(t.ms).toISOString()}` };

    const raw = numberOf(this.cell(r, 'value', this.m.value.column), this.decimal);
    if (raw === undefined) return { reason: 'schema', field: 'value', message: `not a number: ${JSON.stringify(textOf(this.cell(r, 'value', this.m.value.column)))}` };
    const unit = this.text(r, 'unit', this.m.unit);
    const value = toCanonical(raw, unit, spec.unit);
    if (value === undefined) return { reason: 'bad_unit', field: 'unit', message: `${JSON.stringify(unit)} is not a unit of ${metricName} (${spec.unit})` };
    const interval = this.m.values === 'interval';
    // A negative amount is no consumption or weight; a level (temperature) may be below 0.
    if (interval && value < 0 && (spec.cumulative || spec.min >= 0)) return { reason: 'implausible_value', field: 'value', message: `negative ${spec.cumulative ? 'consumption' : 'amount'} ${value} ${spec.unit}` };
    if (value < spec.min || value > spec.max) return { reason: 'implausible_value', field: 'value', message: `${value} ${spec.unit} outside ${spec.min}..${spec.max}` };
    return { row: r.row, device, metric: metricName, ...(channel ? { channel } : {}), start, end, value };
  }

  /**
   * The hour that clocks repeat when summer time ends (02:00–02:59 twice in
   * Stockholm): exports list it twice with the same local time. The first is
   * read as summer time, the second of the same series as winter time.
   */
  private laterIfRepeated(t: ParsedTime, series: string): ParsedTime {
    const later = t.ms + 3_600_000;
    if (this.clock.wall(later).hour !== t.wall.hour) return t;
    const key = `${series}\u0000${t.ms}`;
    if (!this.ambiguousSeen.has(key)) {
      this.ambiguousSeen.add(key);
      return t;
    }
    return { ms: later, wall: t.wall };
  }

  private span(t: ParsedTime): { start: number; end: number } {
    if (this.m.values === 'register') return { start: t.ms, end: t.ms };
    const step = STEP[this.m.interval!];
    const sign = this.m.time.marks === 'end' ? -1 : 1;
    const other = 'ms' in step ? t.ms + sign * step.ms : this.clock.toMillis(shift(t.wall, sign, step));
    return sign > 0 ? { start: t.ms, end: other } : { start: other, end: t.ms };
  }

  private cell(r: SourceRow, field: string, column: string | number): Cell {
    let i = this.idx.get(field);
    if (!this.idx.has(field)) this.idx.set(field, (i = columnIndex(r.header, column)));
    return i === undefined ? undefined : r.cells[i];
  }

  private text(r: SourceRow, field: string, s: Spec): string {
    if ('fixed' in s) return s.fixed;
    const v = textOf(this.cell(r, field, s.column));
    return s.map ? (s.map[v] ?? v) : v;
  }
}

/** A wall time `sign` days or months away (the day clamped to the month's last: 31 January + 1 month = 28/29 February). */
function shift(w: Wall, sign: number, step: { days: number } | { months: number }): Wall {
  if ('days' in step) {
    const d = new Date(Date.UTC(w.year, w.month - 1, w.day + sign * step.days));
    return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
  const m0 = w.year * 12 + (w.month - 1) + sign * step.months;
  const year = Math.floor(m0 / 12);
  const month = (m0 % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { ...w, year, month, day: Math.min(w.day, last) };
}
