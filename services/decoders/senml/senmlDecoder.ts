import { z } from 'zod';
import { isMetricName } from '../../core/metrics.js';
import { reject, type DecodeContext, type DecodeResult, type DecodedValue, type Decoder } from '../types.js';
import { describeIssue, parseJson } from '../zodIssue.js';

/**
 * SenML JSON (RFC 8428, Sensor Measurement Lists), e.g.
 *
 *   [{"bn":"urn:dev:ow:10e2073a01080063:","bt":1.276020076e9,"bu":"Cel","n":"temperature","v":23.5},
 *    {"n":"temperature","t":60,"v":23.6},
 *    {"n":"energy","u":"kWh","v":1234.5}]
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
 * deviceRef: the current bn without trailing separators (`urn:dev:ow:10e2073a01080063:` →
 * `urn:dev:ow:10e2073a01080063`); no bn → the topic's last segment.
 * metric: the record's own n looked up in NAME_TO_METRIC (exact, case-sensitive); records
 * whose n is not there are ignored, whatever value type they carry. A mapped record must
 * carry a numeric `v` (a vs/vb/vd or a string like "3.384 V" is a `schema` rejection: SenML
 * numbers are JSON numbers) and a unit (u or bu), except `count`. The unit is passed through
 * (units.ts knows Cel, W, kW, Wh, kWh, m3, l, %); `%EL` (battery level) becomes `%`.
 */

/** SenML record name (n) → canonical metric. Canonical names map to themselves too. */
export const NAME_TO_METRIC: Readonly<Record<string, string>> = Object.freeze({
  energy: 'energy_total',
  E: 'energy_total',
  energy_export: 'energy_export_total',
  heat_energy: 'heat_energy_total',
  power: 'power',
  P: 'power',
  temperature: 'temperature',
  temp: 'temperature',
  water: 'water_total',
  volume: 'water_total',
  battery: 'battery',
});

export function metricFor(name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(NAME_TO_METRIC, name)) return NAME_TO_METRIC[name];
  return isMetricName(name) ? name : undefined;
}

const UNIT_ALIASES: Record<string, string> = { '%EL': '%' };
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

function stripSeparators(bn: string): string {
  return bn.replace(/[:/.]+$/, '');
}

function decimals(n: number): number {
  const s = String(n);
  if (s.includes('e')) return 20;
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

export const senmlDecoder: Decoder = {
  name: 'senml',
  version: '1.0.0',
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

      const metric = metricFor(r.n ?? '');
      if (metric === undefined) continue;

      if (r.v === undefined) {
        const other = r.vs !== undefined ? 'vs' : r.vb !== undefined ? 'vb' : r.vd !== undefined ? 'vd' : r.s !== undefined ? 's' : 'v';
        return reject('schema', `[${i}].${other}`, `${r.n} (${metric}) needs a numeric value in v`);
      }
      const unitRaw = r.u ?? bu;
      if (unitRaw === undefined && metric !== 'count') {
        return reject('schema', `[${i}].u`, `${r.n} (${metric}) needs a unit (u, or bu on this or an earlier record)`);
      }
      const unit = unitRaw === undefined ? undefined : (UNIT_ALIASES[unitRaw] ?? unitRaw);

      const deviceRef = bn !== undefined && stripSeparators(bn) !== '' ? stripSeparators(bn) : topicDevice;
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

      values.push({ deviceRef, metric, value, unit, observedAt, field: `[${i}]` });
    }
    return { ok: true, values };
  },
};
