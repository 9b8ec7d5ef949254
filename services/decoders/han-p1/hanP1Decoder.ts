import { reject, type DecodeContext, type DecodeResult, type DecodedValue, type Decoder, type UnknownValue } from '../types.js';

/**
 * DSMR P1 / Swedish HAN-port telegrams (IEC 62056-21 mode D text), one telegram per
 * MQTT message, as a P1/HAN reader forwards it.
 *
 *   /ELL5\253833635_A                header: `/` + manufacturer id ...
 *                                    (empty line)
 *   0-0:1.0.0(250301120000W)         time YYMMDDhhmmss + W (winter, CET) / S (summer, CEST)
 *   0-0:96.1.1(4B384547...)          equipment id (DSMR: hex-encoded ASCII)
 *   1-0:1.8.0(00006678.394*kWh)      active energy import; 1-0:2.8.0 export
 *   1-0:1.7.0(0001.727*kW)           active power import; 1-0:2.7.0 export
 *   !7945                            `!` + CRC-16/ARC (optional: `!` alone is accepted)
 *
 * The topic is whatever the route says; it is only used for the device fallback.
 * The payload is text, so bad input is `decode_error` (never `not_json`).
 *
 * Values (field = the OBIS code as written):
 * - energy_total      1-0:1.8.0; without it the sum of tariff registers 1-0:1.8.1..9
 *                     (DSMR meters have only 1.8.1 + 1.8.2), field `1-0:1.8.1+1-0:1.8.2`.
 * - energy_export_total  the same with 1-0:2.8.x.
 * - power             net: 1-0:1.7.0 − 1-0:2.7.0 (negative = export), field `1-0:1.7.0`
 *                     (`1-0:2.7.0` when only export power is present).
 * The unit is kept as the meter writes it (`*kWh`, `*Wh`, `*kW`, `*W`); the normalizer
 * converts. Energy and power without a unit are rejected. Other electricity lines with
 * one value (`1-0:32.7.0(230.1*V)` voltages, `1-0:31.7.0` currents, reactive energy
 * `1-0:3.8.0`, per-phase power `1-0:21.7.0` ...) are reported as unknown (no Klimatpuls
 * metric; the telegram's known values are stored); other lines are ignored.
 *
 * observedAt from 0-0:1.0.0: flag W → UTC+1 (CET), S → UTC+2 (CEST); no flag → UTC+1
 * all year (the Swedish HAN clock rule this project follows for meters without the flag).
 * No time line → undefined (the normalizer uses the received time).
 *
 * deviceRef: 0-0:96.1.1, else 0-0:96.1.0; hex that decodes to printable ASCII is decoded
 * (DSMR), anything else is used as written. No id → the topic's last segment.
 */

const MAX_TELEGRAM_BYTES = 64 * 1024;

/** CRC-16/ARC (poly 0x8005 reflected = 0xA001, init 0, no final xor), table-driven. */
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16Arc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ b) & 0xff]!;
  return crc;
}

const OBIS_LINE_RE = /^(\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3})((?:\([^()]*\))+)\s*$/;
const VALUE_RE = /^([+-]?\d+(?:\.\d+)?)(?:\*(\S+))?$/;
const TIME_RE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([A-Za-z])?$/;

const ENERGY_IMPORT = '1-0:1.8.0';
const ENERGY_EXPORT = '1-0:2.8.0';
const POWER_IMPORT = '1-0:1.7.0';
const POWER_EXPORT = '1-0:2.7.0';
const TIME = '0-0:1.0.0';
const METER_IDS = ['0-0:96.1.1', '0-0:96.1.0'];
const POWER_FACTORS: Record<string, number> = { W: 1, kW: 1e3, MW: 1e6 };

type Fail = { ok: false; result: DecodeResult };
const fail = (field: string, message: string): Fail => ({ ok: false, result: reject('decode_error', field, message) });

interface Reading {
  code: string;
  value: number;
  unit: string;
}

function decimals(s: string): number {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** `00006678.394*kWh` → number and unit; the unit is required for energy and power. */
function parseQuantity(code: string, raw: string): { ok: true; reading: Reading; decimals: number } | Fail {
  const m = VALUE_RE.exec(raw);
  if (!m) return fail(code, `expected a number with a unit, e.g. (0001.234*kW), got (${raw})`);
  const [, num, unit] = m as unknown as [string, string, string | undefined];
  if (unit === undefined) return fail(code, `a unit is required, e.g. (${num}*kWh)`);
  return { ok: true, reading: { code, value: Number(num), unit }, decimals: decimals(num) };
}

function round(n: number, d: number): number {
  return Number(n.toFixed(Math.min(20, d)));
}

/** The total register, or the sum of the tariff registers A-B:C.8.1..9 when there is none. */
function energy(lines: Map<string, string[]>, totalCode: string): { ok: true; reading?: Reading } | Fail {
  const total = lines.get(totalCode);
  if (total) {
    const q = parseQuantity(totalCode, total[0]!);
    return q.ok ? { ok: true, reading: q.reading } : q;
  }
  const prefix = totalCode.slice(0, -1); // 1-0:1.8.
  const tariffs: Reading[] = [];
  let d = 0;
  for (let t = 1; t <= 9; t++) {
    const raw = lines.get(`${prefix}${t}`);
    if (!raw) continue;
    const q = parseQuantity(`${prefix}${t}`, raw[0]!);
    if (!q.ok) return q;
    if (tariffs.length > 0 && q.reading.unit !== tariffs[0]!.unit) {
      return fail(q.reading.code, `unit ${q.reading.unit} differs from ${tariffs[0]!.code} (${tariffs[0]!.unit})`);
    }
    tariffs.push(q.reading);
    d = Math.max(d, q.decimals);
  }
  if (tariffs.length === 0) return { ok: true };
  return {
    ok: true,
    reading: {
      code: tariffs.map((r) => r.code).join('+'),
      value: round(
        tariffs.reduce((s, r) => s + r.value, 0),
        d,
      ),
      unit: tariffs[0]!.unit,
    },
  };
}

/** Net power: import − export, in the import's unit (export converted within W/kW/MW). */
function netPower(lines: Map<string, string[]>): { ok: true; reading?: Reading } | Fail {
  const impRaw = lines.get(POWER_IMPORT);
  const expRaw = lines.get(POWER_EXPORT);
  const i = impRaw ? parseQuantity(POWER_IMPORT, impRaw[0]!) : undefined;
  if (i && !i.ok) return i;
  const e = expRaw ? parseQuantity(POWER_EXPORT, expRaw[0]!) : undefined;
  if (e && !e.ok) return e;
  if (!e) return { ok: true, reading: i?.reading };
  if (!i) return { ok: true, reading: { ...e.reading, value: e.reading.value === 0 ? 0 : -e.reading.value } };
  let exportValue = e.reading.value;
  let d = Math.max(i.decimals, e.decimals);
  if (e.reading.unit !== i.reading.unit) {
    const fi = POWER_FACTORS[i.reading.unit];
    const fe = POWER_FACTORS[e.reading.unit];
    if (fi === undefined || fe === undefined) {
      return fail(POWER_EXPORT, `unit ${e.reading.unit} cannot be combined with ${POWER_IMPORT}'s ${i.reading.unit}`);
    }
    exportValue = Number(((exportValue * fe) / fi).toPrecision(15));
    d += Math.max(0, Math.round(Math.log10(fi / fe)));
  }
  return { ok: true, reading: { code: POWER_IMPORT, value: round(i.reading.value - exportValue, d), unit: i.reading.unit } };
}

/** YYMMDDhhmmss[W|S]: W = CET (UTC+1), S = CEST (UTC+2), none = UTC+1 (Swedish HAN). */
export function parseP1Time(raw: string): Date | undefined {
  const m = TIME_RE.exec(raw);
  if (!m) return undefined;
  const [yy, mo, dd, hh, mi, ss] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const flag = m[7]?.toUpperCase();
  if (flag !== undefined && flag !== 'W' && flag !== 'S') return undefined;
  const offsetHours = flag === 'S' ? 2 : 1;
  const local = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss);
  const check = new Date(local);
  if (
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== dd ||
    check.getUTCHours() !== hh ||
    check.getUTCMinutes() !== mi ||
    check.getUTCSeconds() !== ss
  ) {
    return undefined;
  }
  return new Date(local - offsetHours * 3_600_000);
}

/** DSMR writes the equipment id as hex-encoded ASCII; decode it when it is exactly that. */
export function decodeMeterId(raw: string): string {
  const s = raw.trim();
  if (s.length >= 2 && s.length % 2 === 0 && /^[0-9A-Fa-f]+$/.test(s)) {
    const decoded = Buffer.from(s, 'hex');
    if (decoded.every((b) => b >= 0x21 && b <= 0x7e)) return decoded.toString('latin1');
  }
  return s;
}

export const hanP1Decoder: Decoder = {
  name: 'han-p1',
  version: '1.1.0',
  decode(payload: Buffer, ctx: DecodeContext): DecodeResult {
    if (payload.length > MAX_TELEGRAM_BYTES) return reject('decode_error', '(payload)', `a telegram is at most ${MAX_TELEGRAM_BYTES} bytes`);
    // Printable ASCII plus CR, LF and tab; anything else is binary (e.g. DLMS/COSEM HAN frames).
    for (let i = 0; i < payload.length; i++) {
      const b = payload[i]!;
      if (!(b === 0x0d || b === 0x0a || b === 0x09 || (b >= 0x20 && b <= 0x7e))) {
        return reject('decode_error', '(payload)', `byte 0x${b.toString(16).padStart(2, '0')} at offset ${i}: not an ASCII P1 telegram`);
      }
    }
    const text = payload.toString('latin1');
    const start = text.search(/\S/);
    if (start < 0 || text[start] !== '/') return reject('decode_error', 'header', 'a telegram starts with / and the meter identification');
    // The trailer is the `!` that starts a line (a DSMR 2.2 text message may contain `!`).
    const nl = text.indexOf('\n!', start);
    if (nl < 0) return reject('decode_error', 'trailer', 'no line starting with !: the telegram is truncated');
    const bang = nl + 1;

    const crcText = text.slice(bang + 1).trim();
    if (crcText !== '') {
      if (!/^[0-9A-Fa-f]{4}$/.test(crcText)) {
        return reject('decode_error', 'crc', `after ! expected 4 hex digits (CRC-16) or nothing, got ${JSON.stringify(crcText.slice(0, 16))}`);
      }
      const computed = crc16Arc(payload.subarray(start, bang + 1));
      if (computed !== parseInt(crcText, 16)) {
        const hex = computed.toString(16).toUpperCase().padStart(4, '0');
        return reject('decode_error', 'crc', `CRC ${crcText.toUpperCase()} does not match the telegram (computed ${hex})`);
      }
    }

    const body = text.slice(start, bang).split(/\r?\n/);
    const header = body[0]!;
    if (header.trim().length < 2) return reject('decode_error', 'header', 'the header line is empty after /');
    const lines = new Map<string, string[]>();
    for (const line of body.slice(1)) {
      const m = OBIS_LINE_RE.exec(line.trim());
      if (!m) continue; // empty lines, continuation lines (DSMR 4 gas), vendor text
      const [, code, groups] = m as unknown as [string, string, string];
      if (lines.has(code)) return reject('decode_error', code, 'appears twice in the telegram');
      lines.set(
        code,
        [...groups.matchAll(/\(([^()]*)\)/g)].map((g) => g[1]!),
      );
    }

    let observedAt: Date | undefined;
    const time = lines.get(TIME);
    if (time) {
      observedAt = parseP1Time(time[0]!);
      if (!observedAt) return reject('decode_error', TIME, `expected YYMMDDhhmmss followed by W, S or nothing, got (${time[0]})`);
    }

    let deviceRef: string | undefined;
    for (const code of METER_IDS) {
      const id = lines.get(code);
      if (id && id[0]!.trim() !== '') {
        deviceRef = decodeMeterId(id[0]!);
        break;
      }
    }
    if (deviceRef === undefined) {
      const last = ctx.topic.split('/').pop() ?? '';
      if (last === '' || last === '+' || last === '#') {
        return reject('unsupported_topic', 'topic', 'the telegram has no meter id (0-0:96.1.1), so the topic must end with the meter name');
      }
      deviceRef = last;
    }

    const values: DecodedValue[] = [];
    const add = (metric: string, r: Reading) => values.push({ deviceRef: deviceRef!, metric, value: r.value, unit: r.unit, observedAt, field: r.code });

    const imp = energy(lines, ENERGY_IMPORT);
    if (!imp.ok) return imp.result;
    if (imp.reading) add('energy_total', imp.reading);
    const exp = energy(lines, ENERGY_EXPORT);
    if (!exp.ok) return exp.result;
    if (exp.reading) add('energy_export_total', exp.reading);
    const power = netPower(lines);
    if (!power.ok) return power.result;
    if (power.reading) add('power', power.reading);
    const unknown = unknownLines(lines);
    return unknown.length === 0 ? { ok: true, values } : { ok: true, values, unknown };
  },
};

const READ_CODE_RE = /^1-0:(?:[12]\.8\.\d+|[12]\.7\.0)$/;

/** Electricity (`1-0:`) lines with one number that no metric reads. */
function unknownLines(lines: Map<string, string[]>): UnknownValue[] {
  const out: UnknownValue[] = [];
  for (const [code, groups] of lines) {
    if (!code.startsWith('1-0:') || READ_CODE_RE.test(code) || groups.length !== 1) continue;
    const m = VALUE_RE.exec(groups[0]!.trim());
    if (m) out.push({ field: code, name: code, message: `${code}${m[2] ? ` (${m[2]})` : ''} has no Klimatpuls metric` });
  }
  return out;
}
