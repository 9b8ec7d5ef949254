import type { Config } from '../../core/config.js';
import { parsePeriod } from '../../indicators/periods.js';
import type { SinkFactory } from '../types.js';
import { StoreRollups } from '../../indicators/rollups/storeRollups.js';
import { influxRollups } from './influxRollups.js';
import { influxIndicatorStore } from './influxIndicatorStore.js';
import { influxFigureStore } from './influxFigureStore.js';
import { influxSource } from './influxReadingSource.js';
import { InfluxStore } from './influxStore.js';
import { TenantRoutingStore } from './tenantRoutingStore.js';
import { withDaySeries } from '../../indicators/rollups/daySeries.js';

/** Connection of the main bucket, from INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG, INFLUX_BUCKET, INFLUX_MEASUREMENT. */
export function influxOptions(c: Config) {
  return { url: c.INFLUX_URL!, token: c.INFLUX_TOKEN!, org: c.INFLUX_ORG, bucket: c.INFLUX_BUCKET, measurement: c.INFLUX_MEASUREMENT, contentEncoding: c.INFLUX_CONTENT_ENCODING };
}

/** InfluxDB 2.x: with `tenants`, readings of tenants with their own bucket go there too (TenantRoutingStore). */
export const influxSink: SinkFactory = async (c, deps) => {
  const o = influxOptions(c);
  const rollups = new StoreRollups(influxRollups(o));
  const store = deps.tenants ? new TenantRoutingStore(o, deps.tenants, c.TENANT_READINGS_IN_MAIN_BUCKET) : new InfluxStore(o);
  return {
    kind: 'influxdb',
    store,
    indicators: influxIndicatorStore({ ...o, measurement: 'indicators', periodStart: (period) => parsePeriod(period).start }),
    figures: influxFigureStore(o),
    source: (devices) => withDaySeries(influxSource(o, devices, rollups), devices),
    rollups,
  };
};
