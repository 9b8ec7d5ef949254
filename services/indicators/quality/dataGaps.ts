import { METRIC_NAMES, SENSOR_KINDS } from '../../core/metrics.js';
import type { Indicator, IndicatorValue } from '../types.js';
import { ALL, HOUR, eachDeviceWindow, gapThresholdMs, readingTimes, tenantDevices } from './common.js';
import { gapsOfBuckets } from '../rollups/reducers.js';
import type { DeviceBucket } from '../rollups/types.js';
import { makeValue } from '../indicatorValue.js';

/**
 * data_gaps — holes in the data: stretches of more than 3 hours without any
 * reading from a device (or 3 expected intervals for a kind that
 * settings.expectedPerHour says reports less than hourly).
 *
 * Method, per registered device: the times of its readings in the period (every
 * metric merged) with the period start before and the period end after; every
 * step longer than the threshold is one gap. A device that sent nothing has one
 * gap, the whole period. For the current period the end is "now", so the
 * stretch since the last reading only counts once it is longer than 3 h.
 *
 * Entity = device id (value = its gaps); '*' = sum over devices. Coverage is 1
 * (the indicator measures missing data itself; 0 when the tenant has no devices
 * or the period has not started).
 *
 * details: longest_gap_hours, gap_hours (total); '*' also longest_gap_device,
 * devices, devices_with_gaps.
 */
export const DATA_GAPS_ID = 'data_gaps';

const UNIT = 'count';

export function gapsOf(times: number[], from: number, to: number, threshold: number): { count: number; longest: number; total: number } {
  const edges = [from, ...times.filter((t) => t >= from && t < to), to];
  let count = 0;
  let longest = 0;
  let total = 0;
  for (let i = 1; i < edges.length; i++) {
    const d = edges[i]! - edges[i - 1]!;
    if (d > threshold) {
      count++;
      total += d;
      longest = Math.max(longest, d);
    }
  }
  return { count, longest, total };
}

export const dataGaps: Indicator = {
  id: DATA_GAPS_ID,
  name: { sv: 'Luckor i data', en: 'Data gaps' },
  description: {
    sv: 'Antal gånger en givare eller mätare var tyst i mer än tre timmar under perioden, och den längsta tystnaden. Luckor gör nyckeltalen osäkrare; långa luckor tyder på trasiga givare, slut på batteri eller nätverksproblem.',
    en: 'How many times a sensor or meter was silent for more than three hours during the period, and the longest silence. Gaps make the indicators less certain; long gaps point to broken sensors, flat batteries or network problems.',
  },
  unit: UNIT,
  needs: { metrics: [...METRIC_NAMES], kinds: [...SENSOR_KINDS] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'sum',
  better: 'lower',
  async compute(ctx) {
    const devices = tenantDevices(ctx);
    const { start } = ctx.period;
    const end = Math.min(ctx.period.end, Date.now());
    if (devices.length === 0 || end <= start) return [makeValue(ctx, DATA_GAPS_ID, UNIT, ALL, Number.NaN, 0, { devices: devices.length, note: devices.length ? 'period has not started' : 'no registered devices' })];
    // With rollups: the gaps of each device from its buckets (gapsOfBuckets), never its reading times.
    const fromBuckets = new Map<string, DeviceBucket[]>();
    const rollups = await eachDeviceWindow(ctx, start, end, (id, buckets) => fromBuckets.set(id, buckets));
    const times = rollups ? new Map<string, number[]>() : await readingTimes(ctx, start, end);
    const out: IndicatorValue[] = [];
    let count = 0;
    let total = 0;
    let longest = { hours: 0, device: '' };
    let withGaps = 0;
    for (const d of devices) {
      const threshold = gapThresholdMs(ctx, d.kind);
      const g = rollups ? gapsOfBuckets(fromBuckets.get(d.id.toLowerCase()) ?? [], start, end, threshold) : gapsOf(times.get(d.id.toLowerCase()) ?? [], start, end, threshold);
      count += g.count;
      total += g.total;
      if (g.count > 0) withGaps++;
      if (g.longest / HOUR > longest.hours) longest = { hours: g.longest / HOUR, device: d.id };
      out.push(makeValue(ctx, DATA_GAPS_ID, UNIT, d.id, g.count, 1, { longest_gap_hours: g.longest / HOUR, gap_hours: g.total / HOUR, kind: d.kind }));
    }
    out.push(
      makeValue(ctx, DATA_GAPS_ID, UNIT, ALL, count, 1, {
        longest_gap_hours: longest.hours,
        ...(longest.device ? { longest_gap_device: longest.device } : {}),
        gap_hours: total / HOUR,
        devices: devices.length,
        devices_with_gaps: withGaps,
      }),
    );
    return out;
  },
};
