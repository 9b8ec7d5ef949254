import { KlimatpulsError } from '../core/errors.js';
import { METRICS, type CanonicalUnit } from '../core/metrics.js';
import { seededRandom } from '../core/random.js';
import { toCanonical } from '../core/units.js';

/**
 * A small demo city (Kalmar-like): apartment buildings with electricity and
 * district-heating meters, waste containers, bike counters and an outdoor
 * thermometer. `step(t)` gives each device's native-format message at time t;
 * the state (cumulative registers, fill levels) carries over between steps.
 */
export interface SimMessage {
  topic: string;
  payload: string;
}

interface DemoDevice {
  id: string;
  kind: 'electricity_meter' | 'heat_meter' | 'waste_fill' | 'bike_counter' | 'temperature' | 'vehicle' | 'fuel_meter' | 'ev_charger';
  state: number;
  /** Size against the demo's apartment buildings (the new preschool is small), or litres/kWh per working hour of a vehicle, tank or charger. */
  scale: number;
}

export const DEMO_TENANT = 'kalmar';

export function outdoorTemperature(t: Date): number {
  const day = (t.getTime() / 86_400_000) % 365.25;
  const seasonal = 7 - 10 * Math.cos(((day - 20) / 365.25) * 2 * Math.PI); // cold late January
  const hour = t.getUTCHours() + t.getUTCMinutes() / 60;
  return seasonal + 3 * Math.sin(((hour - 9) / 24) * 2 * Math.PI);
}

/** A canonical value of one demo device (the unit is the metric's, services/core/metrics.ts). */
export interface DemoValue {
  deviceId: string;
  metric: string;
  value: number;
  channel?: string;
}

interface WireValue {
  metric: string;
  value: number;
  unit?: string;
  channel?: string;
}

/** A demand level at time t per kind of use (1 = today's): the demo history's trend (more energy and waste in earlier years). */
export type DemoLevel = (t: Date, use: 'energy' | 'waste') => number;

export class DemoCity {
  private readonly rnd: () => number;
  private readonly devices: DemoDevice[];
  private last?: Date;

  constructor(
    seed = 2030,
    private readonly level: DemoLevel = () => 1,
  ) {
    this.rnd = seededRandom(seed);
    this.devices = demoDevices().map((d) => ({ id: d.id, kind: d.kind as DemoDevice['kind'], state: d.kind.endsWith('meter') || FLEET.has(d.kind) ? 10_000 + 1000 * this.rnd() : 20 * this.rnd(), scale: Number(d.params.demo_scale ?? 1) }));
  }

  /** The next step starts at t without advancing anything before it (a gap: the registers keep their values). */
  skipTo(t: Date): void {
    this.last = t;
  }

  /** Continues from stored values: registers in kWh (energy_total, heat_energy_total) and fill levels, by device id. */
  resume(values: ReadonlyArray<{ deviceId: string; metric: string; value: number }>): void {
    for (const v of values) {
      const d = this.devices.find((x) => x.id === v.deviceId);
      if (!d) continue;
      if ((d.kind === 'electricity_meter' && v.metric === 'energy_total') || (d.kind === 'heat_meter' && v.metric === 'heat_energy_total') || (d.kind === 'waste_fill' && v.metric === 'fill_level')) d.state = v.value;
    }
  }

  /** Each device's native-format message at time t (what the live simulator publishes). */
  step(t: Date): SimMessage[] {
    const time = t.toISOString();
    return this.advance(t).map(({ id, readings }) => ({ topic: `klimatpuls/${DEMO_TENANT}/${id}/up`, payload: JSON.stringify({ time, readings }) }));
  }

  /** The same step as canonical values (what the gateway stores from step's messages): the demo history's bulk path. */
  values(t: Date): DemoValue[] {
    const out: DemoValue[] = [];
    for (const { id, readings } of this.advance(t)) {
      for (const r of readings) {
        const unit = CANONICAL[r.metric];
        const value = r.unit === undefined || unit === undefined ? r.value : toCanonical(r.value, r.unit, unit);
        if (value === undefined) throw new KlimatpulsError('INVALID_INPUT', `demo city: ${r.metric} in ${r.unit} has no conversion`);
        out.push({ deviceId: id, metric: r.metric, value: value === 0 ? 0 : value /* -0 as JSON is 0 */, ...(r.channel ? { channel: r.channel } : {}) });
      }
    }
    return out;
  }

  private advance(t: Date): Array<{ id: string; readings: WireValue[] }> {
    const hours = this.last ? Math.max(0, (t.getTime() - this.last.getTime()) / 3_600_000) : 0;
    this.last = t;
    const temp = outdoorTemperature(t);
    const hour = t.getUTCHours() + 1; // roughly local time
    const energy = this.level(t, 'energy');
    const waste = this.level(t, 'waste');
    return this.devices.map((d) => {
      let readings: WireValue[];
      switch (d.kind) {
        case 'electricity_meter': {
          const kw = energy * d.scale * (8 + 6 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)) + 2 * this.rnd());
          d.state += kw * hours;
          readings = [{ metric: 'energy_total', value: round(d.state, 3), unit: 'kWh' }, { metric: 'power', value: round(kw * 1000, 0), unit: 'W' }];
          break;
        }
        case 'heat_meter': {
          const kw = energy * d.scale * (Math.max(2, 1.8 * (17 - temp)) + this.rnd());
          d.state += kw * hours;
          readings = [{ metric: 'heat_energy_total', value: round(d.state / 1000, 6), unit: 'MWh' }, { metric: 'flow_temperature', value: round(70 - temp, 1) }];
          break;
        }
        case 'waste_fill': {
          d.state += waste * hours * (1.2 + this.rnd());
          if (d.state > 80 + 15 * this.rnd()) d.state = 2 + 3 * this.rnd(); // emptied
          readings = [{ metric: 'fill_level', value: round(d.state, 1), unit: '%' }];
          break;
        }
        case 'bike_counter': {
          const rush = Math.exp(-((hour - 8) ** 2) / 2) + Math.exp(-((hour - 17) ** 2) / 3);
          const rate = (5 + 120 * rush) * (temp > 0 ? 1 : 0.5);
          readings = ['in', 'out'].map((channel) => ({ metric: 'count', value: Math.round(rate * hours * (0.8 + 0.4 * this.rnd())), channel }));
          break;
        }
        case 'temperature':
          readings = [{ metric: 'temperature', value: round(temp + this.rnd() * 0.4, 1), unit: '°C' }];
          break;
        case 'vehicle':
        case 'fuel_meter':
        case 'ev_charger': {
          // Refuelled or charged during working hours (06–18 local), not at night.
          const working = hour >= 6 && hour < 18 ? 1 : 0;
          d.state += hours * working * d.scale * (0.8 + 0.4 * this.rnd());
          readings = [d.kind === 'ev_charger' ? { metric: 'ev_charging_energy_total', value: round(d.state, 3), unit: 'kWh' } : { metric: 'fuel_volume_total', value: round(d.state, 3), unit: 'L' }];
          break;
        }
      }
      return { id: d.id, readings };
    });
  }
}

const FLEET = new Set(['vehicle', 'fuel_meter', 'ev_charger']);
const CANONICAL: Record<string, CanonicalUnit | undefined> = Object.fromEntries(Object.entries(METRICS).map(([m, d]) => [m, d.unit]));

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** The demo registry (also shipped as services/demo/registry.json). */
export function demoDevices() {
  const d: Array<{ id: string; tenant: string; kind: string; site: string; model: string; params: Record<string, string | number> }> = [];
  const buildings = ['norrgard', 'sodra-vallen', 'kvarnholmen', 'berga'];
  buildings.forEach((b, i) => {
    d.push({ id: `el-${b}`, tenant: DEMO_TENANT, kind: 'electricity_meter', site: b, model: 'han-p1', params: { atemp_m2: 2400 + 300 * i, building_year: 1965 + 10 * i } });
    d.push({ id: `heat-${b}`, tenant: DEMO_TENANT, kind: 'heat_meter', site: b, model: 'kamstrup-multical-603', params: { atemp_m2: 2400 + 300 * i } });
    d.push({ id: `waste-${b}`, tenant: DEMO_TENANT, kind: 'waste_fill', site: b, model: 'milesight-em500-udl', params: { volume_l: 660, mount_height_mm: 1100, households: 24 + 6 * i } });
  });
  ['tullbron', 'olandsleden'].forEach((p) =>
    d.push({ id: `bike-${p}`, tenant: DEMO_TENANT, kind: 'bike_counter', site: p, model: 'eco-counter-zelt', params: { counting_point: p, mode: 'bike' } }),
  );
  d.push({ id: 'temp-centrum', tenant: DEMO_TENANT, kind: 'temperature', site: 'centrum', model: 'generic', params: {} });
  // A new municipal preschool (built 2023) with its BBR limit: new_buildings_below_code, primary_energy_number.
  const preschool = { atemp_m2: 900, building_year: 2023, ep_limit: 70, fgeo: 0.9 };
  d.push({ id: 'el-forskolan-ny', tenant: DEMO_TENANT, kind: 'electricity_meter', site: 'forskolan-ny', model: 'han-p1', params: { ...preschool, demo_scale: 0.1 } });
  d.push({ id: 'heat-forskolan-ny', tenant: DEMO_TENANT, kind: 'heat_meter', site: 'forskolan-ny', model: 'kamstrup-multical-603', params: { ...preschool, demo_scale: 0.15 } });
  // The fleet (fleet_fossil_free_share): a diesel van, an HVO truck, the depot's charger; and the airport's jet fuel (30 % bio blend).
  d.push({ id: 'fordon-abc123', tenant: DEMO_TENANT, kind: 'vehicle', site: 'depa-norr', model: 'telematics', params: { fuel: 'diesel', demo_scale: 2 } });
  d.push({ id: 'fordon-hvo777', tenant: DEMO_TENANT, kind: 'vehicle', site: 'depa-norr', model: 'telematics', params: { fuel: 'hvo100', demo_scale: 5 } });
  d.push({ id: 'laddare-depa-norr', tenant: DEMO_TENANT, kind: 'ev_charger', site: 'depa-norr', model: 'ocpp', params: { demo_scale: 20 } });
  d.push({ id: 'flygbransle-kla', tenant: DEMO_TENANT, kind: 'fuel_meter', site: 'kalmar-oland-airport', model: 'generic', params: { fuel: 'jet_a1', bioShare: 0.3, demo_scale: 150 } });
  return d;
}
