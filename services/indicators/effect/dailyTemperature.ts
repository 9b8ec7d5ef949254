import type { Device } from '../../registry/deviceRegistry.js';
import { dayMeans, hourlyTemperatures } from '../energy/degreeDays.js';
import { periodsBetween } from '../periods.js';
import type { ReadingSource } from '../types.js';

/**
 * The outdoor temperature of each Stockholm day of [from, to) as `degree_days`
 * takes it (energy/degreeDays.ts): every temperature sensor of the tenant
 * averaged per hour, the sensors' hourly means averaged, and a day's mean only
 * when at most 4 of its hours lack a mean (a day without is left out, never
 * estimated). Heating degree-days of a day at balance point b are then
 * max(0, b − T_d): at b = degreeDayBase (17 °C) exactly degree_days' per-day figure.
 *
 * Read month by month (temperature is read raw, like degree_days: few series),
 * so at most a month of one tenant's temperature readings is in memory.
 */
export async function dailyTemperatures(source: ReadingSource, devices: Device[], q: { tenant: string; from: number; to: number }): Promise<Map<number, number>> {
  const sensors = devices.filter((d) => d.tenant === q.tenant && d.kind === 'temperature');
  const out = new Map<number, number>();
  if (sensors.length === 0) return out;
  const ids = new Set(sensors.map((d) => d.id.toLowerCase()));
  for (const month of periodsBetween('month', q.from, q.to)) {
    const from = Math.max(month.start, q.from);
    const to = Math.min(month.end, q.to);
    const series = (await source.series({ tenant: q.tenant, metrics: ['temperature'], kinds: ['temperature'], from, to })).filter((s) => ids.has(s.device.id.toLowerCase()));
    const bySensor = new Map<string, typeof series>();
    for (const s of series) bySensor.set(s.device.id.toLowerCase(), [...(bySensor.get(s.device.id.toLowerCase()) ?? []), s]);
    const { perHour } = hourlyTemperatures([...bySensor.values()], from, to);
    for (const m of dayMeans(perHour, periodsBetween('day', from, to))) if (m.mean !== undefined && m.day.start >= q.from && m.day.end <= q.to) out.set(m.day.start, m.mean);
  }
  return out;
}
