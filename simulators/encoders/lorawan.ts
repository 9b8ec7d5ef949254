import type { Family, SimDevice } from '../city/devices.js';
import type { WireValue } from '../city/model.js';
import { ALL_FAMILIES, assertFamily, assertOnly, fnv1a, valueOf } from './common.js';

/**
 * Shared by the LoRaWAN network-server encoders (ttn-v3, chirpstack-v4, chirpstack-v3):
 * the device's decoded object (what the network server's payload formatter / codec
 * produces) with keys from services/decoders/lorawan/decodedValues.ts, and the raw
 * Milesight EM500-UDL bytes for the codec path.
 */

/** LoRaWAN carries every family: the decoded object has a key for each. */
export const LORAWAN_FAMILIES: readonly Family[] = ALL_FAMILIES;

export type KeyStyle = 'snake' | 'camel';

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The decoded object for the device's values. Keys (snake_case; camelCase with
 * style 'camel', which the key map normalizes back):
 *   energy_total (kWh), power_kw (kW: a plain `power` is read as W), heat_energy_total
 *   (kWh), flow_temperature (°C), distance (mm), count_in / count_out, temperature (°C).
 */
export function decodedObject(format: string, d: SimDevice, values: WireValue[], style: KeyStyle): Record<string, number> {
  assertFamily(format, LORAWAN_FAMILIES, d);
  const entries: Array<[string, number]> = [];
  const put = (key: string, metric: string, unit: string, channel?: string) => entries.push([key, valueOf(format, values, metric, unit, channel)]);
  switch (d.family) {
    case 'electricity_meter':
      assertOnly(format, values, [['energy_total'], ['power']]);
      put('energy_total', 'energy_total', 'kWh');
      put('power_kw', 'power', 'kW');
      break;
    case 'heat_meter':
      assertOnly(format, values, [['heat_energy_total'], ['flow_temperature']]);
      put('heat_energy_total', 'heat_energy_total', 'kWh');
      put('flow_temperature', 'flow_temperature', '°C');
      break;
    case 'waste_fill':
      assertOnly(format, values, [['distance']]);
      put('distance', 'distance', 'mm');
      break;
    case 'bike_counter':
    case 'vehicle_counter':
      assertOnly(format, values, [['count', 'in'], ['count', 'out']]);
      put('count_in', 'count', 'count', 'in');
      put('count_out', 'count', 'count', 'out');
      break;
    case 'temperature':
      assertOnly(format, values, [['temperature']]);
      put('temperature', 'temperature', '°C');
      break;
  }
  return Object.fromEntries(entries.map(([k, v]) => [style === 'camel' ? camel(k) : k, v]));
}

export const EM500_UDL = 'milesight-em500-udl';
export const MILESIGHT_FPORT = 85;

/** A waste container with the EM500-UDL codec: alternate decoded object / raw bytes only. */
export function usesRawPayload(d: SimDevice, frameCounter: number): boolean {
  return d.family === 'waste_fill' && isEm500(d) && frameCounter % 2 === 0;
}

export function isEm500(d: SimDevice): boolean {
  return (d.registry.model ?? '').toLowerCase() === EM500_UDL;
}

/**
 * EM500-UDL uplink bytes (Milesight TLV): `03 82` distance uint16 LE in mm.
 *
 * The battery channel (`01 75`) is deliberately left out: the decoder turns it into a
 * `battery` reading, but the simulator's ground truth (model.ts) has no battery, so the
 * stored readings would no longer equal the truth.
 */
export function em500Bytes(format: string, values: WireValue[]): Buffer {
  assertOnly(format, values, [['distance']]);
  const mm = valueOf(format, values, 'distance', 'mm');
  if (!Number.isInteger(mm) || mm < 0 || mm > 0xffff) throw new Error(`encoder ${format}: EM500-UDL distance must be a uint16 of mm, got ${mm}`);
  const b = Buffer.alloc(4);
  b[0] = 0x03;
  b[1] = 0x82;
  b.writeUInt16LE(mm, 2);
  return b;
}

/** Application payload for a device: fPort and (for the EM500-UDL) bytes. */
export function rawFor(d: SimDevice, format: string, values: WireValue[]): { fPort: number; bytes?: Buffer } {
  if (d.family === 'waste_fill' && isEm500(d)) return { fPort: MILESIGHT_FPORT, bytes: em500Bytes(format, values) };
  return { fPort: 2 };
}

/** Gateway metadata: a duplicate delivery (copy 1) was heard by another gateway. */
export function gatewayFor(d: SimDevice, copy: number, frameCounter: number): { id: string; eui: string; rssi: number; snr: number } {
  const base = fnv1a(`${d.registry.tenant}/${d.registry.site ?? d.registry.id}`) % 8;
  const n = (base + copy) % 8;
  const jitter = fnv1a(`${d.registry.id}/${frameCounter}/${copy}`);
  return {
    id: `${d.registry.tenant}-gw-${String(n + 1).padStart(2, '0')}`,
    eui: `B827EBFFFE${(0x8b0100 + n).toString(16).toUpperCase().padStart(6, '0')}`,
    rssi: -60 - (jitter % 50) - 10 * copy,
    snr: Math.round((9.5 - (jitter % 160) / 10 - 3 * copy) * 4) / 4,
  };
}

/** The DevEUI as the registry spells it (16 hex digits). */
export function devEuiOf(format: string, d: SimDevice): string {
  const id = d.registry.id;
  if (!/^[0-9A-Fa-f]{16}$/.test(id)) throw new Error(`encoder ${format}: device ${id} has no DevEUI id (16 hex digits)`);
  return id.toUpperCase();
}
