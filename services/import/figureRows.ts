import { isMetricName, METRICS } from '../core/metrics.js';
import type { YearlyFigure } from '../core/storePorts.js';
import { getIndicator } from '../indicators/index.js';
import { numberOf, textOf, type Cell } from './cells.js';
import type { FiguresMapping } from './mapping.js';
import type { Rejection } from './rowParser.js';
import { columnIndex, type SourceRow } from './sourceRows.js';

/**
 * Rows of yearly figures (1990 emissions from the national emissions database,
 * 2018 energy use from the energy declarations ...): each names what it is a
 * figure of (an indicator id or a metric), a year, a value with its unit
 * (converted to the indicator's unit) and its source.
 */

const per = (unit: string): Record<string, number> | undefined => FIGURE_UNITS[unit];

/** Units a figure may come in, normalized (lower case, no spaces, CO₂-ekv = co2e), with the factor to the indicator's unit. */
const FIGURE_UNITS: Record<string, Record<string, number>> = {
  't CO2e': { tco2e: 1, tonco2e: 1, t: 1, ton: 1, kgco2e: 1e-3, kg: 1e-3, ktco2e: 1e3, ktonco2e: 1e3, kt: 1e3, kton: 1e3, mtco2e: 1e6 },
  kWh: { kwh: 1, mwh: 1e3, gwh: 1e6, twh: 1e9 },
  kg: { kg: 1, t: 1e3, ton: 1e3 },
  L: { l: 1, m3: 1e3, 'm³': 1e3 },
};

function normUnit(u: string): string {
  return u.toLowerCase().replace(/\s+/g, '').replace(/co[2₂](-?ekv|-?eq|e)/, 'co2e');
}

/** The value in the figure's unit, or undefined when the unit does not fit. */
export function figureValue(value: number, unit: string, target: string): number | undefined {
  if (unit.trim() === target) return value;
  const f = per(target)?.[normUnit(unit)];
  return f === undefined ? undefined : Number((value * f).toPrecision(15));
}

/** The unit figures of `name` are kept in: the indicator's unit, or the metric's. */
export function figureUnitOf(name: string): string | undefined {
  const ind = getIndicator(name);
  if (ind) return ind.unit;
  return isMetricName(name) ? METRICS[name].unit : undefined;
}

type Spec = { column: string | number; map?: Record<string, string> } | { fixed: string };

export class FigureRowParser {
  constructor(
    private readonly m: FiguresMapping,
    private readonly tenant: string,
    private readonly decimal: ',' | '.',
    private readonly file: string,
  ) {}

  missingColumns(header: string[]): string[] {
    const specs: Array<[string, Spec | { column: string | number } | undefined]> = [
      ['figure', this.m.figure], ['year', this.m.year], ['value', this.m.value], ['unit', this.m.unit], ['source', this.m.source], ['entity', this.m.entity],
    ];
    return specs.filter(([, s]) => s && 'column' in s && columnIndex(header, s.column) === undefined).map(([f, s]) => `${f}.column ${JSON.stringify((s as { column: unknown }).column)}`);
  }

  parse(r: SourceRow): YearlyFigure | Rejection {
    const figure = this.text(r, this.m.figure);
    const unitOf = figureUnitOf(figure);
    if (!unitOf) return { reason: 'unknown_metric', field: 'figure', message: `${JSON.stringify(figure)} is neither an indicator nor a metric` };
    const yearCell = this.cell(r, this.m.year.column);
    const year = numberOf(yearCell instanceof Date ? yearCell.getUTCFullYear() : yearCell, this.decimal);
    if (year === undefined || !Number.isInteger(year) || year < 1900 || year > 2100) return { reason: 'implausible_time', field: 'year', message: `not a year: ${JSON.stringify(textOf(yearCell))}` };
    const raw = numberOf(this.cell(r, this.m.value.column), this.decimal);
    if (raw === undefined) return { reason: 'schema', field: 'value', message: `not a number: ${JSON.stringify(textOf(this.cell(r, this.m.value.column)))}` };
    const unit = this.text(r, this.m.unit);
    const value = figureValue(raw, unit, unitOf);
    if (value === undefined) return { reason: 'bad_unit', field: 'unit', message: `${JSON.stringify(unit)} is not a unit of ${figure} (${unitOf})` };
    const source = this.text(r, this.m.source);
    if (!source) return { reason: 'schema', field: 'source', message: 'a figure needs its source' };
    const entity = this.m.entity ? this.text(r, this.m.entity) || '*' : '*';
    return { tenant: this.tenant, figure, entity, year, value, unit: unitOf, source, importedFrom: `${this.file}#row=${r.row}` };
  }

  private cell(r: SourceRow, column: string | number): Cell {
    const i = columnIndex(r.header, column);
    return i === undefined ? undefined : r.cells[i];
  }

  private text(r: SourceRow, s: Spec): string {
    if ('fixed' in s) return s.fixed;
    const v = textOf(this.cell(r, s.column));
    return s.map ? (s.map[v] ?? v) : v;
  }
}
