import { periodsBetween, type Period } from '../periods.js';
import { hourlyMeans } from '../series.js';
import type { Indicator, Series } from '../types.js';
import { ALL, devicesOf, HOUR, loadSeries, makeValue, mean } from './common.js';

/**
 * degree_days — heating degree-days (°C·d) of the period for the whole tenant
 * (entity '*'), the weather input of `energy_weather_normalized`.
 *
 * Method (Swedish "graddagar", simplified):
 *   for every Stockholm calendar day d of the period (23 h and 25 h DST days
 *   count as one day each):
 *     hourly means: each `temperature` sensor's readings are averaged per hour,
 *            the sensors' hourly means are averaged per hour (so a sensor
 *            reporting every minute does not outweigh one reporting hourly);
 *     measured: the day has an hourly mean for all but at most
 *            MAX_MISSING_HOURS (4) of its hours — 20 of 24, 19 of 23 (March),
 *            21 of 25 (October). A day with fewer is insufficient: its mean
 *            would be that of the hours it has (a day with only its warm
 *            afternoon looks like a warm day), so it is left out, not averaged;
 *     T_d  = the mean of a measured day's hourly means;
 *     DD_d = max(0, base − T_d), base = settings.degreeDayBase (17 °C);
 *   DD = Σ DD_d over the measured days.
 * SMHI's official graddagar use a season-dependent heating threshold (no degree-
 * days on warm spring/summer days although T < 17 °C) and a normal-year
 * reference; this simplified count uses the constant base all year round.
 * Days that are not measured are left out (not estimated): the value is then too
 * low, and coverage says so — coverage = the share of the period's hours that lie
 * in measured days, so the value is sufficient only when the measured days make up
 * at least minCoverage (80 %) of the period.
 *
 * details: base_c, days, days_measured, days_with_data (days with at least one
 * hourly mean, measured or not), mean_temperature_c (mean of the measured days'
 * means), sensors, sensors_reporting.
 */
export const DEGREE_DAYS_ID = 'degree_days';
/** Hours of a day that may lack an hourly mean for the day to count as measured. */
export const MAX_MISSING_HOURS = 4;

export const degreeDays: Indicator = {
  id: DEGREE_DAYS_ID,
  name: { sv: 'Graddagar', en: 'Heating degree-days' },
  description: {
    sv: 'Hur kall perioden var: summan per dygn av hur många grader dygnets medeltemperatur ute låg under 17 °C, från stadens temperaturgivare. Används för att jämföra uppvärmning mellan kalla och varma år.',
    en: 'How cold the period was: the sum over days of how many degrees the day’s mean outdoor temperature was below 17 °C, from the city’s temperature sensors. Used to compare heating between cold and mild years.',
  },
  unit: '°C·d',
  needs: { metrics: ['temperature'], kinds: ['temperature'] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'none',
  // Not a goal in itself (weather); fewer degree-days means less heating is needed.
  better: 'lower',
  async compute(ctx) {
    const p = ctx.period;
    const base = ctx.settings.degreeDayBase;
    const sensors = devicesOf(ctx, ['temperature']);
    // Only hourly means inside the period are used: no margin.
    const set = await loadSeries(ctx, ['temperature'], ['temperature'], p, 0);

    const { perHour, reporting } = hourlyTemperatures(sensors.map((d) => set.get(d, 'temperature')), p.start, p.end);
    const days = periodsBetween('day', p.start, p.end);
    let dd = 0;
    let measuredMs = 0;
    let withData = 0;
    const dailyMeans: number[] = [];
    for (const m of dayMeans(perHour, days)) {
      if (m.hours > 0) withData++;
      if (m.mean === undefined) continue;
      dailyMeans.push(m.mean);
      dd += Math.max(0, base - m.mean);
      measuredMs += m.day.end - m.day.start;
    }

    const details: Record<string, number | string> = {
      base_c: base,
      days: days.length,
      days_measured: dailyMeans.length,
      days_with_data: withData,
      sensors: sensors.length,
      sensors_reporting: reporting,
    };
    if (dailyMeans.length > 0) details.mean_temperature_c = mean(dailyMeans);
    if (sensors.length === 0) details.note = 'no temperature sensors registered';
    return [makeValue(ctx, { indicator: DEGREE_DAYS_ID, unit: '°C·d', entity: ALL, value: dd, coverage: measuredMs / (p.end - p.start), details })];
  },
};

/**
 * The hourly means of [from, to) over sensors: each sensor's readings averaged per
 * hour, the sensors' hourly means averaged per hour (one list of series per sensor).
 */
export function hourlyTemperatures(sensors: Series[][], from: number, to: number): { perHour: Map<number, { s: number; n: number }>; reporting: number } {
  const perHour = new Map<number, { s: number; n: number }>();
  let reporting = 0;
  for (const list of sensors) {
    let any = false;
    for (const s of list) {
      for (const [h, v] of hourlyMeans(s.samples, from, to)) {
        const e = perHour.get(h) ?? { s: 0, n: 0 };
        e.s += v;
        e.n++;
        perHour.set(h, e);
        any = true;
      }
    }
    if (any) reporting++;
  }
  return { perHour, reporting };
}

/** Per day: how many of its hours have a mean, and the day's mean temperature when it is measured (at most MAX_MISSING_HOURS missing). */
export function dayMeans(perHour: Map<number, { s: number; n: number }>, days: Period[]): Array<{ day: Period; hours: number; mean?: number }> {
  return days.map((day) => {
    const hours: number[] = [];
    for (let h = day.start; h < day.end; h += HOUR) {
      const e = perHour.get(h);
      if (e) hours.push(e.s / e.n);
    }
    const measured = hours.length >= Math.round((day.end - day.start) / HOUR) - MAX_MISSING_HOURS;
    return { day, hours: hours.length, ...(measured ? { mean: mean(hours) } : {}) };
  });
}
