import type { Family, SimDevice } from '../city/devices.js';
import { assertFamily, assertOnly, isRepeatedLocalTime, localTime, pad, STOCKHOLM, valueOf } from './common.js';
import type { Encoder } from './types.js';

/**
 * Tasmota telemetry (services/decoders/tasmota), on `tele/{device}/SENSOR`. Electricity
 * meters only: the decoder reads the ENERGY and SML blocks and nothing else (no
 * temperature sensor blocks, no counters, no distance).
 *
 * Devices with an even index are energy-monitoring plugs/relays (ENERGY.Total kWh,
 * ENERGY.Power W); odd ones read a smart meter through an IR head with the SML script
 * (SML.Total_in kWh, SML.Power_curr W). Power goes as whole W (kW × 1000: the model's
 * kW have 3 decimals, so nothing is lost).
 *
 * `Time` is the device clock (deviceClock true) in local Europe/Stockholm time without
 * an offset, which the decoder reads DST-correctly, taking the *earlier* instant for a
 * wall-clock time that occurs twice. The second pass through the repeated autumn hour
 * (e.g. 2025-10-26 02:30 CET = 01:30Z) therefore cannot be written without an offset:
 * for those instants the encoder writes the offset, as Tasmota does with SetOption52 1
 * (`2025-10-26T02:30:00+01:00`), which the decoder honours.
 * Only devices without a `timezone` param (the decoder's default zone) are supported.
 */
const FAMILIES: readonly Family[] = ['electricity_meter'];

const topicOf = (d: SimDevice) => `tele/${d.registry.id}/SENSOR`;

/** Tasmota's Time: local wall clock, plus the offset only when it is ambiguous. */
export function tasmotaTime(t: Date): string {
  const l = localTime(t, STOCKHOLM);
  const frac = l.ms === 0 ? '' : `.${pad(l.ms, 3)}`;
  const wall = `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}${frac}`;
  if (!isRepeatedLocalTime(t, STOCKHOLM)) return wall;
  const o = l.offsetMinutes;
  return `${wall}${o < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(o) / 60))}:${pad(Math.abs(o) % 60)}`;
}

export const tasmotaEncoder: Encoder = {
  name: 'tasmota',
  deviceClock: true,
  families: FAMILIES,
  encode(d, values, ctx) {
    assertFamily(this.name, FAMILIES, d);
    const zone = d.registry.params.timezone;
    if (zone !== undefined && zone !== STOCKHOLM) throw new Error(`encoder tasmota: device ${d.registry.id} has timezone ${String(zone)}; only ${STOCKHOLM} is encoded`);
    assertOnly(this.name, values, [['energy_total'], ['power']]);
    const total = valueOf(this.name, values, 'energy_total', 'kWh');
    const watts = Math.round(valueOf(this.name, values, 'power', 'kW') * 1000);
    if (Number((watts * 1e-3).toPrecision(15)) !== valueOf(this.name, values, 'power', 'kW')) {
      throw new Error(`encoder tasmota: power ${valueOf(this.name, values, 'power', 'kW')} kW is not a whole number of W`);
    }
    const Time = tasmotaTime(ctx.deviceTime);
    const msg =
      d.n % 2 === 0
        ? {
            Time,
            ENERGY: {
              TotalStartTime: '2024-01-01T00:00:00',
              Total: total,
              Yesterday: 12.345,
              Today: 4.321,
              Power: watts,
              ApparentPower: Math.round(watts * 1.05),
              ReactivePower: Math.round(watts * 0.3),
              Factor: 0.95,
              Voltage: 231,
              Current: Math.round((watts / 231) * 1000) / 1000,
            },
          }
        : { Time, SML: { Total_in: total, Power_curr: watts, Meter_Id: '0a014553520003dd9f2c', voltage_l1: 231.4 } };
    return { topic: topicOf(d), payload: Buffer.from(JSON.stringify(msg)) };
  },
  malformed(d, n) {
    const bad = [
      // not JSON
      '{"Time":"2025-03-01T11:00:00","ENERGY":{"Total":12.5,',
      // schema: an array, not an object
      JSON.stringify([{ Time: '2025-03-01T11:00:00', ENERGY: { Total: 12.5 } }]),
      // wrong type: a value with its unit in a string
      JSON.stringify({ Time: '2025-03-01T11:00:00', ENERGY: { Total: '12.5 kWh', Power: 230 } }),
      // schema: not a date-time
      JSON.stringify({ Time: '01.03.2025 11:00', ENERGY: { Total: 12.5, Power: 230 } }),
    ];
    return { topic: topicOf(d), payload: Buffer.from(bad[n % bad.length]!) };
  },
};
