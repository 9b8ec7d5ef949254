import type { CanonicalUnit } from './metrics.js';

/**
 * Source units a decoder may report, with the factor to a canonical unit.
 * Hand-written instead of a units library (convert-units, mathjs): the set is
 * small and fixed by what meters send, and we want an explicit allow-list so an
 * unknown unit is a clear rejection, not a guess.
 */
const CONVERSIONS: Record<string, { to: CanonicalUnit; factor: number }> = {
  kWh: { to: 'kWh', factor: 1 },
  Wh: { to: 'kWh', factor: 1e-3 },
  MWh: { to: 'kWh', factor: 1e3 },
  MJ: { to: 'kWh', factor: 1 / 3.6 },
  GJ: { to: 'kWh', factor: 1e3 / 3.6 },
  kW: { to: 'kW', factor: 1 },
  W: { to: 'kW', factor: 1e-3 },
  MW: { to: 'kW', factor: 1e3 },
  L: { to: 'L', factor: 1 },
  l: { to: 'L', factor: 1 },
  m3: { to: 'L', factor: 1e3 },
  'm³': { to: 'L', factor: 1e3 },
  // biogas and other gases are sold by the normal cubic metre
  Nm3: { to: 'L', factor: 1e3 },
  'Nm³': { to: 'L', factor: 1e3 },
  kg: { to: 'kg', factor: 1 },
  t: { to: 'kg', factor: 1e3 },
  ton: { to: 'kg', factor: 1e3 },
  '%': { to: '%', factor: 1 },
  count: { to: 'count', factor: 1 },
  '°C': { to: '°C', factor: 1 },
  C: { to: '°C', factor: 1 },
  Cel: { to: '°C', factor: 1 },
  '%RH': { to: '%', factor: 1 },
  ppm: { to: 'ppm', factor: 1 },
};

/**
 * Canonical units that are a multiple of another one of the same dimension: a volume
 * in m³ (gas) is read from any volume unit (m3, l, L ...), at this factor to L.
 */
const SCALED_CANONICAL: Partial<Record<CanonicalUnit, { base: CanonicalUnit; factor: number }>> = {
  'm³': { base: 'L', factor: 1e3 },
};

export const SOURCE_UNITS = Object.keys(CONVERSIONS);

/** Converts `value` in `unit` to `target`, or returns undefined when it cannot. */
export function toCanonical(value: number, unit: string, target: CanonicalUnit): number | undefined {
  const c = Object.prototype.hasOwnProperty.call(CONVERSIONS, unit) ? CONVERSIONS[unit] : undefined;
  if (!c) return undefined;
  let factor: number;
  if (c.to === target) {
    factor = c.factor;
  } else {
    const scaled = SCALED_CANONICAL[target];
    if (!scaled || scaled.base !== c.to) return undefined;
    factor = c.factor / scaled.factor;
  }
  // Round away binary noise from the factor (0.001 * 1234 = 1.2340000000000002).
  return factor === 1 ? value : Number((value * factor).toPrecision(15));
}
