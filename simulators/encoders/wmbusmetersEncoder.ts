import type { Family, SimDevice } from '../city/devices.js';
import { assertFamily, assertOnly, isoUtc, json, valueOf } from './common.js';
import type { Encoder } from './types.js';

/**
 * wmbusmeters JSON (services/decoders/wmbusmeters), on `wmbusmeters/{meter name}`.
 *
 * Carries electricity and heat meters only: the decoder maps energy, power and the
 * heat meter's flow temperature (by `media`), nothing else.
 * - electricity (media "electricity", driver omnipower): total_energy_consumption_kwh,
 *   current_power_consumption_kw (+ current_power_production_kw 0 and per-phase voltages,
 *   as the driver prints them);
 * - heat (media "heat", driver multical603): total_energy_consumption_kwh (kWh, not MJ/GJ:
 *   those would lose the 3rd decimal), flow_temperature_c, plus return temperature and
 *   volume, which the decoder ignores.
 * `timestamp` is the receiver's time (deviceClock false) = ctx.deviceTime.
 */
const FAMILIES: readonly Family[] = ['electricity_meter', 'heat_meter'];

function meterIdOf(format: string, d: SimDevice): string {
  if (!/^\d{8}$/.test(d.registry.id)) throw new Error(`encoder ${format}: device ${d.registry.id} has no 8-digit wM-Bus meter id`);
  return d.registry.id;
}

const nameOf = (d: SimDevice) => `${d.family === 'heat_meter' ? 'Heat' : 'Electricity'}_${d.registry.id}`;
const topicOf = (d: SimDevice) => `wmbusmeters/${nameOf(d)}`;

export const wmbusmetersEncoder: Encoder = {
  name: 'wmbusmeters',
  deviceClock: false,
  families: FAMILIES,
  encode(d, values, ctx) {
    assertFamily(this.name, FAMILIES, d);
    const id = meterIdOf(this.name, d);
    const timestamp = isoUtc(ctx.deviceTime);
    let msg: Record<string, unknown>;
    if (d.family === 'electricity_meter') {
      assertOnly(this.name, values, [['energy_total'], ['power']]);
      msg = {
        _: 'telegram',
        media: 'electricity',
        meter: 'omnipower',
        name: nameOf(d),
        id,
        total_energy_consumption_kwh: valueOf(this.name, values, 'energy_total', 'kWh'),
        current_power_consumption_kw: valueOf(this.name, values, 'power', 'kW'),
        current_power_production_kw: 0,
        voltage_at_phase_1_v: 231,
        voltage_at_phase_2_v: null,
        voltage_at_phase_3_v: null,
        timestamp,
      };
    } else {
      assertOnly(this.name, values, [['heat_energy_total'], ['flow_temperature']]);
      const flow = valueOf(this.name, values, 'flow_temperature', '°C');
      msg = {
        _: 'telegram',
        media: 'heat',
        meter: 'multical603',
        name: nameOf(d),
        id,
        total_energy_consumption_kwh: valueOf(this.name, values, 'heat_energy_total', 'kWh'),
        total_volume_m3: 1234.56,
        volume_flow_m3h: 0.412,
        flow_temperature_c: flow,
        return_temperature_c: Math.round((flow - 30) * 10) / 10,
        current_status: 'OK',
        timestamp,
      };
    }
    return { topic: topicOf(d), payload: json(msg) };
  },
  malformed(d, n) {
    const media = d.family === 'heat_meter' ? 'heat' : 'electricity';
    const bad = [
      // not JSON
      `{"media":"${media}","meter":"omnipower","id":"${d.registry.id}","total_energy_consumption_kwh":`,
      // schema: no meter id
      JSON.stringify({ media, meter: 'omnipower', name: nameOf(d), total_energy_consumption_kwh: 100, timestamp: '2025-03-01T10:00:00Z' }),
      // wrong type: a value with its unit in a string
      JSON.stringify({ media, meter: 'omnipower', name: nameOf(d), id: d.registry.id, total_energy_consumption_kwh: '100 kWh', timestamp: '2025-03-01T10:00:00Z' }),
      // schema: a timestamp without offset
      JSON.stringify({ media, meter: 'omnipower', name: nameOf(d), id: d.registry.id, total_energy_consumption_kwh: 100, timestamp: '2025-03-01 10:00:00' }),
    ];
    return { topic: topicOf(d), payload: Buffer.from(bad[n % bad.length]!) };
  },
};
