/**
 * Messages for bench/gatewayCpu.ts, with the registry that knows their devices:
 *   native   what the bench publisher sends (bench/agents.ts nativeMessage): one
 *            energy_total reading per message, epoch-ms time, 1000 devices
 *   mixed    a pool of city-simulator messages in every format (native, TTN v3,
 *            ChirpStack v3/v4, wmbusmeters, HAN P1, SenML, Tasmota), played in a loop
 */
import type { Device } from '../services/registry/deviceRegistry.js';
import { cityDevices, type SimDevice } from '../simulators/city/devices.js';
import { DeviceModel } from '../simulators/city/model.js';
import { scenarioSchema } from '../simulators/city/scenario.js';
import { ALL_FAMILIES } from '../simulators/encoders/common.js';
import { encoders, supports } from '../simulators/encoders/index.js';
import { seededRandom } from '../services/core/random.js';
import { nativeMessage } from './agents.js';

export interface BenchMessage {
  topic: string;
  payload: Buffer;
}

export const TENANT = 'bench';
const DEVICES = 1000;
const BASE_TIME = Date.now() - 30 * 86_400_000;

/** The registry of bench/run.ts: dev-0 … dev-999 on site-i, and three latency probes. */
export function nativeDevices(): Device[] {
  return [
    ...Array.from({ length: DEVICES }, (_, i): Device => ({ id: `dev-${i}`, tenant: TENANT, kind: 'electricity_meter', site: `site-${i}`, params: {} })),
    ...Array.from({ length: 3 }, (_, i): Device => ({ id: `probe-${i}`, tenant: TENANT, kind: 'electricity_meter', site: 'probe', params: {} })),
  ];
}

/** `count` publisher messages from sequence number `from` on (every 1000th a probe, as in bench/run.ts). */
export function nativeMessages(from: number, count: number): BenchMessage[] {
  const c = { tenant: TENANT, devices: DEVICES, baseTime: BASE_TIME, probeEvery: 1000 };
  return Array.from({ length: count }, (_, i) => {
    const m = nativeMessage(c, from + i);
    return { topic: m.topic, payload: Buffer.from(m.payload) };
  });
}

/** City devices in every format that can carry their family, and `steps` hourly messages of each. */
export function mixedMessages(steps = 24): { devices: Device[]; messages: BenchMessage[] } {
  const formats = Object.keys(encoders);
  const mix = Object.fromEntries(ALL_FAMILIES.map((fam) => [fam, Object.fromEntries(formats.filter((f) => supports(f, fam)).map((f) => [f, 1]))]));
  const s = scenarioSchema.parse({
    name: 'gateway-cpu',
    seed: 4711,
    tenant: `${TENANT}-city`,
    start: '2025-03-01T00:00:00Z',
    days: 1,
    devices: { electricityMeters: 40, heatMeters: 16, wasteContainers: 12, countingPoints: 8, carCounterShare: 0.5, temperatureSensors: 8 },
    formats: mix,
  });
  const sim: SimDevice[] = cityDevices(s, seededRandom(s.seed));
  const models = sim.map((d) => new DeviceModel(d, seededRandom(d.n + 1)));
  const messages: BenchMessage[] = [];
  const start = Date.parse(s.start);
  for (let step = 1; step <= steps; step++) {
    const t = new Date(start + step * 3_600_000);
    for (const m of models) {
      const { wire } = m.step(t, 1, 0);
      const ctx = { observedAt: t, deviceTime: t, frameCounter: step, copy: 0 };
      messages.push(encoders[m.device.format]!.encode(m.device, wire, ctx));
    }
  }
  return { devices: sim.map((d) => d.registry), messages };
}
