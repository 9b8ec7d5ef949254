import { periodsBetween } from '../periods.js';
import { coverage, hourlyMeans, normalizeSamples } from '../series.js';
import type { Indicator, Sample } from '../types.js';
import { ALL, devicesOf, HOUR, loadSeries, makeValue, MAX_GAP_MS, mean } from './common.js';

/**
 * degree_days — heating degree-days (°C·d) of the period for the whole tenant
 * (entity '*'), the weather input of `energy_weather_normalized`.
 *
 * Method (Swedish "graddagar", simplified):
 *   for every Stockholm calendar day d of the period (23 h and 25 h DST days
 *   count as one day each):
 *     T_d  = the day's mean outdoor temperature, taken from all of the tenant's
 *            `temperature` sensors: each sensor's readings are averaged per hour,
 *            the sensors' hourly means are averaged per hour, and the hours of the
 *            day are averaged (so a sensor reporting every minute does not outweigh
 *            one reporting hourly, and a silent night does not skew the day more
 *            than its hours);
 *     DD_d = max(0, base − T_d), base = settings.degreeDayBase (17 °C);
 *   DD = Σ DD_d over the days that have readings.
 * SMHI's official graddagar use a season-dependent heating threshold (no degree-
 * days on warm spring/summer days although T < 17 °C) and a normal-year
 * reference; this simplified count uses the constant base all year round.
 * Days without any reading are left out (not estimated): the value is then too
 * low, and coverage says so — coverage = share of the period covered by the
 * tenant's temperature readings together (any sensor; gaps over 3 h are holes).
 *
 * details: base_c, days, days_with_data, mean_temperature_c (mean of the daily
 * means), sensors, sensors_reporting.
 */
export const DEGREE_DAYS_ID = 'degree_days';

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
    // A margin of one gap is enough: the readings just outside let coverage close the boundary intervals.
    const set = await loadSeries(ctx, ['temperature'], ['temperature'], p, MAX_GAP_MS);

    const perHour = new Map<number, { s: number; n: number }>();
    const all: Sample[] = [];
    let reporting = 0;
    for (const d of sensors) {
      const list = set.get(d, 'temperature');
      let any = false;
      for (const s of list) {
        all.push(...s.samples);
        for (const [h, v] of hourlyMeans(s.samples, p.start, p.end)) {
          const e = perHour.get(h) ?? { s: 0, n: 0 };
          e.s += v;
          e.n++;
          perHour.set(h, e);
          any = true;
        }
      }
      if (any) reporting++;
    }

    let dd = 0;
    const dailyMeans: number[] = [];
    const days = periodsBetween('day', p.start, p.end);
    for (const day of days) {
      const hours: number[] = [];
      for (let h = day.start; h < day.end; h += HOUR) {
        const e = perHour.get(h);
        if (e) hours.push(e.s / e.n);
      }
      if (hours.length === 0) continue;
      const t = mean(hours);
      dailyMeans.push(t);
      dd += Math.max(0, base - t);
    }

    const cov = all.length > 0 ? coverage(normalizeSamples(all), p.start, p.end, MAX_GAP_MS) : 0;
    const details: Record<string, number | string> = {
      base_c: base,
      days: days.length,
      days_with_data: dailyMeans.length,
      sensors: sensors.length,
      sensors_reporting: reporting,
    };
    if (dailyMeans.length > 0) details.mean_temperature_c = mean(dailyMeans);
    if (sensors.length === 0) details.note = 'no temperature sensors registered';
    return [makeValue(ctx, { indicator: DEGREE_DAYS_ID, unit: '°C·d', entity: ALL, value: dd, coverage: cov, details })];
  },
};
