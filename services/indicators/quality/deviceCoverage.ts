import { METRIC_NAMES, SENSOR_KINDS } from '../../core/metrics.js';
import type { Indicator } from '../types.js';
import { ALL, eachDeviceWindow, readingTimes, tenantDevices } from './common.js';
import { makeValue } from '../indicatorValue.js';

/**
 * device_coverage — share (%) of the tenant's registered devices that sent at
 * least one stored reading (any metric) in the period.
 *
 * Entity: '*' only. The registry is the expected set, so coverage is 1 whenever
 * the tenant has devices (0, insufficient, when it has none). Readings of
 * devices no longer registered are not counted. For the current period a device
 * that reports rarely may simply not have reported yet.
 *
 * details: devices, reporting, and per sensor kind <kind>_registered,
 * <kind>_reporting, <kind>_pct; silent = ids of silent devices (first 50).
 */
export const DEVICE_COVERAGE_ID = 'device_coverage';

const UNIT = '%';
const MAX_LISTED = 50;

export const deviceCoverage: Indicator = {
  id: DEVICE_COVERAGE_ID,
  name: { sv: 'Rapporterande enheter', en: 'Devices reporting' },
  description: {
    sv: 'Hur stor andel av de registrerade givarna och mätarna som skickat data under perioden. Ett uppföljningsvärde är aldrig bättre än sitt underlag: tystnar många givare blir nyckeltalen osäkra.',
    en: 'The share of the registered sensors and meters that sent data during the period. A follow-up figure is only as good as its data: when many sensors are silent, the indicators become uncertain.',
  },
  unit: UNIT,
  needs: { metrics: [...METRIC_NAMES], kinds: [...SENSOR_KINDS] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'higher',
  async compute(ctx) {
    const devices = tenantDevices(ctx);
    if (devices.length === 0) return [makeValue(ctx, DEVICE_COVERAGE_ID, UNIT, ALL, Number.NaN, 0, { devices: 0, reporting: 0, note: 'no registered devices' })];
    const reporting_ = new Set<string>();
    if (!(await eachDeviceWindow(ctx, ctx.period.start, ctx.period.end, (id) => reporting_.add(id)))) {
      for (const [id, times] of await readingTimes(ctx, ctx.period.start, ctx.period.end)) if (times.length > 0) reporting_.add(id);
    }
    const reports = (id: string) => reporting_.has(id.toLowerCase());
    const details: Record<string, number | string> = {};
    let reporting = 0;
    for (const kind of SENSOR_KINDS) {
      const of = devices.filter((d) => d.kind === kind);
      if (of.length === 0) continue;
      const r = of.filter((d) => reports(d.id)).length;
      reporting += r;
      details[`${kind}_registered`] = of.length;
      details[`${kind}_reporting`] = r;
      details[`${kind}_pct`] = (100 * r) / of.length;
    }
    const silent = devices.filter((d) => !reports(d.id)).map((d) => d.id);
    return [
      makeValue(ctx, DEVICE_COVERAGE_ID, UNIT, ALL, (100 * reporting) / devices.length, 1, {
        devices: devices.length,
        reporting,
        ...details,
        ...(silent.length ? { silent: silent.slice(0, MAX_LISTED).join(',') + (silent.length > MAX_LISTED ? `,… (+${silent.length - MAX_LISTED})` : '') } : {}),
      }),
    ];
  },
};
