import { seededRandom } from '../../services/core/random.js';
import { encoders, supports, type Encoder } from '../encoders/index.js';
import { toCaptured, type CapturedMessage } from '../../services/tools/ndjson.js';
import { cityDevices, type SimDevice } from './devices.js';
import { DeviceModel } from './model.js';
import type { Scenario } from './scenario.js';

/** One expected stored value (canonical units), as the pipeline must hold it. */
export interface TruthRecord {
  deviceId: string;
  metric: string;
  channel?: string;
  observedAt: string;
  value: number;
}

/** A message injected to be refused: it must be in the dead-letter topic. */
export interface ExpectedDeadLetter {
  topic: string;
  payloadBase64: string;
  fault: 'malformed' | 'clockSkew';
}

export interface SimulationSink {
  message(m: CapturedMessage): void | Promise<void>;
  truth(t: TruthRecord): void | Promise<void>;
  deadLetter(d: ExpectedDeadLetter): void | Promise<void>;
  progress?(step: number, steps: number): void;
}

export interface SimulationStats {
  devices: number;
  steps: number;
  messages: number;
  truth: number;
  expectedDeadLetters: number;
  faults: Record<string, number>;
}

const DAY = 86_400_000;

/**
 * Runs a scenario: every `stepMinutes` each device measures, its values are
 * encoded in the device's format, faults are applied, and the messages, the
 * ground truth and the expected dead letters go to the sink. Deterministic for a
 * seed. Memory stays bounded by one step's messages plus one day of the devices
 * in a late batch.
 */
export function validateScenario(s: Scenario): void {
  for (const [family, mix] of Object.entries(s.formats)) {
    for (const [format, weight] of Object.entries(mix)) {
      if (weight > 0 && !supports(format, family as keyof Scenario['formats'])) {
        throw new Error(`scenario ${s.name}: formats.${family}.${format}: ${encoders[format] ? `${format} cannot carry ${family}` : `unknown format (have ${Object.keys(encoders).join(', ')})`}`);
      }
    }
  }
}

export async function simulate(s: Scenario, sink: SimulationSink): Promise<SimulationStats> {
  validateScenario(s);
  const rnd = seededRandom(s.seed);
  const devices = cityDevices(s, rnd);
  const models = devices.map((d) => new DeviceModel(d, seededRandom(s.seed ^ hash(d.registry.id))));
  const enc = devices.map((d) => {
    const e = encoders[d.format];
    if (!e) throw new Error(`scenario ${s.name}: no simulator encoder for format ${d.format} (have ${Object.keys(encoders).join(', ')})`);
    return e;
  });
  const start = Date.parse(s.start);
  const stepMs = s.stepMinutes * 60_000;
  const steps = Math.floor((s.days * DAY) / stepMs);
  const stats: SimulationStats = { devices: devices.length, steps, messages: 0, truth: 0, expectedDeadLetters: 0, faults: {} };
  const fault = (k: string) => (stats.faults[k] = (stats.faults[k] ?? 0) + 1);
  const frameCounters = new Array<number>(devices.length).fill(0);
  const resetAt = devices.map((d) => (d.family.endsWith('meter') && rnd() < s.faults.counterReset ? Math.floor(rnd() * steps) : -1));
  const weatherByDay = new Map<number, number>();
  const weather = (day: number) => {
    if (!weatherByDay.has(day)) weatherByDay.set(day, 6 * (seededRandom(s.seed * 31 + day)() - 0.5));
    return weatherByDay.get(day)!;
  };
  let held: CapturedMessage[] = [];
  let heldDay = -1;
  let silentToday = new Set<number>();
  let lateToday = new Set<number>();

  const emit = async (m: CapturedMessage) => {
    stats.messages++;
    await sink.message(m);
  };

  for (let k = 1; k <= steps; k++) {
    const t = new Date(start + k * stepMs);
    const day = Math.floor((t.getTime() - start) / DAY);
    if (day !== heldDay) {
      // a new day: release yesterday's late batch, draw today's silent and late devices
      for (const m of held) await emit({ ...m, time: t.toISOString() });
      held = [];
      heldDay = day;
      silentToday = pickSet(devices.length, s.faults.silent, rnd);
      lateToday = pickSet(devices.length, s.faults.lateBatch, rnd);
      for (const _ of silentToday) fault('silent device-days');
      for (const _ of lateToday) fault('late batches');
    }
    const stepMessages: CapturedMessage[] = [];
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i]!;
      if (resetAt[i] === k) {
        models[i]!.resetRegister();
        fault('counter resets');
      }
      const { wire, truth } = models[i]!.step(t, s.stepMinutes / 60, weather(day));
      if (silentToday.has(i)) continue;
      const e = enc[i]!;
      const skewed = e.deviceClock && rnd() < s.faults.clockSkew;
      const ctx = { observedAt: t, deviceTime: skewed ? new Date(t.getTime() + 50 * 365 * DAY) : t /* a clock decades ahead: dead-lettered as future_time */, frameCounter: ++frameCounters[i]!, copy: 0 };
      const msg = e.encode(d, wire, ctx);
      const captured = toCaptured(msg.topic, msg.payload, 1, t);
      if (skewed) {
        fault('clock skew');
        await expectDead(sink, stats, { topic: msg.topic, payloadBase64: msg.payload.toString('base64'), fault: 'clockSkew' });
      } else {
        for (const tr of truth) {
          stats.truth++;
          await sink.truth({ deviceId: d.registry.id, metric: tr.metric, ...(tr.channel ? { channel: tr.channel } : {}), observedAt: t.toISOString(), value: tr.value });
        }
      }
      const out = lateToday.has(i) ? held : stepMessages;
      out.push(captured);
      if (!skewed && rnd() < s.faults.duplicate) {
        const dup = e.encode(d, wire, { ...ctx, copy: 1 });
        out.push(toCaptured(dup.topic, dup.payload, 1, t));
        fault('duplicates');
      }
      if (rnd() < s.faults.malformed) {
        const bad = malformed(e, d, stats.faults.malformed ?? 0);
        fault('malformed');
        stepMessages.push(toCaptured(bad.topic, bad.payload, 1, t));
        await expectDead(sink, stats, { topic: bad.topic, payloadBase64: bad.payload.toString('base64'), fault: 'malformed' });
      }
    }
    for (let j = 0; j + 1 < stepMessages.length; j++) {
      if (rnd() < s.faults.outOfOrder) {
        [stepMessages[j], stepMessages[j + 1]] = [stepMessages[j + 1]!, stepMessages[j]!];
        fault('out of order');
        j++;
      }
    }
    for (const m of stepMessages) await emit(m);
    sink.progress?.(k, steps);
  }
  for (const m of held) await emit(m);
  return stats;
}

function malformed(e: Encoder, d: SimDevice, n: number) {
  return e.malformed(d, n);
}

async function expectDead(sink: SimulationSink, stats: SimulationStats, d: ExpectedDeadLetter) {
  stats.expectedDeadLetters++;
  await sink.deadLetter(d);
}

function pickSet(n: number, rate: number, rnd: () => number): Set<number> {
  const out = new Set<number>();
  if (rate <= 0) return out;
  for (let i = 0; i < n; i++) if (rnd() < rate) out.add(i);
  return out;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export { cityDevices };
