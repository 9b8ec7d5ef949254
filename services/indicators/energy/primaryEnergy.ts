import type { MetricName, SensorKind } from '../../core/metrics.js';
import type { Device } from '../../registry/deviceRegistry.js';
import { periodOf, type Period } from '../periods.js';
import type { Indicator, IndicatorContext, IndicatorValue } from '../types.js';
import { ALL, byEntity, carrierOf, entityOf, loadRegisters, makeValue, mean, numParam } from './common.js';

/**
 * primary_energy_number — the building code's primary energy number EPpet
 * (kWh/m² Atemp and year) per building, from measured energy:
 *
 *   EPpet = Σ_carrier (E_heating / F_geo + E_other) × VF_carrier / Atemp
 *
 * Weighting factors VF (viktningsfaktorer) of Boverket's building code BBR
 * section 9:2 (BFS 2011:6 as amended by BFS 2020:4, BBR 29): electricity 1.8,
 * district heating 0.7, district cooling 0.6, biofuels 0.6 (biogas too), fossil
 * oil 1.8, fossil gas 1.8; a city may set others (settings.primaryEnergyFactors).
 * Carriers: electricity meters → electricity; heat meters → params.carrier
 * (default district_heating; biofuel for a pellet boiler, oil); cooling meters →
 * district_cooling; gas meters → biofuel when params.gas is biogas, else fossil_gas.
 * F_geo (BBR's geographic adjustment factor of the municipality) is the building's
 * params.fgeo (default 1) and divides the heat and gas energy.
 *
 * The year: a year period is itself; a quarter is the 4 quarters ending with it
 * (rolling year, so the quarterly report can follow a yearly figure). Not computed
 * for months: 12 month loads per value would cost the scheduler more than it tells.
 * Atemp: params.atemp_m2 (the largest among the building's devices); the limit
 * BBR set for the building when it was built: params.ep_limit (kWh/m² year).
 *
 * Differences from BBR's verification (noted, not corrected): measured energy is
 * not corrected to a normal year, and meters measure all electricity, including
 * the occupants' (BBR counts only the property's), unless the building's meters
 * measure property electricity only. Heat meters include tap water, which BBR
 * does not divide by F_geo.
 *
 * details: atemp_m2, ep_limit, margin_pct = (1 − EPpet / limit) × 100, weighted_kwh,
 * kwh_<carrier>, new_building (1/0), from/to (the year's first and last period).
 * '*' = Σ weighted kWh / Σ Atemp over buildings with Atemp (aggregate 'none').
 */
export const PRIMARY_ENERGY_ID = 'primary_energy_number';

/** BBR 9:2 viktningsfaktorer (BBR 29, BFS 2020:4). */
export const BBR_WEIGHTING_FACTORS: Readonly<Record<string, number>> = {
  electricity: 1.8,
  district_heating: 0.7,
  district_cooling: 0.6,
  biofuel: 0.6,
  fossil_oil: 1.8,
  oil: 1.8,
  fossil_gas: 1.8,
};

const KINDS: SensorKind[] = ['electricity_meter', 'heat_meter', 'cooling_meter', 'gas_meter'];
const METRIC: Record<string, MetricName> = { electricity_meter: 'energy_total', heat_meter: 'heat_energy_total', cooling_meter: 'cooling_energy_total', gas_meter: 'gas_energy_total' };

function carrier(d: Device): string {
  if (d.kind === 'cooling_meter') return 'district_cooling';
  if (d.kind === 'gas_meter') return String(d.params?.gas ?? '').toLowerCase() === 'biogas' ? 'biofuel' : 'fossil_gas';
  return carrierOf(d);
}

/** The 12 months ending with p, as periods of p's kind (one year, four quarters or twelve months). */
export function rollingYear(p: Period): Period[] {
  const n = p.kind === 'year' ? 1 : p.kind === 'quarter' ? 4 : 12;
  const out = [p];
  while (out.length < n) out.unshift(periodOf(p.kind, out[0]!.start - 1));
  return out;
}

/** New building: params.new_building true, or params.building_year (or built_year) at or after settings.newBuildingsFrom (default 2019). */
export function isNewBuilding(devices: Device[], from: number): boolean {
  return devices.some((d) => d.params?.new_building === true || d.params?.new_building === 'true' || (numParam(d, 'building_year') ?? numParam(d, 'built_year') ?? 0) >= from);
}

interface Building {
  devices: Device[];
  weighted: number;
  byCarrier: Map<string, number>;
  coverages: number[];
}

export async function primaryEnergyValues(ctx: IndicatorContext): Promise<IndicatorValue[]> {
  const factors = { ...BBR_WEIGHTING_FACTORS, ...ctx.settings.primaryEnergyFactors };
  const meters = ctx.devices.filter((d) => d.tenant === ctx.tenant && KINDS.includes(d.kind)).sort((a, b) => (a.id < b.id ? -1 : 1));
  const buildings = new Map<string, Building>();
  for (const d of ctx.devices.filter((x) => x.tenant === ctx.tenant)) {
    const b: Building = buildings.get(entityOf(d)) ?? { devices: [], weighted: 0, byCarrier: new Map(), coverages: [] };
    b.devices.push(d);
    buildings.set(entityOf(d), b);
  }
  const year = rollingYear(ctx.period);
  const sets = await Promise.all(year.map((p) => loadRegisters(ctx, Object.values(METRIC), KINDS, p)));
  for (const d of meters) {
    const b = buildings.get(entityOf(d))!;
    const fgeo = Math.max(...b.devices.map((x) => numParam(x, 'fgeo') ?? 0)) || 1;
    const c = carrier(d);
    const heating = d.kind === 'heat_meter' || d.kind === 'gas_meter';
    let kwh = 0;
    const covs: number[] = [];
    for (const set of sets) {
      const r = set.get(d, METRIC[d.kind]!);
      kwh += r.kwh;
      covs.push(r.coverage);
    }
    b.byCarrier.set(c, (b.byCarrier.get(c) ?? 0) + kwh);
    b.weighted += ((heating ? kwh / fgeo : kwh) * (factors[c] ?? factors.electricity!));
    b.coverages.push(mean(covs));
  }

  const newFrom = ctx.settings.newBuildingsFrom ?? 2019;
  const out: IndicatorValue[] = [];
  let weighted = 0;
  let area = 0;
  const covs: number[] = [];
  const window = { from: year[0]!.label, to: year[year.length - 1]!.label };
  for (const [entity, b] of buildings) {
    if (b.coverages.length === 0) continue;
    const atemp = Math.max(0, ...b.devices.map((d) => numParam(d, 'atemp_m2') ?? 0));
    if (atemp <= 0) continue;
    const ep = b.weighted / atemp;
    const limit = Math.max(0, ...b.devices.map((d) => numParam(d, 'ep_limit') ?? 0));
    const details: Record<string, number | string> = { atemp_m2: atemp, weighted_kwh: b.weighted, new_building: isNewBuilding(b.devices, newFrom) ? 1 : 0, ...window };
    for (const [c, kwh] of [...b.byCarrier].sort()) details[`kwh_${c}`] = kwh;
    if (limit > 0) Object.assign(details, { ep_limit: limit, margin_pct: (1 - ep / limit) * 100 });
    out.push(makeValue(ctx, { indicator: PRIMARY_ENERGY_ID, unit: 'kWh/m²/year', entity, value: ep, coverage: mean(b.coverages), details }));
    weighted += b.weighted;
    area += atemp;
    covs.push(mean(b.coverages));
  }
  const details: Record<string, number | string> = { weighted_kwh: weighted, atemp_m2: area, buildings: out.length, ...window };
  if (area === 0) details.note = 'no building with meters and params.atemp_m2';
  out.push(makeValue(ctx, { indicator: PRIMARY_ENERGY_ID, unit: 'kWh/m²/year', entity: ALL, value: area > 0 ? weighted / area : 0, coverage: mean(covs), details, insufficient: area === 0 }));
  return out.sort(byEntity);
}

export const primaryEnergy: Indicator = {
  id: PRIMARY_ENERGY_ID,
  name: { sv: 'Primärenergital (EPpet)', en: 'Primary energy number (EPpet)' },
  description: {
    sv: 'Byggnadens primärenergital enligt BBR 9:2: uppmätt energi per energibärare × viktningsfaktor (el 1,8, fjärrvärme 0,7, fjärrkyla 0,6, biobränsle 0,6) per m² Atemp under de senaste tolv månaderna, jämfört med byggnadens krav.',
    en: 'The building’s primary energy number as in the building code BBR 9:2: measured energy per carrier × weighting factor (electricity 1.8, district heating 0.7, district cooling 0.6, biofuel 0.6) per m² Atemp over the last twelve months, against the building’s requirement.',
  },
  unit: 'kWh/m²/year',
  needs: { metrics: Object.values(METRIC), kinds: KINDS },
  periods: ['quarter', 'year'],
  aggregate: 'none',
  better: 'lower',
  compute: primaryEnergyValues,
};
