import type { Device } from '../../services/registry/deviceRegistry.js';
import type { Scenario } from './scenario.js';

export type Family = keyof Scenario['formats'];

export interface SimDevice {
  registry: Device;
  family: Family;
  format: string;
  /** Index within its family: names, phases and sizes derive from it. */
  n: number;
}

/** Picks a format by weight, deterministically from `u` in [0, 1). */
export function pickFormat(weights: Record<string, number>, u: number): string {
  const entries = Object.entries(weights).filter(([, w]) => w > 0).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = u * total;
  for (const [name, w] of entries) {
    if ((x -= w) < 0) return name;
  }
  return entries[entries.length - 1]![0];
}

/**
 * The city's devices and their registry entries. Ids look like the real ones of
 * each format: DevEUIs for LoRaWAN, 8-digit meter ids for wM-Bus, names otherwise.
 */
export function cityDevices(s: Scenario, rnd: () => number): SimDevice[] {
  const out: SimDevice[] = [];
  const t = s.tenant;
  const add = (family: Family, kind: Device['kind'], count: number, make: (n: number, format: string) => Omit<Device, 'tenant' | 'kind'>) => {
    for (let n = 0; n < count; n++) {
      const format = pickFormat(s.formats[family], rnd());
      out.push({ family, format, n, registry: { tenant: t, kind, ...make(n, format) } as Device });
    }
  };
  const hex = (prefix: number, n: number) => `${prefix.toString(16).padStart(8, '0')}${(0x100000 + n).toString(16).padStart(8, '0')}`.toUpperCase();
  const meterId = (base: number, n: number) => String(base + n).padStart(8, '0');
  const idFor = (format: string, family: string, n: number, base: number) =>
    format === 'wmbusmeters' || format === 'han-p1' ? meterId(base, n) : format.startsWith('ttn') || format.startsWith('chirpstack') ? hex(base, n) : `${s.tenant}-${family}-${n}`;

  add('electricity_meter', 'electricity_meter', s.devices.electricityMeters, (n, f) => ({
    id: idFor(f, 'el', n, 71_000_000),
    site: `building-${Math.floor(n / 2)}`,
    model: f === 'han-p1' ? 'han-p1' : f === 'wmbusmeters' ? 'kamstrup-omnipower' : 'generic-electricity',
    // Every eighth building is new (built 2021) with BBR 29's limit for apartment buildings (EPpet 75 kWh/m²): new_buildings_below_code.
    params: { atemp_m2: 800 + 150 * (n % 11), building_year: n % 8 === 5 ? 2021 : 1950 + (n * 7) % 70, ...(n % 8 === 5 ? { ep_limit: 75 } : {}), occupancy: 0.6 + 0.4 * rnd() },
  }));
  add('heat_meter', 'heat_meter', s.devices.heatMeters, (n, f) => ({
    id: idFor(f, 'heat', n, 72_000_000),
    site: `building-${n}`,
    model: f === 'wmbusmeters' ? 'kamstrup-multical-603' : 'generic-heat',
    params: { atemp_m2: 1200 + 200 * (n % 9) },
  }));
  add('waste_fill', 'waste_fill', s.devices.wasteContainers, (n, f) => ({
    id: idFor(f, 'waste', n, 0x24e124),
    site: `bin-room-${Math.floor(n / 3)}`,
    model: f.startsWith('ttn') || f.startsWith('chirpstack') ? 'milesight-em500-udl' : 'generic-fill',
    params: { volume_l: 660, mount_height_mm: 1200, full_distance_mm: 200, households: 10 + (n % 20), emptying_interval_days: 7 },
  }));
  for (let n = 0; n < s.devices.countingPoints; n++) {
    const fb = pickFormat(s.formats.bike_counter, rnd());
    out.push({ family: 'bike_counter', format: fb, n, registry: { tenant: t, kind: 'bike_counter', id: idFor(fb, 'bike', n, 0x70b3d5), site: `point-${n}`, model: 'generic-counter', params: { counting_point: `point-${n}`, mode: 'bike', base_per_hour: 20 + (n % 7) * 15 } } });
    if (rnd() < s.devices.carCounterShare) {
      const fv = pickFormat(s.formats.vehicle_counter, rnd());
      out.push({ family: 'vehicle_counter', format: fv, n, registry: { tenant: t, kind: 'vehicle_counter', id: idFor(fv, 'car', n, 0x70b3d6), site: `point-${n}`, model: 'generic-counter', params: { counting_point: `point-${n}`, mode: 'vehicle', base_per_hour: 60 + (n % 5) * 40 } } });
    }
  }
  add('temperature', 'temperature', s.devices.temperatureSensors, (n, f) => ({ id: idFor(f, 'temp', n, 73_000_000), site: `weather-${n}`, model: 'generic-thermometer', params: {} }));
  return out;
}
