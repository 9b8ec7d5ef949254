import { DateTime } from 'luxon';
import type { HttpResponse } from '../../http/httpServer.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { ZONE } from '../periods.js';
import type { ReadingSource } from '../types.js';
import { measureEffect, type MeasureEffect } from './effect.js';
import type { GroupResult } from './groupModel.js';
import type { Measure } from './measures.js';

/**
 * GET /api/effects?tenant=&measure=&until=YYYY-MM-DD — the measured effect of the
 * measures in MEASURES_FILE (all, a tenant's, or one), computed on request from
 * the day rollups; `until` cuts the reporting period short (default: today).
 * With `measure`, the reporting days (actual and predicted kWh) are included.
 * Times are Stockholm dates; an infinite uncertainty (no model) is null.
 */
export function effectsRoute(o: { measures: Measure[]; source: ReadingSource; devices: Device[]; configured: boolean; now?: () => number }): (url: URL) => Promise<HttpResponse> {
  return async (url) => {
    const tenant = url.searchParams.get('tenant') ?? undefined;
    const id = url.searchParams.get('measure') ?? undefined;
    const untilText = url.searchParams.get('until') ?? undefined;
    if (tenant !== undefined && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(tenant)) return { status: 400, body: { error: 'tenant: expected a tenant slug' } };
    if (id !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) return { status: 400, body: { error: 'measure: expected a measure id (a slug)' } };
    let until = (o.now ?? Date.now)();
    if (untilText !== undefined) {
      const d = /^\d{4}-\d{2}-\d{2}$/.test(untilText) ? DateTime.fromISO(untilText, { zone: ZONE }) : undefined;
      if (!d?.isValid) return { status: 400, body: { error: 'until: expected a date YYYY-MM-DD' } };
      until = d.startOf('day').toMillis();
    }
    const chosen = o.measures.filter((m) => (tenant === undefined || m.tenant === tenant) && (id === undefined || m.id === id));
    if (id !== undefined && chosen.length === 0) return { status: 404, body: { error: `measure: no measure ${id}${tenant ? ` for ${tenant}` : ''} in MEASURES_FILE` } };
    const effects: unknown[] = [];
    for (const m of chosen) effects.push(effectJson(await measureEffect(o.source, o.devices, m, { until }), id !== undefined));
    return { status: 200, body: { count: effects.length, ...(o.configured ? {} : { note: 'no MEASURES_FILE configured' }), effects } };
  };
}

const date = (t: number) => DateTime.fromMillis(t, { zone: ZONE }).toISODate();
const finite = (v: number) => (Number.isFinite(v) ? v : null);

function groupJson(g: GroupResult, withDays: boolean) {
  return {
    buildings: g.buildings,
    meters: g.meters,
    baseline: { from: date(g.baseline.from), to: date(g.baseline.to), days: g.baseline.days, daysUsed: g.baseline.daysUsed, sufficient: g.baseline.sufficient },
    reporting: { from: date(g.reporting.from), to: date(g.reporting.to), days: g.reporting.days, daysUsed: g.reporting.daysUsed },
    model: g.model ?? null,
    statistics: g.statistics ?? null,
    actualKwh: g.actualKwh,
    predictedKwh: g.predictedKwh,
    avoidedKwh: g.avoidedKwh,
    uncertainty68Kwh: finite(g.uncertainty68Kwh),
    uncertainty90Kwh: finite(g.uncertainty90Kwh),
    ...(withDays ? { days: g.days.map((d) => ({ date: date(d.day), kwh: d.kwh, predicted: d.predicted })) } : {}),
  };
}

/** A MeasureEffect as JSON (dates, nulls for infinities). */
export function effectJson(e: MeasureEffect, withDays = false) {
  return {
    measure: e.measure,
    evaluatedTo: date(e.evaluatedTo),
    avoidedKwh: e.avoidedKwh,
    avoidedShare: e.avoidedShare,
    uncertainty68Kwh: finite(e.uncertainty68Kwh),
    uncertainty90Kwh: finite(e.uncertainty90Kwh),
    passes: e.passes,
    criteria: Object.fromEntries(Object.entries(e.criteria).map(([k, c]) => [k, { ...c, value: finite(c.value) }])),
    treated: groupJson(e.treated, withDays),
    ...(e.control ? { control: { ...groupJson(e.control, withDays), savingsShare: e.control.savingsShare } } : {}),
  };
}
