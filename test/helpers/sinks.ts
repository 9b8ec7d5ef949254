import { StoreRollups } from '../../services/indicators/rollups/storeRollups.js';
import type { ReadingSource } from '../../services/indicators/types.js';
import type { Device } from '../../services/registry/deviceRegistry.js';
import { influxRollups } from '../../services/sinks/influx/influxRollups.js';
import { influxSource } from '../../services/sinks/influx/influxReadingSource.js';
import { withDaySeries } from '../../services/indicators/rollups/daySeries.js';
import { STACK } from './stack.js';

/**
 * Indicators' view of a test bucket of the stack's InfluxDB, with rollups. The
 * readings came through the pipeline's writer, which does not mark days (the
 * indicator service does, from the readings topic): [from, to) is marked here,
 * so the first read rebuilds it.
 */
export async function influxSourceOn(bucket: string, devices: Device[], mark?: { tenant: string; from: number; to: number }): Promise<{ source: ReadingSource; raw: ReadingSource; rollups: StoreRollups }> {
  const o = { url: STACK.influxUrl, token: STACK.influxToken, org: STACK.influxOrg, bucket, measurement: 'readings' };
  const rollups = new StoreRollups(influxRollups(o));
  if (mark) await rollups.markRange(mark.tenant, mark.from, mark.to);
  return { source: withDaySeries(influxSource(o, devices, rollups), devices), raw: influxSource(o, devices), rollups };
}
