import type { MetricName } from '../../core/metrics.js';
import type { Device } from '../../registry/deviceRegistry.js';

/**
 * Fuels of the vehicle fleet, the airport and the depots' tanks: energy per unit
 * and the fossil-free share of that energy.
 *
 * Energy content: typical lower heating values per litre at 15 °C as Swedish
 * statistics use them (Energimyndigheten's conversion table, JEC well-to-wheels
 * tables for HVO and jet fuel); they differ between sources by a few per cent, so
 * a city can set its own (settings.fuels). Biogas (fordonsgas) is metered as gas
 * volume at normal conditions: fuel_volume_total in normal litres (Nm³ × 1000,
 * the gateway converts), 9.7 kWh/Nm³ (97 % methane).
 *
 *   fuel          kWh per unit   fossil-free share
 *   diesel        9.80 / L       0     (MK1; the bio blend of pump diesel under the
 *   petrol        9.06 / L       0      reduktionsplikt is not counted: set it in settings)
 *   hvo100        9.44 / L       1     (hydrotreated vegetable oil)
 *   rme           9.17 / L       1     (FAME, B100)
 *   e85           6.36 / L       0.85  (85 % ethanol by volume, the rest petrol)
 *   ed95          5.90 / L       0.95
 *   biogas        0.0097 / NL    1
 *   electricity   1 / kWh        1     (charging energy)
 *   jet_a1        9.60 / L       0     (aviation)
 *   saf           9.30 / L       1     (HEFA-SPK, aviation)
 *
 * A device's params.bioShare (0..1) overrides the fossil-free share of its fuel:
 * the airport's blended jet fuel (30 % bio in 2021), a tank of pump diesel.
 */
export interface Fuel {
  kwhPerUnit: number;
  fossilFreeShare: number;
  aviation: boolean;
}

export const FUELS: Readonly<Record<string, Fuel>> = {
  diesel: { kwhPerUnit: 9.8, fossilFreeShare: 0, aviation: false },
  petrol: { kwhPerUnit: 9.06, fossilFreeShare: 0, aviation: false },
  hvo100: { kwhPerUnit: 9.44, fossilFreeShare: 1, aviation: false },
  rme: { kwhPerUnit: 9.17, fossilFreeShare: 1, aviation: false },
  e85: { kwhPerUnit: 6.36, fossilFreeShare: 0.85, aviation: false },
  ed95: { kwhPerUnit: 5.9, fossilFreeShare: 0.95, aviation: false },
  biogas: { kwhPerUnit: 0.0097, fossilFreeShare: 1, aviation: false },
  electricity: { kwhPerUnit: 1, fossilFreeShare: 1, aviation: false },
  jet_a1: { kwhPerUnit: 9.6, fossilFreeShare: 0, aviation: true },
  saf: { kwhPerUnit: 9.3, fossilFreeShare: 1, aviation: true },
};

/** Names fuel records and registries use for the fuels above (Swedish and English, lower-case). */
const ALIASES: Readonly<Record<string, string>> = {
  mk1: 'diesel', diesel_mk1: 'diesel',
  bensin: 'petrol', gasoline: 'petrol',
  hvo: 'hvo100', hvo_100: 'hvo100',
  fame: 'rme', b100: 'rme',
  etanol: 'ed95', ethanol: 'ed95',
  fordonsgas: 'biogas', cbg: 'biogas', lbg: 'biogas',
  el: 'electricity', electric: 'electricity',
  jet: 'jet_a1', jeta1: 'jet_a1', 'jet-a1': 'jet_a1', flygfotogen: 'jet_a1',
  hefa: 'saf', biojet: 'saf',
};

export type FuelOverrides = Record<string, Partial<Pick<Fuel, 'kwhPerUnit' | 'fossilFreeShare'>>>;

/** A fuel name as the table knows it, or undefined. */
export function fuelId(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const n = name.trim().toLowerCase().replace(/\s+/g, '_');
  const id = ALIASES[n] ?? n;
  return Object.prototype.hasOwnProperty.call(FUELS, id) ? id : undefined;
}

/**
 * The fuel of a series: charging energy is electricity; a fuel volume's fuel is
 * the series' channel (imported records: `Drivmedel` → channel) when it names a
 * fuel, else the device's params.fuel (telematics, a depot's tank meter).
 */
export function fuelOf(device: Device, metric: MetricName, channel?: string): string | undefined {
  if (metric === 'ev_charging_energy_total') return 'electricity';
  const param = device.params?.fuel;
  return fuelId(channel) ?? fuelId(typeof param === 'string' ? param : undefined);
}

/** Energy per unit and fossil-free share of a fuel for a device (params.bioShare, then the city's overrides, then the table). */
export function fuelFactors(id: string, device: Device, overrides: FuelOverrides = {}): Fuel {
  const f = { ...FUELS[id]!, ...overrides[id] };
  const bio = device.params?.bioShare;
  const share = typeof bio === 'number' ? bio : typeof bio === 'string' && bio.trim() !== '' ? Number(bio) : NaN;
  return Number.isFinite(share) && share >= 0 && share <= 1 ? { ...f, fossilFreeShare: share } : f;
}
