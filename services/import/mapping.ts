import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, KlimatpulsError } from '../core/errors.js';
import { METRICS, METRIC_NAMES } from '../core/metrics.js';
import { TENANT_RE } from '../core/reading.js';

/**
 * How to read one kind of source file (a JSON file, validated here): which
 * columns hold what. Columns are named by their header text (as in the file,
 * case and surrounding spaces ignored) or by 1-based number. An error names the
 * field: `mapping.json: value.column: expected string or number`.
 */

const column = z.union([z.string().min(1), z.number().int().positive()]);
/** A value from a column (optionally renamed through `map`), or the same for every row. */
const fromColumn = z.object({ column, map: z.record(z.string(), z.string()).optional() }).strict();
const fixedOr = <T extends z.ZodType>(fixed: T) => z.union([fromColumn, z.object({ fixed }).strict()]);

const csvOptions = z
  .object({
    /** `auto`: the first of `;`, tab, `,` found in the header line (Swedish exports use `;`). */
    delimiter: z.enum(['auto', ';', ',', '\t', '|']).default('auto'),
    /** `auto`: a comma when the delimiter is `;` or a tab, else a point. */
    decimal: z.enum(['auto', ',', '.']).default('auto'),
    /** `auto`: UTF-8 (a BOM is dropped) unless the file is not valid UTF-8, then Windows-1252 (Excel's "CSV" in Sweden). */
    encoding: z.enum(['auto', 'utf-8', 'windows-1252', 'latin1']).default('auto'),
  })
  .strict();

const common = {
  /** The tenant the rows belong to; a device of another tenant is dead-lettered (tenant_mismatch). */
  tenant: z.string().regex(TENANT_RE, 'a lower-case slug (a-z, 0-9, - and _)').optional(),
  /** From the file's extension when not given. */
  format: z.enum(['csv', 'xlsx']).optional(),
  csv: csvOptions.default({ delimiter: 'auto', decimal: 'auto', encoding: 'auto' }),
  /** xlsx: the sheet, by name or 1-based number (default the first). */
  sheet: z.union([z.string().min(1), z.number().int().positive()]).optional(),
  /** Lines (csv) or rows (xlsx) above the header: titles, export notes. */
  skipRows: z.number().int().min(0).default(0),
};

/** When a row happened: a timestamp column, or a date column plus a time column. */
const timeSpec = z
  .object({
    column,
    /** A second column with the time of day (`Tid` next to `Datum`). */
    timeColumn: column.optional(),
    /** Luxon format (`yyyy-MM-dd HH:mm`, `d/M/yyyy`, `yyyyMM`); default: ISO dates and times, year-months (`2024-01`, `202401`), Excel dates. */
    format: z.string().min(1).optional(),
    zone: z.string().default('Europe/Stockholm'),
    /** Whether the time is the interval's start (default) or its end (some portals stamp the hour's end). */
    marks: z.enum(['start', 'end']).default('start'),
  })
  .strict();

export const INTERVALS = ['15min', 'hour', 'day', 'month', 'quarter', 'year'] as const;
export type IntervalName = (typeof INTERVALS)[number];

export const readingsMappingSchema = z
  .object({
    type: z.literal('readings'),
    ...common,
    /** Meter point, vehicle or collection point id as registered (`klimatpuls device add`). */
    device: fixedOr(z.string().min(1).max(128)),
    time: timeSpec,
    value: fromColumn,
    /** The unit of the values: a column, or the same for every row. Converted to the metric's unit. */
    unit: fixedOr(z.string().min(1)),
    metric: fixedOr(z.enum(METRIC_NAMES)),
    /** Sub-series: the fuel of a refuelling, the fraction of waste, the tariff of a register. */
    channel: fixedOr(z.string().min(1).max(64)).optional(),
    /** `interval`: each value is the amount of one interval (consumption, weight, litres); `register`: a meter reading. */
    values: z.enum(['interval', 'register']),
    /** Interval values: how long an interval is (what a row covers). */
    interval: z.enum(INTERVALS).optional(),
    /**
     * Rows of the same series and interval: `add` them (two refuellings on one day, two
     * weighings in a month), or `reject` the later ones (default: a meter's hour listed twice).
     */
    repeats: z.enum(['add', 'reject']).default('reject'),
  })
  .strict()
  .superRefine((m, ctx) => {
    const metrics = 'fixed' in m.metric ? [m.metric.fixed] : Object.values(m.metric.map ?? {});
    for (const name of metrics) {
      const spec = METRICS[name as keyof typeof METRICS];
      if (!spec) ctx.addIssue({ code: 'custom', path: ['metric', 'map'], message: `unknown metric ${JSON.stringify(name)}` });
      else if (m.values === 'register' && !spec.cumulative) ctx.addIssue({ code: 'custom', path: ['values'], message: `${name} is not a register: use "interval"` });
    }
    if (m.values === 'interval' && !m.interval) ctx.addIssue({ code: 'custom', path: ['interval'], message: `required for interval values: one of ${INTERVALS.join(', ')}` });
  });
export type ReadingsMapping = z.infer<typeof readingsMappingSchema>;

export const figuresMappingSchema = z
  .object({
    type: z.literal('figures'),
    ...common,
    /** What the figure is: an indicator id it is a baseline of (`emissions`, `energy_use` ...). */
    figure: fixedOr(z.string().min(1).max(64)),
    year: z.object({ column }).strict(),
    value: fromColumn,
    unit: fixedOr(z.string().min(1)),
    /** Where the figure comes from (statistics, a report): required, a baseline must say its source. */
    source: fixedOr(z.string().min(1).max(500)),
    /** A building, a site or `*` for the whole tenant (default). */
    entity: fixedOr(z.string().min(1).max(128)).optional(),
  })
  .strict();
export type FiguresMapping = z.infer<typeof figuresMappingSchema>;

export const mappingSchema = z.discriminatedUnion('type', [readingsMappingSchema, figuresMappingSchema]);
export type Mapping = z.infer<typeof mappingSchema>;

export function parseMapping(raw: unknown, source = 'mapping'): Mapping {
  const r = mappingSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new KlimatpulsError('CONFIG_INVALID', `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

export function loadMapping(path: string): Mapping {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(path, 'a JSON mapping file', (err as Error).message);
  }
  return parseMapping(raw, path);
}
