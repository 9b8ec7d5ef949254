import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS, type MetricName } from '../core/metrics.js';
import { canonicalReadingSchema, type CanonicalReading } from '../core/reading.js';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import { nativeDecoder } from '../decoders/native/nativeDecoder.js';
import { DecoderRouter } from '../gateway/routing/decoderRouter.js';
import { processMessage, type ProcessorOptions } from '../gateway/messageProcessor.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { DEMO_TENANT, DemoCity, demoDevices, outdoorTemperature } from './demoCity.js';

const REGISTRY_FILE = join(import.meta.dirname, 'registry.json');
const registry = DeviceRegistry.fromFile(REGISTRY_FILE);
const opts: ProcessorOptions = {
  router: new DecoderRouter(DEFAULT_ROUTES),
  registry,
  maxPayloadBytes: 256 * 1024,
  maxFutureMs: 300_000,
  minObservedAt: new Date('2000-01-01T00:00:00Z'),
};

const STEP_MS = 15 * 60_000;

/** Runs the city from `start` for `steps` steps of `stepMs`, through the real decoder and normalizer. */
function simulate(seed: number, start: string, steps: number, stepMs = STEP_MS) {
  const city = new DemoCity(seed);
  const readings: CanonicalReading[] = [];
  const deadLetters: unknown[] = [];
  let messages = 0;
  for (let i = 0; i < steps; i++) {
    const t = new Date(Date.parse(start) + i * stepMs);
    for (const m of city.step(t)) {
      messages++;
      const r = processMessage(m.topic, Buffer.from(m.payload), new Date(t.getTime() + 2_000), opts);
      readings.push(...r.readings);
      if (r.deadLetter) deadLetters.push(r.deadLetter);
    }
  }
  return { readings, deadLetters, messages };
}

describe('DemoCity', () => {
  it('gives identical messages for the same seed, and different ones for another seed', () => {
    const run = (seed: number) => {
      const city = new DemoCity(seed);
      return Array.from({ length: 8 }, (_, i) => city.step(new Date(Date.parse('2025-03-01T00:00:00Z') + i * STEP_MS)));
    };
    const a = run(2030);
    expect(run(2030)).toEqual(a);
    expect(run(7)).not.toEqual(a);
    expect(a.flat().length).toBe(8 * demoDevices().length);
  });

  it('sends one native message per device on its own topic, for the demo tenant', () => {
    const msgs = new DemoCity().step(new Date('2025-03-01T10:00:00Z'));
    expect(msgs.map((m) => m.topic)).toEqual(demoDevices().map((d) => `klimatpuls/${DEMO_TENANT}/${d.id}/up`));
    for (const m of msgs) {
      const r = nativeDecoder.decode(Buffer.from(m.payload), { topic: m.topic, receivedAt: new Date('2025-03-01T10:00:00Z') });
      if (!r.ok) throw new Error(`${m.topic}: ${JSON.stringify(r.rejection)}`);
      expect(r.tenantHint).toBe(DEMO_TENANT);
      for (const v of r.values) expect(v.observedAt?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    }
  });

  it('matches the shipped registry.json', () => {
    const file = JSON.parse(readFileSync(REGISTRY_FILE, 'utf8')) as { devices: unknown[] };
    expect(file.devices).toEqual(demoDevices());
  });

  it('normalizes every message of a simulated day (every 15 min) without a dead letter', () => {
    for (const day of ['2025-01-22T00:00:00Z', '2025-07-15T00:00:00Z']) {
      const { readings, deadLetters, messages } = simulate(2030, day, 96);
      expect(deadLetters).toEqual([]);
      expect(messages).toBe(96 * demoDevices().length);
      for (const r of readings) expect(canonicalReadingSchema.safeParse(r).success).toBe(true);
      // each device's readings: 1 per metric (and channel) per step
      const perStep = new Map<string, number>();
      for (const r of readings) perStep.set(r.observedAt, (perStep.get(r.observedAt) ?? 0) + 1);
      expect(new Set(perStep.values()).size).toBe(1);
      // every reading has its own id
      expect(new Set(readings.map((r) => r.id)).size).toBe(readings.length);
      // every kind of the city reports
      expect(new Set(readings.map((r) => r.kind))).toEqual(new Set(['electricity_meter', 'heat_meter', 'waste_fill', 'bike_counter', 'temperature', 'vehicle', 'ev_charger', 'fuel_meter']));
    }
  });

  it('stays plausible over a year (every 6 h)', () => {
    const { readings, deadLetters } = simulate(11, '2025-01-01T00:00:00Z', 365 * 4, 6 * 3_600_000);
    expect(deadLetters).toEqual([]);
    expect(readings.length).toBeGreaterThan(0);
  });

  it('never lets a cumulative register decrease', () => {
    const { readings } = simulate(2030, '2025-03-01T00:00:00Z', 96 * 2);
    const last = new Map<string, number>();
    let checked = 0;
    let increased = 0;
    for (const r of readings) {
      if (!METRICS[r.metric as MetricName].cumulative) continue;
      const key = `${r.deviceId}/${r.metric}/${r.channel ?? ''}`;
      const prev = last.get(key);
      if (prev !== undefined) {
        expect(r.value, `${key} at ${r.observedAt}`).toBeGreaterThanOrEqual(prev);
        checked++;
        if (r.value > prev) increased++;
      }
      last.set(key, r.value);
    }
    expect(checked).toBeGreaterThan(0);
    expect(increased).toBeGreaterThan(checked / 2); // the registers do move
  });

  it('has an outdoor temperature colder in January than in July', () => {
    expect(outdoorTemperature(new Date('2025-01-20T12:00:00Z'))).toBeLessThan(outdoorTemperature(new Date('2025-07-20T12:00:00Z')));
  });

  it('gives as canonical values exactly what the gateway stores from its messages (the demo history is the live stream)', () => {
    const live = simulate(2030, '2025-01-22T00:00:00Z', 24, 3_600_000).readings;
    const city = new DemoCity(2030);
    const values = Array.from({ length: 24 }, (_, i) => {
      const t = new Date(Date.parse('2025-01-22T00:00:00Z') + i * 3_600_000);
      return city.values(t).map((v) => ({ ...v, observedAt: t.toISOString() }));
    }).flat();
    const key = (r: { deviceId: string; metric: string; channel?: string; observedAt: string }) => `${r.deviceId}/${r.metric}/${r.channel ?? ''}/${r.observedAt}`;
    expect(new Map(values.map((v) => [key(v), v.value]))).toEqual(new Map(live.map((r) => [key(r), r.value])));
  });

  it('continues stored registers (resume) and leaves them where they are over a gap (skipTo)', () => {
    const city = new DemoCity(2030);
    city.resume([{ deviceId: 'el-berga', metric: 'energy_total', value: 123_456 }]);
    city.skipTo(new Date('2025-01-01T00:00:00Z'));
    const first = city.values(new Date('2025-01-01T01:00:00Z')).find((v) => v.deviceId === 'el-berga' && v.metric === 'energy_total')!;
    expect(first.value).toBeGreaterThan(123_456);
    expect(first.value).toBeLessThan(123_456 + 30); // one hour of at most ~16 kW
    city.skipTo(new Date('2026-01-01T00:00:00Z'));
    const after = city.values(new Date('2026-01-01T01:00:00Z')).find((v) => v.deviceId === 'el-berga' && v.metric === 'energy_total')!;
    expect(after.value - first.value).toBeLessThan(30); // a year's gap adds nothing
  });
});
