import type { Family, SimDevice } from '../city/devices.js';
import { assertFamily, assertOnly, hex32, valueOf } from './common.js';
import type { Encoder } from './types.js';

/**
 * AMS reader (amsleser) JSON, payload format 0, list 3 (services/decoders/amsleser), on
 * `amsleser/{device id}`. Electricity meters only.
 *
 *   {"id":"{MAC}","name":"ams-{id}","up":..,"t":{device clock, Unix s},"vcc":3.291,"rssi":-61,"temp":36.5,
 *    "data":{"lv":"AIDON_V0001","meterId":"{registry id}","type":"6525","P":{W},"Q":0,"PO":{W},"QO":120,
 *            "I1":..,"U1":..,"tPI":{kWh, 3 decimals},"tPIT1":0,"tPIT2":0,"tQI":..,"tQO":..,"rtc":..},
 *    "realtime":{"h":..,"d":..,"m":..,"t":10,"x":..,"he":0,"de":0,"me":0,"peaks":[..]}}
 *
 * `tPO`/`tPOT1`/`tPOT2` are left out: they would be energy_export_total readings the truth
 * lacks. Voltages, currents, reactive values and tariff registers are written as a meter
 * sends them: the decoder reports them as unknown, the message is still stored whole.
 * Power is import `P` or export `PO` in whole watts: a power with more than 3 decimals in kW,
 * an energy with more than 3 decimals or a time with milliseconds cannot be written and throws.
 */
const FAMILIES: readonly Family[] = ['electricity_meter'];

const topicOf = (d: SimDevice) => `amsleser/${d.registry.id}`;

function macOf(d: SimDevice): string {
  const h = (hex32(`mac${d.registry.id}`) + hex32(`mac2${d.registry.id}`)).slice(0, 12);
  return h.match(/../g)!.join(':');
}

function exact(v: number, decimals: number, what: string): number {
  const r = Number(v.toFixed(decimals));
  if (r !== v) throw new Error(`encoder amsleser: ${what} ${v} has more than ${decimals} decimals`);
  return r;
}

function header(d: SimDevice, t: number): Record<string, unknown> {
  return { id: macOf(d), name: `ams-${d.registry.id}`, up: 86_412, t, vcc: 3.291, rssi: -61, temp: 36.5 };
}

export const amsleserEncoder: Encoder = {
  name: 'amsleser',
  deviceClock: true,
  families: FAMILIES,
  encode(d, values, ctx) {
    assertFamily(this.name, FAMILIES, d);
    assertOnly(this.name, values, [['energy_total'], ['power']]);
    const energy = exact(valueOf(this.name, values, 'energy_total', 'kWh'), 3, 'energy');
    const watts = Math.round(valueOf(this.name, values, 'power', 'kW') * 1000);
    if (Math.abs(watts / 1000 - valueOf(this.name, values, 'power', 'kW')) > 1e-9) throw new Error('encoder amsleser: power is written in whole watts');
    const ms = ctx.deviceTime.getTime();
    if (ms % 1000 !== 0) throw new Error(`encoder amsleser: t is whole Unix seconds, cannot write ${ctx.deviceTime.toISOString()}`);
    const t = ms / 1000;
    const data = {
      lv: 'AIDON_V0001',
      meterId: d.registry.id,
      type: '6525',
      P: Math.max(0, watts),
      Q: 0,
      PO: watts < 0 ? -watts : 0,
      QO: 120,
      I1: 3.1,
      I2: 2.2,
      I3: 2.5,
      U1: 231.2,
      U2: 230.1,
      U3: 229.8,
      tPI: energy,
      tPIT1: 0,
      tPIT2: 0,
      tQI: 20.1,
      tQO: 3012.5,
      rtc: t,
    };
    const realtime = { h: 0.52, d: 8.3, m: 412.2, t: 10, x: 4.12, he: 0, de: 0, me: 0, peaks: [4.12, 3.9, 3.75] };
    return { topic: topicOf(d), payload: Buffer.from(JSON.stringify({ ...header(d, t), data, realtime })) };
  },
  malformed(d, n) {
    const h = header(d, 1740823200);
    const bad = [
      // not JSON: cut off
      `{"id":"${macOf(d)}","t":1740823200,"data":{"meterId":"${d.registry.id}","P":17`,
      // schema: data an array
      JSON.stringify({ ...h, data: [1727] }),
      // schema: power as text with its unit
      JSON.stringify({ ...h, data: { meterId: d.registry.id, P: `${1000 + (n % 97)} W`, tPI: 1 } }),
      // schema: the package time as ISO text
      JSON.stringify({ ...h, t: '2025-03-01T10:00:00Z', data: { meterId: d.registry.id, P: 1 } }),
    ];
    return { topic: topicOf(d), payload: Buffer.from(bad[n % bad.length]!) };
  },
};
