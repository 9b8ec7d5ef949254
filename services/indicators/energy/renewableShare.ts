import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, byEntity, devicesOf, entityOf, loadRegisters, makeValue, mean } from './common.js';

/**
 * renewable_share — local renewable electricity production against electricity
 * use, in % (the contract's "self-sufficient in renewable electricity").
 *
 * Per building (site) in the period, from cumulative registers:
 *   solar  = Σ energy_total of its `solar` devices (gross production);
 *   import = Σ energy_total of its electricity meters;
 *   export = Σ energy_export_total of its electricity meters.
 *   With solar devices:    production = solar,  use = import + max(0, solar − export)
 *                          (self-consumed production is used but never passes the meter);
 *   without, but export:   production = export, use = import
 *                          (only what the meter sees: a lower bound — self-consumption is unknown);
 *   share = production / use × 100 (may exceed 100 % in summer).
 * Exported electricity is not added to the solar production (it is part of it), so
 * nothing is counted twice.
 *
 * Values are given for buildings with production (solar devices, or a meter
 * reporting an export register) and use > 0; '*' = Σ production / Σ use over all
 * the tenant's buildings (aggregate 'none': shares are not added or averaged).
 * A tenant without any production device gets only '*' with value 0, coverage 0,
 * sufficient false and a note — "no data", not a misleading 0 %.
 * Coverage = mean over the devices involved (meters' import and export registers,
 * solar registers) of the share of the period covered by readings.
 *
 * details: production_kwh, use_kwh, solar_kwh, import_kwh, export_kwh, basis
 * ('solar' | 'export_only' | 'mixed' for '*').
 */
export const RENEWABLE_SHARE_ID = 'renewable_share';

interface Acc {
  solar: number;
  import: number;
  export: number;
  hasSolar: boolean;
  hasExport: boolean;
  coverages: number[];
}

const newAcc = (): Acc => ({ solar: 0, import: 0, export: 0, hasSolar: false, hasExport: false, coverages: [] });

function balance(a: Acc): { production: number; use: number } {
  if (a.hasSolar) return { production: a.solar, use: a.import + Math.max(0, a.solar - a.export) };
  if (a.hasExport) return { production: a.export, use: a.import };
  return { production: 0, use: a.import };
}

export const renewableShare: Indicator = {
  id: RENEWABLE_SHARE_ID,
  name: { sv: 'Andel lokalt producerad förnybar el', en: 'Share of locally produced renewable electricity' },
  description: {
    sv: 'Lokalt producerad förnybar el (solceller, el som matas ut på nätet) i procent av elanvändningen, per byggnad med produktion och för hela staden. Följer upp målet om att vara självförsörjande på förnybar el.',
    en: 'Locally produced renewable electricity (solar panels, electricity fed into the grid) as a percentage of electricity use, per building with production and for the whole city. Follows up the goal of self-sufficiency in renewable electricity.',
  },
  unit: '%',
  needs: { metrics: ['energy_total', 'energy_export_total'], kinds: ['electricity_meter', 'solar'] },
  periods: ['month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'higher',
  async compute(ctx) {
    const devices = devicesOf(ctx, ['electricity_meter', 'solar']);
    const set = await loadRegisters(ctx, ['energy_total', 'energy_export_total'], ['electricity_meter', 'solar']);

    const byEntity_ = new Map<string, Acc>();
    const allCoverages: number[] = [];
    for (const d of devices) {
      const acc = byEntity_.get(entityOf(d)) ?? newAcc();
      byEntity_.set(entityOf(d), acc);
      const covs: number[] = [];
      if (d.kind === 'solar') {
        const r = set.get(d, 'energy_total');
        acc.solar += r.kwh;
        acc.hasSolar = true;
        covs.push(r.coverage);
      } else {
        const imp = set.get(d, 'energy_total');
        acc.import += imp.kwh;
        covs.push(imp.coverage);
        if (set.has(d, 'energy_export_total')) {
          const exp = set.get(d, 'energy_export_total');
          acc.export += exp.kwh;
          acc.hasExport = true;
          covs.push(exp.coverage);
        }
      }
      acc.coverages.push(mean(covs));
      allCoverages.push(mean(covs));
    }

    const out: IndicatorValue[] = [];
    let production = 0;
    let use = 0;
    const total = newAcc();
    const bases = new Set<string>();
    for (const [entity, a] of byEntity_) {
      const b = balance(a);
      production += b.production;
      use += b.use;
      total.solar += a.solar;
      total.import += a.import;
      total.export += a.export;
      if (!a.hasSolar && !a.hasExport) continue;
      const basis = a.hasSolar ? 'solar' : 'export_only';
      bases.add(basis);
      const details: Record<string, number | string> = { production_kwh: b.production, use_kwh: b.use, solar_kwh: a.solar, import_kwh: a.import, export_kwh: a.export, basis };
      if (b.use <= 0) continue; // production without use here (a solar park): counts in the tenant's total only
      out.push(makeValue(ctx, { indicator: RENEWABLE_SHARE_ID, unit: '%', entity, value: (100 * b.production) / b.use, coverage: mean(a.coverages), details }));
    }

    const details: Record<string, number | string> = { production_kwh: production, use_kwh: use, solar_kwh: total.solar, import_kwh: total.import, export_kwh: total.export };
    if (bases.size === 0) {
      details.note = 'no production devices (solar, or meters with an export register): share unknown';
      out.push(makeValue(ctx, { indicator: RENEWABLE_SHARE_ID, unit: '%', entity: ALL, value: 0, coverage: 0, details, insufficient: true }));
    } else {
      details.basis = bases.size > 1 ? 'mixed' : [...bases][0]!;
      if (use <= 0) details.note = 'no electricity use measured';
      out.push(makeValue(ctx, { indicator: RENEWABLE_SHARE_ID, unit: '%', entity: ALL, value: use > 0 ? (100 * production) / use : 0, coverage: mean(allCoverages), details, insufficient: use <= 0 }));
    }
    return out.sort(byEntity);
  },
};
