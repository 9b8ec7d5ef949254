import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { KlimatpulsError } from '../../services/core/errors.js';

const rate = z.number().min(0).max(1);
const mix = z.record(z.string(), z.number().min(0)).refine((m) => Object.values(m).some((w) => w > 0), 'at least one format with weight > 0');

/**
 * A simulated city: how many devices of each family, for how long, which payload
 * formats they publish in (weights), and which faults to inject (rates per message
 * or per device). Deterministic for a seed.
 */
export const scenarioSchema = z.object({
  name: z.string().min(1),
  seed: z.number().int(),
  tenant: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  start: z.iso.datetime(),
  days: z.number().positive().max(3660),
  /** Simulated minutes between two readings of a device. */
  stepMinutes: z.number().int().min(1).max(1440).default(60),
  devices: z.object({
    electricityMeters: z.number().int().min(0),
    heatMeters: z.number().int().min(0),
    wasteContainers: z.number().int().min(0),
    countingPoints: z.number().int().min(0),
    /** Also count motor vehicles at this share of the counting points. */
    carCounterShare: rate.default(0.5),
    temperatureSensors: z.number().int().min(0).default(1),
  }),
  formats: z.object({
    electricity_meter: mix.default({ native: 1 }),
    heat_meter: mix.default({ native: 1 }),
    waste_fill: mix.default({ native: 1 }),
    bike_counter: mix.default({ native: 1 }),
    vehicle_counter: mix.default({ native: 1 }),
    temperature: mix.default({ native: 1 }),
  }),
  faults: z
    .object({
      /** Share of messages published twice. */
      duplicate: rate.default(0),
      /** Share of messages swapped with the next one of the same step. */
      outOfOrder: rate.default(0),
      /** Share of devices whose messages of one day arrive in one late batch the day after. */
      lateBatch: rate.default(0),
      /** Share of meters replaced once during the run (register restarts at 0). */
      counterReset: rate.default(0),
      /** Share of devices silent for one day. */
      silent: rate.default(0),
      /** Share of messages followed by a malformed one (expected in the dead-letter topic). */
      malformed: rate.default(0),
      /** Share of messages sent with a device clock decades ahead: dead-lettered (future_time). */
      clockSkew: rate.default(0),
    })
    .default({ duplicate: 0, outOfOrder: 0, lateBatch: 0, counterReset: 0, silent: 0, malformed: 0, clockSkew: 0 }),
});
export type Scenario = z.infer<typeof scenarioSchema>;

export function loadScenario(path: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KlimatpulsError('CONFIG_INVALID', `${path}: ${(err as Error).message}`);
  }
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new KlimatpulsError('CONFIG_INVALID', `${path}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}
