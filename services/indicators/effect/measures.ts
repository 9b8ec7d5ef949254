import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { KlimatpulsError } from '../../core/errors.js';
import { TENANT_RE } from '../../core/reading.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { entityOf } from '../energy/common.js';
import { ZONE } from '../periods.js';

/**
 * Measures whose effect is measured (MEASURES_FILE): a renovation, a behaviour
 * campaign or a new control system in a building or group of buildings (registry
 * sites), from a date. Dates are Stockholm days; a period is [from, to): `to` is
 * the first day after it.
 */
const dayString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((s) => DateTime.fromISO(s, { zone: ZONE }).isValid, 'a real calendar date');
const text = z.object({ sv: z.string().min(1), en: z.string().min(1) }).strict();
const range = z.object({ from: dayString, to: dayString }).strict().refine((r) => r.from < r.to, '`from` must be before `to`');

export const measureSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a slug (a-z, 0-9, -)'),
    tenant: z.string().regex(TENANT_RE, 'a lower-case slug (a-z, 0-9, - and _)'),
    name: text,
    kind: z.enum(['renovation', 'campaign', 'control_system', 'other']),
    /** Registry sites (the `site` of the buildings' meters). */
    buildings: z.array(z.string().min(1).max(128)).min(1),
    /** The day the measure took effect: the baseline ends before it, the reporting period starts with it. */
    date: dayString,
    /** Default: the 365 days before `date`. */
    baseline: range.optional(),
    /** Default: 365 days from `date` (an installation period is left out by starting it later). */
    reporting: range.optional(),
    /** Which meters count: both carriers (default), heat meters only (a heating measure), electricity only. */
    meters: z.enum(['all', 'heat', 'electricity']).default('all'),
    /** Buildings without the measure: their own model's residuals correct the result (difference in differences). */
    controlBuildings: z.array(z.string().min(1).max(128)).min(1).optional(),
    /** Balance point search, °C (default 0–25 in 0.5 steps). */
    balancePoints: z.object({ min: z.number().min(-30).max(40), max: z.number().min(-30).max(40), step: z.number().min(0.05).max(5) }).strict().refine((b) => b.min <= b.max, '`min` must not exceed `max`').optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.baseline && m.baseline.to > m.date) ctx.addIssue({ code: 'custom', path: ['baseline', 'to'], message: 'the baseline must end by the measure date' });
    if (m.reporting && m.reporting.from < m.date) ctx.addIssue({ code: 'custom', path: ['reporting', 'from'], message: 'the reporting period must start on or after the measure date' });
    const overlap = m.controlBuildings?.findIndex((b) => m.buildings.includes(b)) ?? -1;
    if (overlap >= 0) ctx.addIssue({ code: 'custom', path: ['controlBuildings', overlap], message: 'a control building must not be one of the measure’s buildings' });
  });
export type Measure = z.infer<typeof measureSchema>;

export const measuresFileSchema = z
  .object({ measures: z.array(measureSchema) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.measures.forEach((m, i) => {
      if (seen.has(`${m.tenant}/${m.id}`)) ctx.addIssue({ code: 'custom', path: ['measures', i, 'id'], message: `${m.id} is defined twice for ${m.tenant}` });
      seen.add(`${m.tenant}/${m.id}`);
    });
  });

/** Parses a measures file; the error names the file and the field (`measures.0.date: a date YYYY-MM-DD`). */
export function parseMeasures(text: string, source = 'measures'): Measure[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new KlimatpulsError('CONFIG_INVALID', `${source}: not valid JSON: ${(err as Error).message}`);
  }
  const r = measuresFileSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new KlimatpulsError('CONFIG_INVALID', `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data.measures;
}

export function loadMeasures(path: string): Measure[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KlimatpulsError('CONFIG_INVALID', `MEASURES_FILE: ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return parseMeasures(text, path);
}

/** Every building of every measure must be a site of a registered energy meter of the measure's tenant. */
export function checkMeasureBuildings(measures: Measure[], devices: Device[], source = 'measures'): void {
  measures.forEach((m, i) => {
    const sites = new Set(devices.filter((d) => d.tenant === m.tenant && (d.kind === 'electricity_meter' || d.kind === 'heat_meter')).map(entityOf));
    for (const field of ['buildings', 'controlBuildings'] as const) {
      (m[field] ?? []).forEach((b, j) => {
        if (!sites.has(b)) throw new KlimatpulsError('CONFIG_INVALID', `${source}: measures.${i}.${field}.${j}: ${JSON.stringify(b)} is not the site of an energy meter of ${m.tenant} in the registry`);
      });
    }
  });
}

export interface MeasurePeriods {
  baseline: { from: number; to: number };
  reporting: { from: number; to: number };
}

const dayMs = (s: string) => DateTime.fromISO(s, { zone: ZONE }).startOf('day').toMillis();
const plusDays = (s: string, n: number) => DateTime.fromISO(s, { zone: ZONE }).plus({ days: n }).startOf('day').toMillis();

/** The measure's periods as epoch ms ([from, to), Stockholm days), defaults filled in. */
export function periodsOf(m: Measure): MeasurePeriods {
  return {
    baseline: m.baseline ? { from: dayMs(m.baseline.from), to: dayMs(m.baseline.to) } : { from: plusDays(m.date, -365), to: dayMs(m.date) },
    reporting: m.reporting ? { from: dayMs(m.reporting.from), to: dayMs(m.reporting.to) } : { from: dayMs(m.date), to: plusDays(m.date, 365) },
  };
}

/** The balance point candidates of a measure, °C. */
export function balancePointsOf(m: Measure): number[] | undefined {
  const b = m.balancePoints;
  if (!b) return undefined;
  const out: number[] = [];
  for (let i = 0; b.min + i * b.step <= b.max + 1e-9; i++) out.push(Math.round((b.min + i * b.step) * 1e6) / 1e6);
  return out;
}
