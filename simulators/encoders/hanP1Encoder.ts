import { crc16Arc } from '../../services/decoders/han-p1/hanP1Decoder.js';
import type { Family, SimDevice } from '../city/devices.js';
import { assertFamily, assertOnly, localTime, pad, valueOf } from './common.js';
import type { Encoder } from './types.js';

/**
 * Swedish HAN-port / DSMR P1 telegram (services/decoders/han-p1), on `han/{meter id}`.
 * Electricity meters only.
 *
 *   /ELL5\253833635_A
 *
 *   0-0:1.0.0(251026020000S)        the meter's clock, Swedish local time + W (CET) / S (CEST)
 *   0-0:96.1.1(3731303030303030)    meter id, hex-encoded ASCII (DSMR)
 *   1-0:1.8.0(00012345.678*kWh)     energy import, kWh with 3 decimals (lossless)
 *   1-0:2.8.0 is left out: it would be an energy_export_total reading the truth lacks
 *   1-0:1.7.0(0001.727*kW)          power import; negative power goes to 1-0:2.7.0
 *   1-0:2.7.0(0000.000*kW)
 *   1-0:32.7.0(230.1*V) ...         voltages/currents (ignored by the decoder)
 *   !XXXX                           CRC-16/ARC over `/` .. `!` (the decoder's crc16Arc)
 *
 * The time line comes from the device clock (deviceClock true). With the W/S flag every
 * instant is representable, also both passes through the repeated autumn hour
 * (02:30S = 00:30Z, 02:30W = 01:30Z). The line has whole seconds and a 2-digit year:
 * a time with milliseconds, or outside 2000–2099, cannot be written and throws.
 */
const FAMILIES: readonly Family[] = ['electricity_meter'];
const CRLF = '\r\n';

const topicOf = (d: SimDevice) => `han/${d.registry.id}`;

/** YYMMDDhhmmss + W/S in Europe/Stockholm, the rule of the decoder's parseP1Time. */
export function p1Time(t: Date): string {
  const l = localTime(t);
  if (l.ms !== 0) throw new Error(`encoder han-p1: the P1 time line has whole seconds, cannot write ${t.toISOString()}`);
  if (l.year < 2000 || l.year > 2099) throw new Error(`encoder han-p1: the P1 time line has a 2-digit year, cannot write ${t.toISOString()}`);
  const flag = l.offsetMinutes === 60 ? 'W' : l.offsetMinutes === 120 ? 'S' : undefined;
  if (!flag) throw new Error(`encoder han-p1: Swedish offset +${l.offsetMinutes} min is neither CET nor CEST`);
  return `${pad(l.year % 100)}${pad(l.month)}${pad(l.day)}${pad(l.hour)}${pad(l.minute)}${pad(l.second)}${flag}`;
}

/** `(00012345.678*kWh)`-style fixed decimals with a zero-padded integer part. */
function fixed(v: number, intDigits: number, decimals: number): string {
  if (v < 0) throw new Error(`encoder han-p1: negative register value ${v}`);
  const s = v.toFixed(decimals);
  if (Number(s) !== v) throw new Error(`encoder han-p1: ${v} has more than ${decimals} decimals`);
  const [i, f] = s.split('.') as [string, string | undefined];
  return f === undefined ? i.padStart(intDigits, '0') : `${i.padStart(intDigits, '0')}.${f}`;
}

/** A complete telegram from the body lines (after the header), with its CRC. */
export function telegram(lines: string[], crc: (computed: number) => number = (c) => c): Buffer {
  const body = `/ELL5\\253833635_A${CRLF}${CRLF}${lines.map((l) => l + CRLF).join('')}!`;
  const computed = crc16Arc(Buffer.from(body, 'latin1'));
  return Buffer.from(`${body}${crc(computed).toString(16).toUpperCase().padStart(4, '0')}${CRLF}`, 'latin1');
}

function meterIdLine(d: SimDevice): string {
  return `0-0:96.1.1(${Buffer.from(d.registry.id, 'latin1').toString('hex').toUpperCase()})`;
}

export const hanP1Encoder: Encoder = {
  name: 'han-p1',
  deviceClock: true,
  families: FAMILIES,
  encode(d, values, ctx) {
    assertFamily(this.name, FAMILIES, d);
    assertOnly(this.name, values, [['energy_total'], ['power']]);
    const energy = valueOf(this.name, values, 'energy_total', 'kWh');
    const power = valueOf(this.name, values, 'power', 'kW');
    const lines = [
      `0-0:1.0.0(${p1Time(ctx.deviceTime)})`,
      meterIdLine(d),
      `1-0:1.8.0(${fixed(energy, 8, 3)}*kWh)`,
      `1-0:1.7.0(${fixed(Math.max(0, power), 4, 3)}*kW)`,
      `1-0:2.7.0(${fixed(power < 0 ? -power : 0, 4, 3)}*kW)`,
      '1-0:32.7.0(230.1*V)',
      '1-0:52.7.0(231.4*V)',
      '1-0:72.7.0(229.8*V)',
    ];
    return { topic: topicOf(d), payload: telegram(lines) };
  },
  malformed(d, n) {
    // Always a CRC mismatch: the CRC off by one, or a value changed after the CRC was computed.
    const lines = ['0-0:1.0.0(250301110000W)', meterIdLine(d), `1-0:1.8.0(${fixed(1000 + (n % 97), 8, 3)}*kWh)`, '1-0:1.7.0(0001.500*kW)'];
    let payload: Buffer;
    if (n % 2 === 0) {
      payload = telegram(lines, (c) => (c + 1) & 0xffff);
    } else {
      const good = telegram(lines).toString('latin1');
      payload = Buffer.from(good.replace('(0001.500*kW)', '(0009.500*kW)'), 'latin1');
    }
    return { topic: topicOf(d), payload };
  },
};
