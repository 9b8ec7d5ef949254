import type { Family, SimDevice } from '../city/devices.js';
import { assertFamily, assertOnly, valueOf } from './common.js';
import type { Encoder } from './types.js';

/**
 * SenML JSON pack (RFC 8428; services/decoders/senml), on `senml/{device id}`.
 *
 *   [{"bn":"{device id}:","bt":1761440400,"n":"energy","u":"kWh","v":12345.678},
 *    {"n":"power","u":"kW","v":1.727}]
 *
 * bn = the registry id + ":" (the decoder strips trailing separators); bt = the device
 * clock in Unix seconds (deviceClock true). Electricity (energy kWh, power kW), heat
 * (heat_energy kWh, flow_temperature Cel) and temperature only; temperature sensors send
 * as an LwM2M device does, the IPSO Temperature object with the device in bn:
 *
 *   [{"bn":"{device id}:/3303/0/","bt":1761440400,"n":"5700","v":-3.4},{"n":"5701","vs":"Cel"}]
 *
 * the decoder reads no channel (so in/out counts cannot be told apart) and has no
 * name for a distance (a `distance` record would be ignored, not stored).
 */
const FAMILIES: readonly Family[] = ['electricity_meter', 'heat_meter', 'temperature'];

const topicOf = (d: SimDevice) => `senml/${d.registry.id}`;

export const senmlEncoder: Encoder = {
  name: 'senml',
  deviceClock: true,
  families: FAMILIES,
  encode(d, values, ctx) {
    assertFamily(this.name, FAMILIES, d);
    const bt = ctx.deviceTime.getTime() / 1000;
    if (bt < 2 ** 28) throw new Error(`encoder senml: ${ctx.deviceTime.toISOString()} would be read as a relative time`);
    const records: Array<{ n: string; u: string; v: number }> = [];
    const rec = (n: string, u: string, metric: string, unit: string) => records.push({ n, u, v: valueOf(this.name, values, metric, unit) });
    switch (d.family) {
      case 'electricity_meter':
        assertOnly(this.name, values, [['energy_total'], ['power']]);
        rec('energy', 'kWh', 'energy_total', 'kWh');
        rec('power', 'kW', 'power', 'kW');
        break;
      case 'heat_meter':
        assertOnly(this.name, values, [['heat_energy_total'], ['flow_temperature']]);
        rec('heat_energy', 'kWh', 'heat_energy_total', 'kWh');
        rec('flow_temperature', 'Cel', 'flow_temperature', '°C');
        break;
      default: {
        assertOnly(this.name, values, [['temperature']]);
        const v = valueOf(this.name, values, 'temperature', '°C');
        const pack = [{ bn: `${d.registry.id}:/3303/0/`, bt, bver: 10, n: '5700', v }, { n: '5701', vs: 'Cel' }];
        return { topic: topicOf(d), payload: Buffer.from(JSON.stringify(pack)) };
      }
    }
    const [first, ...rest] = records;
    const pack = [{ bn: `${d.registry.id}:`, bt, bver: 10, ...first! }, ...rest];
    return { topic: topicOf(d), payload: Buffer.from(JSON.stringify(pack)) };
  },
  malformed(d, n) {
    const bn = `${d.registry.id}:`;
    const bad = [
      // not JSON
      `[{"bn":"${bn}","bt":1740823200,"n":"temperature","u":"Cel","v":`,
      // schema: an object, not a pack (array)
      JSON.stringify({ bn, bt: 1740823200, n: 'temperature', u: 'Cel', v: 4.5 }),
      // wrong type: a value with its unit in a string
      JSON.stringify([{ bn, bt: 1740823200, n: 'temperature', u: 'Cel', v: '4.5 Cel' }]),
      // schema: an empty pack
      '[]',
    ];
    return { topic: topicOf(d), payload: Buffer.from(bad[n % bad.length]!) };
  },
};
