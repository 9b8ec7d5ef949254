import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { KlimatpulsError } from '../../core/errors.js';
import type { Period } from '../periods.js';

const text = z.object({ sv: z.string().min(1), en: z.string().min(1) });

/**
 * A city's contract targets. Each target follows one indicator (for the whole
 * tenant, entity '*', unless `entity` says otherwise) from a baseline year to a
 * target year, either as a relative change against the baseline (`change: -0.3`
 * = 30 % less) or as an absolute value (`targetValue: 45` for a share in %).
 */
export const targetSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    indicator: z.string().min(1),
    entity: z.string().default('*'),
    name: text,
    /** Where the target comes from (contract section). */
    source: z.string().min(1),
    /** What the follow-up measures, and where it is a proxy for the contract's wording. */
    note: z.string().optional(),
    baselineYear: z.number().int().min(1990).max(2100),
    /** When the city knows its baseline from elsewhere (e.g. its own statistics). */
    baselineValue: z.number().optional(),
    targetYear: z.number().int().min(1990).max(2100),
    change: z.number().min(-1).max(10).optional(),
    targetValue: z.number().optional(),
    /** Period kind the follow-up compares (quarter for the quarterly report). */
    periodKind: z.enum(['month', 'quarter', 'year']).default('quarter'),
    /** How far past the trajectory still counts as "behind" rather than "off track" (share of the baseline). */
    tolerance: z.number().min(0).max(1).default(0.05),
    /** How the quarterly report adds quarters up to the year (YTD, budget, forecast): sum for flows, mean for levels; by default from the unit. */
    aggregate: z.enum(['sum', 'mean']).optional(),
  })
  .refine((t) => (t.change === undefined) !== (t.targetValue === undefined), 'exactly one of change, targetValue')
  .refine((t) => t.targetYear > t.baselineYear, 'targetYear must be after baselineYear');
export type Target = z.infer<typeof targetSchema>;

export const cityTargetsSchema = z.object({
  city: z.string().regex(/^[a-z0-9-]+$/),
  tenant: z.string().min(1),
  name: text,
  contract: z.string().min(1),
  /** Per-city indicator settings (emission factors ...), merged over the defaults. */
  settings: z.record(z.string(), z.unknown()).default({}),
  targets: z.array(targetSchema).min(1),
});
export type CityTargets = z.infer<typeof cityTargetsSchema>;

export function loadTargets(path: string): CityTargets {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KlimatpulsError('CONFIG_INVALID', `${path}: ${(err as Error).message}`);
  }
  const r = cityTargetsSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new KlimatpulsError('CONFIG_INVALID', `${path}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

export type Status = 'on_track' | 'behind' | 'off_track' | 'not_enough_data';

/** Fraction of the way from the baseline year to the target year at the middle of `p` (0..1, may exceed 1). */
export function progressAt(t: Target, p: Period): number {
  const mid = new Date((p.start + p.end) / 2);
  const year = mid.getUTCFullYear() + (mid.getTime() - Date.UTC(mid.getUTCFullYear(), 0, 1)) / (365.25 * 86_400_000);
  return Math.max(0, (year - (t.baselineYear + 0.5)) / (t.targetYear - t.baselineYear));
}

/**
 * The trajectory value for period p: linear from the baseline to the target.
 * `baseline` is the indicator's value for the same period of the baseline year
 * (seasonal indicators compare like with like), or the file's baselineValue.
 */
export function trajectoryAt(t: Target, p: Period, baseline: number): number {
  const f = Math.min(1, progressAt(t, p));
  const goal = t.targetValue ?? baseline * (1 + t.change!);
  return baseline + (goal - baseline) * f;
}

/**
 * Status of an actual value against the trajectory: on track when at or better
 * than it; behind when worse by at most `tolerance` × |baseline|; off track
 * beyond. `better` says which direction is good.
 */
export function statusOf(args: { actual?: number; sufficient: boolean; trajectory?: number; baseline?: number; tolerance: number; better: 'lower' | 'higher' }): Status {
  const { actual, trajectory, baseline } = args;
  if (!args.sufficient || actual === undefined || trajectory === undefined || baseline === undefined) return 'not_enough_data';
  const worseBy = args.better === 'lower' ? actual - trajectory : trajectory - actual;
  if (worseBy <= 1e-9) return 'on_track';
  return worseBy <= args.tolerance * Math.abs(baseline) ? 'behind' : 'off_track';
}
