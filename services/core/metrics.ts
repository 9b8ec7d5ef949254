/**
 * The catalogue of canonical metrics: each has one canonical unit and the rules a
 * plausible value follows. Decoders may produce any known source unit; the
 * normalizer converts to the canonical one (see units.ts).
 */
export const CANONICAL_UNITS = ['kWh', 'kW', 'L', 'm³', '%', 'count', '°C', 'ppm', 'kg'] as const;
export type CanonicalUnit = (typeof CANONICAL_UNITS)[number];

export interface MetricSpec {
  unit: CanonicalUnit;
  /** A cumulative register (meter reading) rather than a value per interval. */
  cumulative: boolean;
  min: number;
  max: number;
  integer?: boolean;
  /** The device kinds that may report the metric (any kind when absent); the normalizer refuses it from others. */
  kinds?: readonly SensorKind[];
  description: string;
}

export const METRICS = {
  energy_total: { unit: 'kWh', cumulative: true, min: 0, max: 1e10, description: 'energy register (import), cumulative' },
  energy_export_total: { unit: 'kWh', cumulative: true, min: 0, max: 1e10, description: 'energy register (export), cumulative' },
  heat_energy_total: { unit: 'kWh', cumulative: true, min: 0, max: 1e10, description: 'district-heating energy register, cumulative' },
  power: { unit: 'kW', cumulative: false, min: -1e5, max: 1e5, description: 'active power (negative = export)' },
  water_total: { unit: 'L', cumulative: true, min: 0, max: 1e12, description: 'water volume register, cumulative' },
  fill_level: { unit: '%', cumulative: false, min: 0, max: 150, description: 'container fill level (>100 % = overfull)' },
  fill_volume: { unit: 'L', cumulative: false, min: 0, max: 1e6, description: 'waste volume in the container' },
  count: { unit: 'count', cumulative: false, min: 0, max: 1e6, integer: true, description: 'passages counted in the interval' },
  temperature: { unit: '°C', cumulative: false, min: -60, max: 70, description: 'air temperature' },
  flow_temperature: { unit: '°C', cumulative: false, min: 0, max: 125, description: 'district-heating flow temperature' },
  battery: { unit: '%', cumulative: false, min: 0, max: 100, description: 'device battery level' },
  // Added for the contracts of issue 16 (gas, district cooling, EV charging, fuel, indoor climate).
  // Gas: the kind of gas (natural gas, biogas) is the device's (registry params.gas), not the metric's.
  // `kinds`: a gas register from a device registered as an electricity meter is refused, not stored.
  gas_energy_total: { unit: 'kWh', cumulative: true, min: 0, max: 1e10, kinds: ['gas_meter'], description: 'gas energy register (natural gas or biogas), cumulative' },
  gas_volume_total: { unit: 'm³', cumulative: true, min: 0, max: 1e9, kinds: ['gas_meter'], description: 'gas volume register (natural gas or biogas), cumulative' },
  cooling_energy_total: { unit: 'kWh', cumulative: true, min: 0, max: 1e10, kinds: ['cooling_meter'], description: 'district-cooling energy register, cumulative' },
  ev_charging_energy_total: { unit: 'kWh', cumulative: true, min: 0, max: 1e9, kinds: ['ev_charger', 'vehicle'], description: 'energy delivered by an EV charger (register), cumulative' },
  fuel_volume_total: { unit: 'L', cumulative: true, min: 0, max: 1e10, kinds: ['fuel_meter', 'vehicle'], description: 'fuel volume register (diesel, HVO, petrol ...), cumulative' },
  indoor_temperature: { unit: '°C', cumulative: false, min: -30, max: 60, kinds: ['indoor_climate', 'temperature'], description: 'indoor air temperature' },
  humidity: { unit: '%', cumulative: false, min: 0, max: 100, kinds: ['indoor_climate', 'temperature'], description: 'relative humidity' },
  co2: { unit: 'ppm', cumulative: false, min: 0, max: 40000, kinds: ['indoor_climate', 'temperature'], description: 'CO2 concentration in the air' },
  // The waste contractor's weights (klimatpuls import, services/import): the amount of the
  // interval that starts at the reading's time; channel = the fraction.
  waste_weight: { unit: 'kg', cumulative: false, min: 0, max: 1e8, kinds: ['waste_collection'], description: 'waste collected in the interval (the contractor\'s weights; channel = fraction)' },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as [MetricName, ...MetricName[]];

export function isMetricName(s: string): s is MetricName {
  return Object.prototype.hasOwnProperty.call(METRICS, s);
}

export const SENSOR_KINDS = [
  'electricity_meter',
  'heat_meter',
  'water_meter',
  'waste_fill',
  'bike_counter',
  'pedestrian_counter',
  'vehicle_counter',
  'temperature',
  'solar',
  'gas_meter',
  'cooling_meter',
  'ev_charger',
  'fuel_meter',
  'indoor_climate',
  // records of a vehicle of the fleet (fuel_volume_total, ev_charging_energy_total from its
  // fuel and charging records) and of a waste collection point (waste_weight)
  'vehicle',
  'waste_collection',
] as const;
export type SensorKind = (typeof SENSOR_KINDS)[number];
