import { z } from 'zod';
import { reject, type DecodeContext, type DecodeResult, type DecodedValue, type Decoder } from '../types.js';
import { describeIssue, parseJson } from '../zodIssue.js';

/**
 * wmbusmeters (https://github.com/wmbusmeters/wmbusmeters) JSON, as its MQTT shell
 * example publishes it (`mosquitto_pub -t wmbusmeters/$METER_NAME -m "$METER_JSON"`).
 *
 * Topic:   wmbusmeters/{name}            (name = the meter name in wmbusmeters' config)
 * Payload: one flat JSON object per telegram, e.g.
 *   {"media":"cold water","meter":"multical21","name":"MyTapWater","id":"76348799",
 *    "total_m3":6.408,"flow_temperature_c":127,"timestamp":"2018-02-08T09:07:22Z"}
 *
 * - `id` (the wM-Bus meter id) is the deviceRef; required.
 * - `media` is required: the same key (`total_energy_consumption_kwh`) means electricity
 *   or district heat depending on it.
 * - `timestamp` (the receiver's UTC time, ISO 8601 with Z or an offset) is observedAt;
 *   absent → the normalizer uses the received time.
 * - A value's unit is the key's last `_` suffix (`_kwh`, `_m3`, `_c` ...). Only the keys in
 *   RULES are decoded, everything else (status texts, `max_flow_m3h`, `target_m3`,
 *   `return_temperature_c` — there is no canonical return-temperature metric yet ...) is ignored.
 * - `null` (wmbusmeters prints it for a field the telegram did not carry) = absent.
 *   A mapped key holding another non-number (e.g. "3.384 V") is a `schema` rejection.
 * - Sentinels (flow_temperature_c 127 or -127 from a missing/broken sensor) are passed on
 *   unchanged on purpose: the normalizer's range rules dead-letter them with the field, so
 *   a broken sensor is visible instead of silently absent.
 */

type MediaClass = 'electricity' | 'heat' | 'water' | 'gas' | 'other';

/** wmbusmeters key suffix → source unit (units.ts spelling). */
const SUFFIX_UNITS: Record<string, string> = {
  wh: 'Wh',
  kwh: 'kWh',
  mwh: 'MWh',
  mj: 'MJ',
  gj: 'GJ',
  w: 'W',
  kw: 'kW',
  m3: 'm3',
  c: '°C',
};
const ENERGY = ['Wh', 'kWh', 'MWh', 'MJ', 'GJ'];
const POWER = ['W', 'kW'];

interface Rule {
  base: string;
  media: MediaClass;
  units: string[];
  metric: string;
}

/** key (without unit suffix) × media → metric. Documented in testdata/README.md. */
const RULES: Rule[] = [
  { base: 'total_energy_consumption', media: 'electricity', units: ENERGY, metric: 'energy_total' },
  { base: 'total_energy_production', media: 'electricity', units: ENERGY, metric: 'energy_export_total' },
  { base: 'current_power_consumption', media: 'electricity', units: POWER, metric: 'power' },
  { base: 'total_energy_consumption', media: 'heat', units: ENERGY, metric: 'heat_energy_total' },
  { base: 'flow_temperature', media: 'heat', units: ['°C'], metric: 'flow_temperature' },
  { base: 'total', media: 'water', units: ['m3'], metric: 'water_total' },
  { base: 'total', media: 'gas', units: ['m3'], metric: 'gas_volume_total' },
];
/** Subtracted from current_power_consumption (power is negative when exporting). */
const POWER_PRODUCTION = 'current_power_production';

export function mediaClass(media: string): MediaClass {
  const m = media.toLowerCase();
  if (m.includes('heat')) return 'heat'; // "heat", "heat/cooling load", "heat volume at inlet"
  if (m.includes('electricity')) return 'electricity';
  if (m.includes('water')) return 'water'; // "water", "cold water", "warm water"
  if (m === 'gas') return 'gas';
  return 'other';
}

const headerSchema = z.object({
  id: z.string({ message: 'the meter id, a string' }).min(1).max(128),
  media: z.string({ message: 'the meter media (electricity, heat, water ...), a string' }).min(1),
  meter: z.string().optional(),
  timestamp: z.iso
    .datetime({ offset: true, message: 'an ISO 8601 time with Z or an offset' })
    .optional(),
});

const TOPIC_RE = /^wmbusmeters\/([^/]+)$/;

function splitKey(key: string): { base: string; unit: string } | undefined {
  const i = key.lastIndexOf('_');
  if (i <= 0) return undefined;
  const unit = SUFFIX_UNITS[key.slice(i + 1)];
  return unit === undefined ? undefined : { base: key.slice(0, i), unit };
}

function decimals(n: number): number {
  const s = String(n);
  const e = s.indexOf('e');
  if (e >= 0) return 20;
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** a − b without binary noise (0.3 − 0.1 = 0.2, not 0.19999999999999998). */
function subtract(a: number, b: number): number {
  const d = Math.min(20, Math.max(decimals(a), decimals(b)));
  return Number((a - b).toFixed(d));
}

export const wmbusmetersDecoder: Decoder = {
  name: 'wmbusmeters',
  version: '1.1.0',
  decode(payload: Buffer, ctx: DecodeContext): DecodeResult {
    if (!TOPIC_RE.test(ctx.topic)) return reject('unsupported_topic', 'topic', 'expected wmbusmeters/{name}');
    const json = parseJson(payload);
    if (!json.ok) return reject('not_json', '(payload)', json.message);
    const parsed = headerSchema.safeParse(json.value);
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error);
      return reject('schema', field, message);
    }
    const { id, media, timestamp } = parsed.data;
    const raw = json.value as Record<string, unknown>;
    const cls = mediaClass(media);
    const observedAt = timestamp === undefined ? undefined : new Date(timestamp);

    const values: DecodedValue[] = [];
    let production: { key: string; value: number; unit: string } | undefined;
    for (const [key, v] of Object.entries(raw)) {
      const k = splitKey(key);
      if (!k) continue;
      const isProduction = cls === 'electricity' && k.base === POWER_PRODUCTION && POWER.includes(k.unit);
      const rule = RULES.find((r) => r.base === k.base && r.media === cls && r.units.includes(k.unit));
      if (!rule && !isProduction) continue;
      if (v === null) continue;
      if (typeof v !== 'number') {
        return reject('schema', key, `a number in ${k.unit} (the unit is the key's suffix), got ${JSON.stringify(v)}`);
      }
      if (isProduction) {
        production = { key, value: v, unit: k.unit };
        continue;
      }
      values.push({ deviceRef: id, metric: rule!.metric, value: v, unit: k.unit, observedAt, field: key });
    }

    if (production) {
      const p = production;
      const power = values.find((x) => x.metric === 'power');
      if (power) {
        // Same unit family (W/kW): convert production to the consumption's unit.
        const factor = p.unit === power.unit ? 1 : p.unit === 'kW' ? 1e3 : 1e-3;
        power.value = subtract(power.value, factor === 1 ? p.value : Number((p.value * factor).toPrecision(15)));
      } else {
        values.push({ deviceRef: id, metric: 'power', value: p.value === 0 ? 0 : -p.value, unit: p.unit, observedAt, field: p.key });
      }
    }
    return { ok: true, values };
  },
};
