import { describe, expect, it } from 'vitest';
import { Telemetry } from '../core/telemetry.js';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { DecoderRouter } from './routing/decoderRouter.js';
import { MessageWork } from './messageWork.js';

const registry = new DeviceRegistry([{ id: 'el-1', tenant: 'kalmar', kind: 'electricity_meter', site: 'berga', params: {} }]);

function work(telemetry: Telemetry): MessageWork {
  return new MessageWork({
    processor: { router: new DecoderRouter(DEFAULT_ROUTES), registry, maxPayloadBytes: 64 * 1024, maxFutureMs: 300_000, minObservedAt: new Date('2000-01-01Z') },
    readingsTopic: 'readings',
    deadLetterTopic: 'deadletters',
    telemetry,
  });
}

const value = async (t: Telemetry, name: string) => (await t.registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.service === 'gateway')?.value;

describe('MessageWork', () => {
  it('makes one record per reading (JSON of the canonical reading, keyed by device) and one per dead letter', () => {
    const w = work(new Telemetry({ defaultMetrics: false }));
    const ok = w.prepare('klimatpuls/kalmar/el-1/up', Buffer.from('{"time":1740823200000,"readings":[{"metric":"energy_total","value":7}]}'));
    expect(ok.readings).toBe(1);
    expect(ok.deadLetter).toBeUndefined();
    expect(ok.records.map((r) => [r.topic, r.key])).toEqual([['readings', 'kalmar/el-1']]);
    expect(JSON.parse(ok.records[0]!.value.toString())).toMatchObject({ tenant: 'kalmar', deviceId: 'el-1', site: 'berga', value: 7, observedAt: '2025-03-01T10:00:00.000Z' });
    const bad = w.prepare('klimatpuls/kalmar/el-1/up', '{"readings":[]}');
    expect(bad.readings).toBe(0);
    expect(bad.deadLetter).toEqual({ reason: 'schema', field: 'readings' });
    expect(bad.records.map((r) => [r.topic, r.key])).toEqual([['deadletters', 'klimatpuls/kalmar/el-1/up']]);
  });

  it('counts received, produced and in-flight messages as metrics show them, at every collection', async () => {
    const t = new Telemetry({ defaultMetrics: false });
    const w = work(t);
    expect(await value(t, 'klimatpuls_messages_received_total')).toBeUndefined();
    const m = w.prepare('klimatpuls/kalmar/el-1/up', Buffer.from('{"readings":[{"metric":"power","value":1},{"metric":"power","value":2,"channel":"l2"}]}'));
    w.inFlight(1);
    expect(await value(t, 'klimatpuls_messages_received_total')).toBe(1);
    expect(await value(t, 'klimatpuls_in_flight_messages')).toBe(1);
    expect(await value(t, 'klimatpuls_readings_produced_total')).toBeUndefined();
    w.produced(m);
    w.inFlight(0);
    w.produced(w.prepare('klimatpuls/kalmar/el-1/up', 'not json'));
    w.requestProduced(0.002);
    w.requestProduced(0.001);
    expect(await t.metrics()).toMatch(/klimatpuls_messages_received_total\{service="gateway"\} 2\n/);
    expect(await value(t, 'klimatpuls_readings_produced_total')).toBe(2);
    expect(await value(t, 'klimatpuls_in_flight_messages')).toBe(0);
    expect(await t.metrics()).toMatch(/klimatpuls_dead_letters_total\{service="gateway",reason="not_json"\} 1\n/);
    expect(await t.metrics()).toMatch(/klimatpuls_latency_seconds_count\{service="gateway",stage="produce"\} 2\n/);
  });
});
