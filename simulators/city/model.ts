import { distanceToFill } from '../../services/gateway/fillGeometry.js';
import type { SimDevice } from './devices.js';

/** What a device really measured: the ground truth, in canonical units. */
export interface TrueValue {
  metric: string;
  value: number;
  channel?: string;
}

/** What the device puts on the wire (before format encoding); may differ from the truth (distance vs fill). */
export interface WireValue {
  metric: string;
  value: number;
  unit: string;
  channel?: string;
}

export interface DeviceStep {
  wire: WireValue[];
  truth: TrueValue[];
}

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

/** Outdoor temperature of a Swedish coastal city: season, day cycle and weather. */
export function outdoorTemperature(t: Date, weather: number): number {
  const day = (t.getTime() / 86_400_000) % 365.25;
  const seasonal = 7 - 10 * Math.cos(((day - 20) / 365.25) * 2 * Math.PI);
  const hour = t.getUTCHours() + t.getUTCMinutes() / 60;
  return seasonal + 3 * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + weather;
}

/** Local (Swedish) hour and weekday, roughly: enough for daily and weekly rhythms. */
function localClock(t: Date): { hour: number; weekend: boolean } {
  const local = new Date(t.getTime() + 3_600_000);
  const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
  const wd = local.getUTCDay();
  return { hour, weekend: wd === 0 || wd === 6 };
}

/**
 * The physical state of one device and how it evolves. `step` advances to time t
 * (after `hours` since the previous step) and returns what the device sends and
 * what it truly measured.
 */
export class DeviceModel {
  private register = 0;
  private fill = 0;
  private daysSinceEmptied = 0;

  constructor(
    readonly device: SimDevice,
    private readonly rnd: () => number,
  ) {
    this.register = device.family.endsWith('meter') ? round(5_000 + 20_000 * rnd(), 3) : 0;
    this.fill = 30 * rnd();
  }

  /** Meter replacement: the register starts again near zero. */
  resetRegister(): void {
    this.register = 0;
  }

  step(t: Date, hours: number, weather: number): DeviceStep {
    const p = this.device.registry.params;
    const temp = outdoorTemperature(t, weather);
    const { hour, weekend } = localClock(t);
    switch (this.device.family) {
      case 'electricity_meter': {
        const occupancy = Number(p.occupancy ?? 0.8);
        const atemp = Number(p.atemp_m2 ?? 1000);
        const daily = 0.6 + 0.5 * Math.exp(-((hour - 8) ** 2) / 4) + 0.8 * Math.exp(-((hour - 19) ** 2) / 6);
        const kw = round((atemp / 100) * occupancy * daily * (1 + 0.1 * (this.rnd() - 0.5)) * (temp < 0 ? 1.15 : 1), 3);
        this.register = round(this.register + kw * hours, 3);
        return { wire: [{ metric: 'energy_total', value: this.register, unit: 'kWh' }, { metric: 'power', value: kw, unit: 'kW' }], truth: [{ metric: 'energy_total', value: this.register }, { metric: 'power', value: kw }] };
      }
      case 'heat_meter': {
        const atemp = Number(p.atemp_m2 ?? 1200);
        const degreeHours = Math.max(0, 17 - temp);
        const kw = (atemp / 1000) * (1.5 + 1.4 * degreeHours) * (0.9 + 0.2 * this.rnd());
        this.register = round(this.register + kw * hours, 3);
        const flow = round(Math.min(95, 55 + 1.2 * degreeHours), 1);
        return { wire: [{ metric: 'heat_energy_total', value: this.register, unit: 'kWh' }, { metric: 'flow_temperature', value: flow, unit: '°C' }], truth: [{ metric: 'heat_energy_total', value: this.register }, { metric: 'flow_temperature', value: flow }] };
      }
      case 'waste_fill': {
        const households = Number(p.households ?? 15);
        const volume = Number(p.volume_l ?? 660);
        // ~1.6 L of waste per household and day, more at weekends
        this.fill += ((households * 1.6 * (weekend ? 1.3 : 1) * hours) / 24 / volume) * 100 * (0.7 + 0.6 * this.rnd());
        this.daysSinceEmptied += hours / 24;
        const interval = Number(p.emptying_interval_days ?? 7);
        // Emptied on schedule (sometimes too early: wasted trips) or when overflowing.
        if ((this.daysSinceEmptied >= interval && hour >= 7 && hour < 8) || this.fill > 110) {
          this.fill = 1 + 2 * this.rnd();
          this.daysSinceEmptied = 0;
        }
        const mount = Number(p.mount_height_mm);
        const full = Number(p.full_distance_mm ?? 0);
        const distance = Math.max(0, Math.round(mount - (Math.min(this.fill, 120) / 100) * (mount - full)));
        const derived = distanceToFill({ deviceRef: '', metric: 'distance', value: distance, unit: 'mm', field: '' }, p);
        const truth = derived.ok ? derived.values.map((v) => ({ metric: v.metric, value: v.value })) : [];
        return { wire: [{ metric: 'distance', value: distance, unit: 'mm' }], truth };
      }
      case 'bike_counter':
      case 'vehicle_counter': {
        const base = Number(p.base_per_hour ?? 30);
        const bikes = this.device.family === 'bike_counter';
        const rush = weekend ? 0.6 * Math.exp(-((hour - 13) ** 2) / 8) : Math.exp(-((hour - 8) ** 2) / 1.5) + 0.9 * Math.exp(-((hour - 17) ** 2) / 2);
        const night = hour < 5 || hour > 22 ? 0.1 : 1;
        const weatherFactor = bikes ? Math.max(0.15, Math.min(1.2, 0.5 + temp / 20)) * (weather < -2 ? 0.6 : 1) : 1;
        const mean = base * (0.3 + 2.5 * rush) * night * weatherFactor * hours;
        const values = ['in', 'out'].map((channel, i) => ({ channel, value: Math.max(0, Math.round(mean * (i === 0 ? 1.05 : 0.95) * (0.8 + 0.4 * this.rnd()))) }));
        return { wire: values.map((v) => ({ metric: 'count', value: v.value, unit: 'count', channel: v.channel })), truth: values.map((v) => ({ metric: 'count', value: v.value, channel: v.channel })) };
      }
      case 'temperature': {
        const v = round(temp, 1);
        return { wire: [{ metric: 'temperature', value: v, unit: '°C' }], truth: [{ metric: 'temperature', value: v }] };
      }
    }
  }
}
