import { z } from 'zod';
import { reject, type DecodeContext, type DecodeResult, type DecodedValue, type Decoder, type UnknownValue } from '../types.js';
import { describeIssue, parseJson } from '../zodIssue.js';
import { IPSO_RESOURCES, SENSOR_UNITS_RESOURCE, ipsoPath, metricFor, metricForUnit, stripSeparators, urnName } from './senmlNames.js';

export { NAME_TO_METRIC, UNIT_TO_METRIC, IPSO_RESOURCES, metricFor } from './senmlNames.js';

/**
 * SenML JSON (RFC 8428, Sensor Measurement Lists), as plain SenML devices and LwM2M
 * devices (OMA LwM2M SenML JSON, IPSO object/instance/resource names) send it, e.g.
 *
 *   [{"bn":"urn:dev:ow:10e2073a01080063:","bt":1.276020076e9,"bu":"Cel","n":"temperature","v":23.5},
 *    {"n":"temperature","t":60,"v":23.6},
 *    {"n":"energy","u":"kWh","v":1234.5}]
 *   [{"bn":"urn:dev:imei:353000000000017:/3303/0/","n":"5700","v":21.5},{"n":"5701","vs":"Cel"}]
 *
 * The topic is whatever the route says; only its last segment is used (device fallback).
 *
 * Resolution (RFC 8428 §4.6): a base field (bn, bt, bu, bv) applies to its record and all
 * later ones until redefined. name = bn + n, time = bt + t, unit = u ?? bu, value = bv + v.
 * Time in seconds: resolved time ≥ 2^28 is absolute (Unix epoch), < 2^28 relative to now
 * (= the received time; 0 or negative = "now" or that long ago). No bt and no t → observedAt
 * absent. bs/s (sums), ut and unknown fields are ignored; a field whose label ends in `_`
 * is "must understand" (§4.4) and rejects the pack; bver > 10 rejects it too.
 *
 * Which device and metric a record is (senmlNames.ts; table in testdata/README.md):
 * 1. A name ending in an LwM2M path `object/instance/resource` (`/3303/0/5700`): the
 *    device is what precedes the path (a URN, an endpoint name), else the topic; the metric
 *    is IPSO_RESOURCES' (unit: u ?? bu ?? the registry's ?? the instance's Sensor Units
 *    5701 in the pack ?? the object's usual one); instance > 0 → channel "<instance>".
 * 2. Else the device is the bn without trailing separators, else the URN a name starts
 *    with (`urn:dev:ow:…:voltage`), else the topic; the rest of the name is looked up in
 *    NAME_TO_METRIC (exact, case-sensitive; a unit is required except for `count`).
 * 3. Else, with a numeric v, the unit decides where UNIT_TO_METRIC names one metric
 *    (Cel, W, kW, Wh, kWh, m3, %RH, %EL), the name becoming the channel.
 * Any other record with a numeric v is reported as unknown (voltage, current, IPSO min/max
 * values ...): the message's known values are stored. Records without a number are ignored.
 * A mapped record (1, 2) must carry a numeric `v` (vs/vb/vd, or a string like "3.384 V" →
 * `schema`). Units pass through (units.ts converts); `%EL` and `/100` become `%`.
 */

const UNIT_ALIASES: Record<string, string> = { '%EL': '%', '/100': '%' };
const MAX_CHANNEL = 64;
const MAX_RECORDS = 1000;
const RELATIVE_LIMIT = 2 ** 28;
const SUPPORTED_VERSION = 10;

const num = (what: string) => z.number({ message: `${what}, a JSON number` });
const str = (what: string) => z.string({ message: `${what}, a string` });

const recordSchema = z.object({
  bn: str('base name').optional(),
  bt: num('base time in seconds').optional(),
  bu: str('base unit').optional(),
  bv: num('base value').optional(),
  bs: num('base sum').optional(),
  bver: z.number().int('base version, an integer').positive().optional(),
  n: str('name').optional(),
  u: str('unit').optional(),
  v: num('value (SenML numbers are JSON numbers, not strings with units)').optional(),
  vs: z.string().optional(),
  vb: z.boolean().optional(),
  vd: z.string().optional(),
  s: num('sum').optional(),
  t: num('time in seconds').optional(),
  ut: num('update time').optional(),
});

const packSchema = z
  .array(recordSchema, { message: 'a SenML pack: a JSON array of records' })
  .min(1, 'at least one record')
  .max(MAX_RECORDS, `at most ${MAX_RECORDS} records per message`);

function decimals(n: number): number {
  const s = String(n);
  if (s.includes('e')) return 20;
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** The IPSO Sensor Units (5701) strings of a pack, by `prefix|object|instance`. */
function sensorUnitsOf(records: ReadonlyArray<{ bn?: string; n?: string; vs?: string }>): Map<string, string> {
  const units = new Map<string, string>();
  let bn = '';
  for (const r of records) {
    if (r.bn !== undefined) bn = r.bn;
    if (r.vs === undefined) continue;
    const p = ipsoPath(bn + (r.n ?? ''));
    if (p && p.resource === SENSOR_UNITS_RESOURCE) units.set(`${p.prefix}|${p.object}|${p.instance}`, r.vs);
  }
  return units;
}

export const senmlDecoder: Decoder = {
  name: 'senml',
  version: '1.1.0',
  decode(payload: Buffer, ctx: DecodeContext): DecodeResult {
    const json = parseJson(payload);
    if (!json.ok) return reject('not_json', '(payload)', json.message);
    const parsed = packSchema.safeParse(json.value);
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error);
      return reject('schema', field, message);
    }
    const raw = json.value as Record<string, unknown>[];
    const topicDevice = ctx.topic.split('/').pop() ?? '';

    let bn: string | undefined;
    let bt: number | undefined;
    let bu: string | undefined;
    let bv: number | undefined;
    const values: DecodedValue[] = [];
    const unknown: UnknownValue[] = [];
    const sensorUnits = sensorUnitsOf(parsed.data);

    for (const [i, r] of parsed.data.entries()) {
      const mustUnderstand = Object.keys(raw[i]!).find((k) => k.endsWith('_'));
      if (mustUnderstand !== undefined) {
        return reject('schema', `[${i}].${mustUnderstand}`, 'a must-understand field this decoder does not know (RFC 8428 §4.4)');
      }
      if (r.bver !== undefined && r.bver > SUPPORTED_VERSION) {
        return reject('schema', `[${i}].bver`, `SenML version ${r.bver} is newer than the supported ${SUPPORTED_VERSION}`);
      }
      if (r.bn !== undefined) bn = r.bn;
      if (r.bt !== undefined) bt = r.bt;
      if (r.bu !== undefined) bu = r.bu;
      if (r.bv !== undefined) bv = r.bv;

      const name = (bn ?? '') + (r.n ?? '');
      const field = `[${i}]`;
      const numeric = typeof r.v === 'number';
      let deviceRef: string;
      let metric: string | undefined;
      let unitRaw: string | undefined;
      let channel: string | undefined;
      const path = ipsoPath(name);
      if (path) {
        deviceRef = path.prefix || topicDevice;
        const spec = path.resourceInstance === undefined ? IPSO_RESOURCES.get(`${path.object}/${path.resource}`) : undefined;
        if (!spec) {
          const id = `/${path.object}/${path.instance}/${path.resource}${path.resourceInstance === undefined ? '' : `/${path.resourceInstance}`}`;
          if (numeric) unknown.push({ field, name: `/${path.object}/${path.resource}`, message: `LwM2M resource ${id} has no Klimatpuls metric` });
          continue;
        }
        metric = spec.metric;
        unitRaw = r.u ?? bu ?? spec.unit ?? sensorUnits.get(`${path.prefix}|${path.object}|${path.instance}`) ?? spec.conventionalUnit;
        if (path.instance !== 0) channel = String(path.instance);
      } else {
        let local = r.n ?? '';
        if (bn !== undefined && stripSeparators(bn) !== '') deviceRef = stripSeparators(bn);
        else {
          const urn = urnName(local);
          if (urn) ({ device: deviceRef, local } = urn);
          else deviceRef = topicDevice;
        }
        unitRaw = r.u ?? bu;
        metric = metricFor(local);
        if (metric === undefined) {
          metric = numeric ? metricForUnit(unitRaw) : undefined;
          if (metric !== undefined && local.length > MAX_CHANNEL) metric = undefined;
          if (metric === undefined) {
            if (numeric) unknown.push({ field, name: local || '(no name)', message: `${JSON.stringify(local || name)} (unit ${unitRaw ?? 'none'}) has no Klimatpuls metric` });
            continue;
          }
          if (local !== '') channel = local;
        }
      }

      if (r.v === undefined) {
        const other = r.vs !== undefined ? 'vs' : r.vb !== undefined ? 'vb' : r.vd !== undefined ? 'vd' : r.s !== undefined ? 's' : 'v';
        return reject('schema', `[${i}].${other}`, `${name} (${metric}) needs a numeric value in v`);
      }
      if (unitRaw === undefined && metric !== 'count') {
        const hint = path ? `, or its Sensor Units (${SENSOR_UNITS_RESOURCE}) in the pack` : '';
        return reject('schema', `[${i}].u`, `${name} (${metric}) needs a unit (u, or bu on this or an earlier record${hint})`);
      }
      const unit = unitRaw === undefined ? undefined : (UNIT_ALIASES[unitRaw] ?? unitRaw);

      if (deviceRef === '' || deviceRef === '+' || deviceRef === '#') {
        return reject('unsupported_topic', 'topic', 'no base name (bn) in the pack, so the topic must end with the device id');
      }

      const value = bv === undefined ? r.v : Number((bv + r.v).toFixed(Math.min(20, Math.max(decimals(bv), decimals(r.v)))));

      let observedAt: Date | undefined;
      if (bt !== undefined || r.t !== undefined) {
        const t = (bt ?? 0) + (r.t ?? 0);
        const ms = t >= RELATIVE_LIMIT ? Math.round(t * 1000) : ctx.receivedAt.getTime() + Math.round(t * 1000);
        observedAt = new Date(ms);
        if (Number.isNaN(observedAt.getTime())) return reject('schema', `[${i}].t`, 'the resolved time is out of range');
      }

      values.push(channel === undefined ? { deviceRef, metric, value, unit, observedAt, field } : { deviceRef, metric, value, unit, channel, observedAt, field });
    }
    return unknown.length === 0 ? { ok: true, values } : { ok: true, values, unknown };
  },
};
