import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, DAY, HOUR, cmp, isEmptying, containerDevices, forEachContainer, type Container, type FillPoint } from './common.js';
import { makeValue } from '../indicatorValue.js';

/**
 * time_to_full — predicted hours from the end of the period until a container
 * is 100 % full (route planning: which container needs collection first).
 *
 * Method, per container: the readings since the last emptying (a drop of more
 * than 20 percentage points), but at most those of the last 7 days before the
 * period end, are fitted with a straight line (least squares, fill_level
 * against time). Hours to full = (100 − fitted level at the period end) / slope,
 * 0 when the fitted level is already 100 % or more. A container that is not
 * filling (slope <= 0) gets no prediction (value NaN, details.note).
 *
 * Coverage = readings in the fit window / readings expected there (hourly, or
 * settings.expectedPerHour.waste_fill), so a sensor that went quiet before the
 * period end is not trusted; fewer than 3 readings since the emptying give
 * coverage 0 (insufficient).
 *
 * '*' = the minimum over containers with sufficient data (the first one to
 * need collection, details.container); coverage = share of the containers with
 * sufficient data. Periods: day and week (for the current period the prediction
 * is from its end, which lies in the future).
 *
 * details: rate_pct_per_hour, level_at_end_pct, readings, fit_from (ISO), site.
 */
export const TIME_TO_FULL_ID = 'time_to_full';

const UNIT = 'h';
const WINDOW = 7 * DAY;
const MIN_READINGS = 3;

interface Prediction {
  hours: number;
  coverage: number;
  details: Record<string, number | string>;
}

/** Least-squares line through (x, y): y = a + b·x. */
function fit(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

function predict(c: Container, end: number, perHour: number): Prediction {
  const pts = c.points.filter((p) => p.level !== undefined && p.t < end);
  let from = 0;
  for (let i = 1; i < pts.length; i++) if (isEmptying(c, pts[i - 1]!, pts[i]!)) from = i;
  const fitPts: FillPoint[] = pts.slice(from).filter((p) => p.t >= end - WINDOW);
  const emptiedInWindow = from > 0 && pts[from]!.t >= end - WINDOW;
  const windowStart = emptiedInWindow ? pts[from]!.t : end - WINDOW;
  const details: Record<string, number | string> = { site: c.site, readings: fitPts.length, fit_from: new Date(windowStart).toISOString() };
  if (fitPts.length < MIN_READINGS) return { hours: Number.NaN, coverage: 0, details: { ...details, note: `fewer than ${MIN_READINGS} readings since the last emptying` } };
  // x in hours relative to the period end: the intercept is the fitted level at the end.
  const { a, b } = fit(
    fitPts.map((p) => (p.t - end) / HOUR),
    fitPts.map((p) => p.level!),
  );
  const expected = Math.max(MIN_READINGS, ((end - windowStart) / HOUR) * perHour);
  const coverage = Math.min(1, fitPts.length / expected);
  Object.assign(details, { rate_pct_per_hour: b, level_at_end_pct: a });
  if (a >= 100) return { hours: 0, coverage, details };
  if (b <= 0) return { hours: Number.NaN, coverage, details: { ...details, note: 'not filling' } };
  return { hours: (100 - a) / b, coverage, details };
}

export const timeToFull: Indicator = {
  id: TIME_TO_FULL_ID,
  name: { sv: 'Tid till fullt kärl', en: 'Time to full' },
  description: {
    sv: 'Hur många timmar det beräknas dröja innan varje kärl är fullt, utifrån hur snabbt det fyllts sedan senaste tömningen. Används för att planera hämtningen så att kärl töms när de är fulla – varken för tidigt eller för sent. Värdet för hela området är det kärl som blir fullt först.',
    en: 'How many hours until each container is predicted to be full, from how fast it has filled since it was last emptied. Used to plan collection so that containers are emptied when full — neither too early nor too late. The value for the whole area is the container that will be full first.',
  },
  unit: UNIT,
  needs: { metrics: ['fill_level', 'fill_volume'], kinds: ['waste_fill'] },
  periods: ['day', 'week'],
  aggregate: 'none',
  better: 'higher',
  async compute(ctx) {
    const end = ctx.period.end;
    const containers = containerDevices(ctx);
    if (containers.length === 0) return [];
    const perHour = (ctx.settings.expectedPerHour.waste_fill ?? 1) > 0 ? (ctx.settings.expectedPerHour.waste_fill ?? 1) : 1;
    const out: IndicatorValue[] = [];
    let first: { id: string; hours: number } | undefined;
    let ok = 0;
    await forEachContainer(ctx, end - WINDOW - 2 * DAY, end, (c) => {
      const p = predict(c, end, perHour);
      const v = makeValue(ctx, TIME_TO_FULL_ID, UNIT, c.device.id, p.hours, p.coverage, p.details);
      out.push(v);
      if (!v.sufficient) return;
      ok++;
      if (Number.isFinite(p.hours) && (!first || p.hours < first.hours || (p.hours === first.hours && cmp(c.device.id, first.id) < 0))) first = { id: c.device.id, hours: p.hours };
    });
    out.push(
      makeValue(ctx, TIME_TO_FULL_ID, UNIT, ALL, first?.hours ?? Number.NaN, ok / containers.length, {
        containers: containers.length,
        containers_sufficient: ok,
        ...(first ? { container: first.id } : { note: 'no container with a prediction' }),
      }),
    );
    return out;
  },
};
