import { describe, expect, it } from 'vitest';
import { deadLetterSchema } from '../core/deadLetter.js';
import { Telemetry } from '../core/telemetry.js';
import { DEFAULT_ROUTES } from '../decoders/index.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { processMessage, type ProcessorOptions } from './messageProcessor.js';
import { MessageWork } from './messageWork.js';
import { DecoderRouter } from './routing/decoderRouter.js';

/*
 * Issue 16, "partial messages": the voltages, currents and reactive values a meter sends
 * beside its registers do not make the message fail. Known values are stored, the
 * unknown ones reported (counted; in a dead letter only when the message has one anyway).
 */

const registry = new DeviceRegistry([
  { id: '7359992890941742', tenant: 'kalmar', kind: 'electricity_meter', site: 'berga', params: {} },
  { id: 'urn:dev:ow:10e2073a01080063', tenant: 'kalmar', kind: 'temperature', params: {} },
]);
const processor: ProcessorOptions = {
  router: new DecoderRouter(DEFAULT_ROUTES),
  registry,
  maxPayloadBytes: 64 * 1024,
  maxFutureMs: 300_000,
  minObservedAt: new Date('2000-01-01Z'),
};
const receivedAt = new Date('2025-03-01T10:00:05Z');
const run = (topic: string, payload: unknown) => processMessage(topic, Buffer.from(JSON.stringify(payload)), receivedAt, processor);

const list3 = (data: Record<string, unknown>) => ({ id: 'a4:cf:12:f3:8a:1c', t: 1740823200, data: { lv: 'AIDON_V0001', meterId: '7359992890941742', ...data } });

describe('partial messages', () => {
  it('an AMS reader list 3 stores its registers and power, reports U/I/Q, and is no dead letter', () => {
    const r = run('amsleser/ams-1', list3({ P: 1727, PO: 0, Q: 0, QO: 120, I1: 3.1, U1: 231.2, tPI: 12345.678, tPO: 7.48, tQI: 20.1, tQO: 3012.5 }));
    expect(r.deadLetter).toBeUndefined();
    expect(r.readings.map((x) => [x.metric, x.value, x.unit])).toEqual([
      ['energy_total', 12345.678, 'kWh'],
      ['energy_export_total', 7.48, 'kWh'],
      ['power', 1.727, 'kW'],
    ]);
    expect(r.unknown?.decoder).toBe('amsleser');
    expect(r.unknown?.values.map((u) => u.field)).toEqual(['data.Q', 'data.QO', 'data.I1', 'data.U1', 'data.tQI', 'data.tQO']);
  });

  it('a message with only unknown values is an unknown_metric dead letter naming each field', () => {
    const r = run('senml/x', [{ bn: 'urn:dev:ow:10e2073a01080063:', n: 'voltage', u: 'V', v: 120.1 }, { n: 'current', u: 'A', v: 1.2 }]);
    expect(r.readings).toEqual([]);
    expect(deadLetterSchema.parse(r.deadLetter)).toBeDefined();
    expect(r.deadLetter!.reason).toBe('unknown_metric');
    expect(r.deadLetter!.rejected.map((x) => [x.reason, x.field])).toEqual([
      ['unknown_metric', '[0]'],
      ['unknown_metric', '[1]'],
    ]);
  });

  it('a metric of another kind of device (a gas register from an electricity meter) is refused, naming the registered kind', () => {
    // The hostile fault suite's "no usable value" case: wmbusmeters gas aimed at an electricity meter.
    const r = run('wmbusmeters/7359992890941742', { media: 'gas', id: '7359992890941742', total_m3: 1, timestamp: '2025-03-01T10:00:00Z' });
    expect(r.readings).toEqual([]);
    expect(r.deadLetter?.reason).toBe('unknown_metric');
    expect(r.deadLetter!.rejected[0]!.message).toContain('gas_volume_total is not a metric of a electricity_meter');
  });

  it('a message with nothing at all to store is still no_values', () => {
    const r = run('amsleser/ams-1', { id: 'a4:cf:12:f3:8a:1c', name: 'ams-1', up: 5, vcc: 3.3, rssi: -60, temp: 30, version: 'v2.4.17' });
    expect(r.deadLetter?.reason).toBe('no_values');
  });

  it('when a known value is rejected, the dead letter lists the unknown values after it; the good ones are stored', () => {
    const r = run('amsleser/ams-1', list3({ P: 1727, U1: 231.2, tPI: -5 }));
    expect(r.readings.map((x) => x.metric)).toEqual(['power']);
    expect(r.deadLetter!.reason).toBe('implausible_value');
    expect(r.deadLetter!.rejected.map((x) => [x.reason, x.field])).toEqual([
      ['implausible_value', 'data.tPI.value'],
      ['unknown_metric', 'data.U1'],
    ]);
  });

  it('a SenML pack with a temperature and a voltage stores the temperature', () => {
    const r = run('senml/x', [{ bn: 'urn:dev:ow:10e2073a01080063:', bt: 1740823200, n: 'temperature', u: 'Cel', v: 21.5 }, { n: 'voltage', u: 'V', v: 3.6 }]);
    expect(r.deadLetter).toBeUndefined();
    expect(r.readings.map((x) => [x.deviceId, x.metric, x.value])).toEqual([['urn:dev:ow:10e2073a01080063', 'temperature', 21.5]]);
    expect(r.unknown?.values).toEqual([{ field: '[1]', name: 'voltage', message: '"voltage" (unit V) has no Klimatpuls metric' }]);
  });

  it('the gateway counts unknown values by decoder and name once the bus acknowledged the message', async () => {
    const t = new Telemetry({ defaultMetrics: false });
    const w = new MessageWork({ processor, readingsTopic: 'readings', deadLetterTopic: 'deadletters', telemetry: t });
    const m = w.prepare('amsleser/ams-1', Buffer.from(JSON.stringify(list3({ P: 1, U1: 230, U2: 231, tPI: 1 }))));
    expect(m.records.map((r) => r.topic)).toEqual(['readings', 'readings']);
    expect(m.deadLetter).toBeUndefined();
    expect(await t.metrics()).not.toMatch(/klimatpuls_unknown_values_total\{/);
    w.produced(m);
    w.produced(w.prepare('amsleser/ams-1', Buffer.from(JSON.stringify(list3({ P: 1, U1: 230 })))));
    const text = await t.metrics();
    expect(text).toMatch(/klimatpuls_unknown_values_total\{service="gateway",decoder="amsleser",name="U1"\} 2\n/);
    expect(text).toMatch(/klimatpuls_unknown_values_total\{service="gateway",decoder="amsleser",name="U2"\} 1\n/);
  });

  it('counts at most 200 names, the rest as (other)', async () => {
    const t = new Telemetry({ defaultMetrics: false });
    const w = new MessageWork({ processor, readingsTopic: 'readings', deadLetterTopic: 'deadletters', telemetry: t });
    const data: Record<string, number> = { P: 1 };
    for (let i = 0; i < 205; i++) data[`X${i}`] = i;
    w.produced(w.prepare('amsleser/ams-1', Buffer.from(JSON.stringify(list3(data)))));
    const text = await t.metrics();
    expect(text.match(/klimatpuls_unknown_values_total\{/g)!.length).toBe(201);
    expect(text).toMatch(/name="\(other\)"\} 5\n/);
  });
});
