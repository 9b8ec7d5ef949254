import { isMetricName } from '../../core/metrics.js';

/*
 * What a SenML record's resolved name (bn + n) says: which device, and which metric by
 * name, by LwM2M/IPSO object and resource, or (for an unknown name) by its unit.
 * Documented in testdata/README.md.
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
  CO2: 'co2',
});

export function metricFor(name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(NAME_TO_METRIC, name)) return NAME_TO_METRIC[name];
  return isMetricName(name) ? name : undefined;
}

/**
 * A record whose name is no metric, by its SenML unit (IANA SenML Units; kW, kWh and Wh
 * are RFC 8798 secondary units) — only units that name one metric. Not `%` or `/` (fill
 * level, battery, humidity ...?), `l` (water or fuel?), `ppm` (CO2 or another gas?), `V`, `A`.
 */
export const UNIT_TO_METRIC: Readonly<Record<string, string>> = Object.freeze({
  Cel: 'temperature',
  W: 'power',
  kW: 'power',
  Wh: 'energy_total',
  kWh: 'energy_total',
  m3: 'water_total',
  '%RH': 'humidity',
  '%EL': 'battery',
});

export function metricForUnit(unit: string | undefined): string | undefined {
  return unit !== undefined && Object.prototype.hasOwnProperty.call(UNIT_TO_METRIC, unit) ? UNIT_TO_METRIC[unit] : undefined;
}

export interface IpsoResource {
  metric: string;
  /** The unit the OMA LwM2M registry gives the resource; undefined = its object's Sensor Units (5701). */
  unit?: string;
  /** Used when neither the record, the pack's 5701 nor the registry gives a unit. */
  conventionalUnit?: string;
}

/** `object/resource` (OMA LwM2M registry, IPSO Smart Objects) → metric. */
export const IPSO_RESOURCES: ReadonlyMap<string, IpsoResource> = new Map<string, IpsoResource>([
  ['3/9', { metric: 'battery', unit: '%' }], // Device: Battery Level
  ['3303/5700', { metric: 'temperature', conventionalUnit: 'Cel' }], // Temperature: Sensor Value
  ['3304/5700', { metric: 'humidity', conventionalUnit: '%RH' }], // Humidity: Sensor Value
  ['3305/5800', { metric: 'power', unit: 'W' }], // Power Measurement: Instantaneous active power
  ['3305/5805', { metric: 'energy_total', unit: 'Wh' }], // Power Measurement: Cumulative active power
  ['3328/5700', { metric: 'power', conventionalUnit: 'W' }], // Power: Sensor Value
  ['3331/5700', { metric: 'energy_total' }], // Energy: Sensor Value (Wh or kWh: from 5701 or u)
  ['3424/1', { metric: 'water_total', unit: 'm3' }], // Water meter (uCIFI): Cumulated water volume
  ['3435/2', { metric: 'fill_level', unit: '/100' }], // Filling level: Actual filling percentage
]);

/** Sensor Units (a string resource of the IPSO sensor objects): the unit of 5700 in the same instance. */
export const SENSOR_UNITS_RESOURCE = 5701;

export interface IpsoPath {
  /** The resolved name before the path, without separators (the device, when not empty). */
  prefix: string;
  object: number;
  instance: number;
  resource: number;
  resourceInstance?: number;
}

// object/instance/resource, and a resource instance (`/3/0/6/0`) when the resource has several
const IPSO_PATH_RE = /^(.*?)\/?(\d{1,5})\/(\d{1,5})\/(\d{1,5})(?:\/(\d{1,5}))?$/;

/**
 * `…/3303/0/5700` (after an empty prefix, or one ending in `:` or `/`) → the path; the
 * shortest prefix wins, so `/3/0/6/0` is resource instance 0 of resource 6.
 */
export function ipsoPath(name: string): IpsoPath | undefined {
  const m = IPSO_PATH_RE.exec(name);
  if (!m) return undefined;
  const before = m[1]!;
  const slash = name.length > before.length && name[before.length] === '/';
  if (before !== '' && !slash && !/[:/]$/.test(before)) return undefined;
  const path: IpsoPath = { prefix: stripSeparators(before), object: Number(m[2]), instance: Number(m[3]), resource: Number(m[4]) };
  if (m[5] !== undefined) path.resourceInstance = Number(m[5]);
  return path;
}

/** `urn:dev:ow:10e2073a01080063:voltage` → the device URN (RFC 9039 `urn:dev:<type>:<id>`) and the rest. */
export function urnName(name: string): { device: string; local: string } | undefined {
  const m = /^(urn:dev:[a-z]+:[^:/]+)(?:[:/](.*))?$/i.exec(name);
  return m ? { device: m[1]!, local: m[2] ?? '' } : undefined;
}

export function stripSeparators(s: string): string {
  return s.replace(/[:/.]+$/, '');
}
