import { reject, type DecodeResult, type DecodedValue, type Decoder, type UnknownValue } from '../types.js';
import { parseJson } from '../zodIssue.js';

/**
 * AMS reader (amsleser.no, firmware UtilitechAS/amsreader-firmware, formerly
 * gskjold/AmsToMqttBridge) HAN-port JSON, as its MQTT payload format "JSON" (0), "JSON,
 * one topic per list" (5: `{topic}/list1` ...) and "JSON flat" (6) publish it
 * (src/mqtt/JsonMqttHandler.cpp). Sources and examples: testdata/README.md.
 *
 *   {"id":"a4:cf:12:...","name":"ams-1","up":4711,"t":1740823200,"vcc":3.29,"rssi":-61,"temp":36.5,
 *    "data":{"lv":"AIDON_V0001","meterId":"7359992890941742","type":"6525","P":1727,"Q":0,"PO":0,"QO":120,
 *            "I1":3.1,"I2":2.2,"I3":2.5,"U1":231.2,"U2":230.1,"U3":229.8,
 *            "tPI":12345.678,"tPIT1":0,"tPIT2":0,"tPO":7.48,"tPOT1":0,"tPOT2":0,"tQI":20.1,"tQO":3012.5,"rtc":1740823200},
 *    "realtime":{"h":0.52,"d":8.3,"m":412.2,"t":10,"x":4.1,"he":0,"de":0,"me":0,"peaks":[4.1]}}
 *
 * - Values: `data` when it is an object (formats 0 and 5), else the top level (format 6,
 *   where the reader's own `realtime` figures are `rt_*` keys).
 * - Device: the meter id (`data.meterId`; `data.id` in the wiki's documented shape; in
 *   format 6 the top-level `meterId`). List 1 (only `P`, the meter sends no id) → the
 *   reader's WiFi MAC (top-level `id`).
 * - Time: `t`, the package timestamp (Unix seconds, from the HAN frame); 0 or absent (the
 *   meter sends none) → the received time. `rtc` (the meter's clock) is not read.
 * - Read: `tPI` → energy_total kWh, `tPO` → energy_export_total kWh, `P` − `PO` →
 *   power W (net, negative = export; on `P`'s field; `PO` alone → −PO).
 * - Reported as unknown (no Klimatpuls metric; the message's known values are stored):
 *   any other number in the values — voltages `U1..U3`, currents `I1..I3`, reactive power
 *   `Q`/`QO`, reactive registers `tQI`/`tQO`, tariff and per-phase registers, `PF*`.
 * - Ignored: the reader's header (`id`, `name`, `up`, `vcc`, `rssi`, `temp`, `version`),
 *   `lv`, `type`, `rtc`, its realtime calculator (`realtime`, `rt_*`, `peaks`: derived by
 *   the reader, not measured), and its `prices`/`temperatures`/system messages, which have
 *   no meter values (accepted with none: the gateway keeps them as `no_values`).
 * - A read key (`P`, `PO`, `tPI`, `tPO`) that is not a number (`"1727 W"`, null) → `schema`;
 *   read values and no id at all → `schema` (field `data.meterId`).
 */

const READ: Readonly<Record<string, { metric: string; unit: string }>> = Object.freeze({
  tPI: { metric: 'energy_total', unit: 'kWh' },
  tPO: { metric: 'energy_export_total', unit: 'kWh' },
  P: { metric: 'power', unit: 'W' },
  PO: { metric: 'power', unit: 'W' },
});
const HEADER = new Set(['id', 'name', 'up', 't', 'vcc', 'rssi', 'temp', 'version', 'data', 'realtime', 'prices', 'temperatures', 'peaks']);
const NOT_METER_VALUES = new Set(['lv', 'meterId', 'id', 'type', 'rtc']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

export const amsleserDecoder: Decoder = {
  name: 'amsleser',
  version: '1.0.0',
  decode(payload: Buffer): DecodeResult {
    const json = parseJson(payload);
    if (!json.ok) return reject('not_json', '(payload)', json.message);
    const msg = json.value;
    if (!isObject(msg)) return reject('schema', '(root)', 'an AMS reader message: a JSON object');
    const nested = msg.data !== undefined;
    if (nested && !isObject(msg.data)) return reject('schema', 'data', 'the meter values: a JSON object');
    const data = nested ? (msg.data as Record<string, unknown>) : msg;
    const prefix = nested ? 'data.' : '';

    if (msg.t !== undefined && (typeof msg.t !== 'number' || !Number.isFinite(msg.t) || msg.t < 0)) {
      return reject('schema', 't', 'the package timestamp: Unix seconds, a non-negative number');
    }
    const observedAt = typeof msg.t === 'number' && msg.t > 0 ? new Date(msg.t * 1000) : undefined;

    const meterId = nonEmptyString(data.meterId) ? data.meterId : nested && nonEmptyString(data.id) ? data.id : undefined;
    const deviceRef = meterId ?? (nonEmptyString(msg.id) ? msg.id : undefined);

    const values: DecodedValue[] = [];
    const unknown: UnknownValue[] = [];
    let importPower: number | undefined;
    let exportPower: number | undefined;
    for (const [key, v] of Object.entries(data)) {
      if (NOT_METER_VALUES.has(key) || (!nested && (HEADER.has(key) || key.startsWith('rt_') || key.startsWith('pr_')))) continue;
      const field = prefix + key;
      const read = Object.prototype.hasOwnProperty.call(READ, key) ? READ[key] : undefined;
      if (!read) {
        if (typeof v === 'number') unknown.push({ field, name: key, message: `${key} has no Klimatpuls metric` });
        continue;
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) return reject('schema', field, `${key}: a number in ${read.unit}, got ${JSON.stringify(v)}`);
      if (key === 'P') importPower = v;
      else if (key === 'PO') exportPower = v;
      else values.push({ deviceRef: '', metric: read.metric, value: v, unit: read.unit, observedAt, field });
    }
    if (importPower !== undefined || exportPower !== undefined) {
      const net = Number(((importPower ?? 0) - (exportPower ?? 0)).toPrecision(15));
      values.push({ deviceRef: '', metric: 'power', value: net === 0 ? 0 : net, unit: 'W', observedAt, field: prefix + (importPower !== undefined ? 'P' : 'PO') });
    }
    // No meter values, or numbers without any id (format 6's temperature message, keyed
    // by sensor address): nothing of a meter to store.
    if (values.length === 0 && (unknown.length === 0 || deviceRef === undefined)) return { ok: true, values: [] };
    if (deviceRef === undefined) return reject('schema', nested ? 'data.meterId' : 'meterId', 'the meter id (or the reader\'s id), a non-empty string');
    for (const v of values) {
      v.deviceRef = deviceRef;
      if (v.observedAt === undefined) delete v.observedAt;
    }
    return unknown.length === 0 ? { ok: true, values } : { ok: true, values, unknown };
  },
};
