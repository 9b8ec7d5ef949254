import type { Device } from '../../services/registry/deviceRegistry.js';
import { seededRandom } from '../../services/core/random.js';

/**
 * 100,000 hostile MQTT messages, deterministic for a seed, on topics the gateway
 * subscribes to, each of which must be dead-lettered (never a reading, never a
 * crash). `matchTopicOnly` marks messages whose dead letter may carry a shortened
 * payload (too large to keep whole in a Kafka record): they get a topic of their own
 * and are matched by topic.
 */
export interface HostileMessage {
  topic: string;
  payload: Buffer;
  category: string;
  matchTopicOnly?: boolean;
}

export interface HostileOptions {
  count: number;
  seed: number;
  tenant: string;
  /** Registered devices (semantic attacks use real ids with bad values). */
  devices: Device[];
  maxPayloadBytes: number;
  /** Oversized payloads (> maxPayloadBytes) and near-limit ones, each on its own topic. */
  huge: number;
  /** Categories to leave out (diagnosis: which kind of message breaks something). */
  exclude?: string[];
}

/** Topics of every route, with placeholders filled by `dev`. */
const routeTopics = (tenant: string, dev: string): string[] => [
  `klimatpuls/${tenant}/${dev}/up`,
  `v3/${tenant}-app/devices/${dev}/up`,
  `application/1/device/${dev}/event/up`,
  `application/1/device/${dev}/rx`,
  `wmbusmeters/${dev}`,
  `han/${dev}`,
  `senml/${dev}`,
  `tele/${dev}/SENSOR`,
];

export function hostileMessages(o: HostileOptions): HostileMessage[] {
  const rnd = seededRandom(o.seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = int(256);
    return b;
  };
  const nativeDevices = o.devices.filter((d) => d.id.startsWith(`${o.tenant}-`));
  const anyDevice = () => pick(o.devices);
  const native = () => pick(nativeDevices.length ? nativeDevices : o.devices);
  const t0 = Date.parse('2025-03-29T12:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const out: HostileMessage[] = [];
  let n = 0;
  // A JSON object payload gets a serial number ("_n", a key every decoder ignores), so
  // each hostile message is distinct and its own dead letter can be found.
  const serial = (p: Buffer) => (p[0] === 0x7b /* { */ ? Buffer.concat([Buffer.from(`{"_n":${n++},`), p.subarray(1)]) : p);
  const add = (category: string, topic: string, payload: Buffer | string, matchTopicOnly?: boolean) =>
    o.exclude?.includes(category) ||
    out.push({ category, topic, payload: serial(typeof payload === 'string' ? Buffer.from(payload) : payload), ...(matchTopicOnly ? { matchTopicOnly } : {}) });

  // Oversized and near-limit payloads first in the list (they are shuffled in below).
  for (let i = 0; i < o.huge; i++) {
    // Over MAX_PAYLOAD_BYTES but under the brokers' packet limit (MQTT_MAX_PACKET_BYTES =
    // MAX_PAYLOAD_BYTES + 64 KiB; Mosquitto max_packet_size): these reach the gateway and
    // must be dead-lettered. Larger packets are refused by the broker itself before it
    // acknowledges them (the publisher is disconnected), so they never enter: that is
    // held by services/broker/brokerLimits.test.ts and test/security/brokerLimits.test.ts.
    const size = o.maxPayloadBytes + 1 + int(60 * 1024);
    add('payload over MAX_PAYLOAD_BYTES', `senml/huge-${o.seed}-${i}`, bytes(size), true);
    // Within the limit but a few hundred kB: its dead letter (base64) is ~1/3 larger again.
    add('payload near MAX_PAYLOAD_BYTES', `wmbusmeters/nearmax-${o.seed}-${i}`, Buffer.concat([Buffer.from('{"id":'), bytes(o.maxPayloadBytes - 100 - int(50_000))]), true);
  }

  const categories: Array<[number, () => void]> = [
    [25, () => add('random bytes', pick(routeTopics(o.tenant, anyDevice().id)), bytes(int(1024)))],
    [8, () => {
      const text = pick(['{', '[', '{"readings":[', '{"a":', 'null', 'true', '"str"', '12', '{}}', '[1,2', '{"readings":[{"metric":"power","value":1}]']);
      add('truncated or non-object JSON', `klimatpuls/${o.tenant}/${native().id}/up`, text + 'x'.repeat(int(20)));
    }],
    [2, () => {
      const depth = 500 + int(10_000);
      const arr = rnd() < 0.5;
      const payload = arr ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      add('deep JSON', pick(routeTopics(o.tenant, anyDevice().id)), payload);
    }],
    [15, () => {
      const d = native();
      const bad = pick<unknown>(['12.5', { v: 1 }, [1], true, null, '', 'NaN', { valueOf: 1 }]);
      const variant = int(8);
      const payloads: unknown[] = [
        { time: iso(t0), readings: [{ metric: 'power', value: bad }] },
        { time: iso(t0), readings: { metric: 'power', value: 1 } },
        { time: iso(t0), readings: [null] },
        { time: bad, readings: [{ metric: 'power', value: 1 }] },
        { time: iso(t0), readings: [{ metric: 17, value: 1 }] },
        { time: iso(t0), readings: [{ metric: 'power', value: 1, unit: 5 }] },
        [{ metric: 'power', value: 1 }],
        { time: iso(t0), readings: [{ metric: 'power', value: 1, channel: { x: 1 } }] },
      ];
      add('wrong types (native)', `klimatpuls/${o.tenant}/${d.id}/up`, json(payloads[variant]));
    }],
    [6, () => {
      const d = anyDevice();
      const variant = int(6);
      const [topic, payload]: [string, unknown] = [
        [`v3/${o.tenant}-app/devices/${d.id}/up`, { end_device_ids: { device_id: d.id }, uplink_message: { decoded_payload: [1, 2], f_cnt: 'x' } }],
        [`application/1/device/${d.id}/event/up`, { deviceInfo: 'nope', fCnt: -1 }],
        [`wmbusmeters/${d.id}`, { media: 'electricity', id: 71000000, total_energy_consumption_kwh: '12 kWh' }],
        [`senml/${d.id}`, [{ bn: 5, n: 'energy', u: 'kWh', v: '12' }]],
        [`tele/${d.id}/SENSOR`, { Time: iso(t0).slice(0, 19), ENERGY: { Total: 'lots', Power: [1, 'x'] } }],
        [`han/${d.id}`, { telegram: '/ELL5' }],
      ][variant] as [string, unknown];
      add('wrong types (other formats)', topic, json(payload));
    }],
    [5, () => {
      const lit = pick(['NaN', 'Infinity', '-Infinity', 'undefined', '0x10', '1e99999', '-1e99999']);
      add('NaN / Infinity', `klimatpuls/${o.tenant}/${native().id}/up`, `{"time":"${iso(t0)}","readings":[{"metric":"power","value":${lit}}]}`);
    }],
    [10, () => {
      const [metric, value] = pick<[string, number | string]>([
        ['power', 1e308], ['power', -1e308], ['energy_total', 1e20], ['energy_total', -5], ['temperature', 1e6], ['count', 2.5],
        ['fill_level', 151], ['count', 5e-324], ['power', '1e400' as unknown as number], ['energy_total', '-1e400' as unknown as number],
      ]);
      const payload = typeof value === 'string' ? `{"time":"${iso(t0)}","readings":[{"metric":"${metric}","value":${value}}]}` : JSON.stringify({ time: iso(t0), readings: [{ metric, value }] });
      add('huge or implausible numbers', `klimatpuls/${o.tenant}/${native().id}/up`, payload);
    }],
    [10, () => {
      const invalid = pick([[0xc3, 0x28], [0xff], [0xfe, 0xff], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]);
      const d = anyDevice();
      const prefix = Buffer.from(pick([`{"time":"${iso(t0)}","readings":[{"metric":"`, '{"media":"electricity","id":"', '[{"bn":"', '{"Time":"']));
      const topic = prefix.toString().startsWith('{"time"') ? `klimatpuls/${o.tenant}/${native().id}/up` : prefix.toString().startsWith('{"media"') ? `wmbusmeters/${d.id}` : prefix.toString().startsWith('[{') ? `senml/${d.id}` : `tele/${d.id}/SENSOR`;
      add('invalid UTF-8', topic, Buffer.concat([prefix, Buffer.from(invalid), Buffer.from('"}]}')]));
    }],
    [8, () => {
      const d = native();
      const variant = int(10);
      const [topic, payload]: [string, unknown] = [
        [`klimatpuls/${o.tenant}/../up`, { readings: [{ metric: 'power', value: 1 }] }],
        [`klimatpuls/${o.tenant}/${d.id}/../${d.id}/up`, { readings: [{ metric: 'power', value: 1 }] }],
        [`klimatpuls/a/../${o.tenant}/${d.id}/up`, { readings: [{ metric: 'power', value: 1 }] }],
        [`klimatpuls/${o.tenant}/${d.id}/up/extra`, { readings: [{ metric: 'power', value: 1 }] }],
        [`klimatpuls/other-${o.tenant}/${d.id}/up`, { time: iso(t0), readings: [{ metric: 'power', value: 1 }] }],
        [`klimatpuls/${o.tenant}/${d.id}/up`, { device: `../${d.id}`, readings: [{ metric: 'power', value: 1 }] }],
        [`klimatpuls/${o.tenant}/${d.id}/up`, { device: '+/#', readings: [{ metric: 'power', value: 1 }] }],
        [`senml/${d.id}`, [{ bn: 'urn:dev:+/#:', n: 'energy', u: 'kWh', v: 1 }]],
        [`wmbusmeters/${d.id}`, { media: 'electricity', id: '#', total_energy_consumption_kwh: 1 }],
        [`v3/${o.tenant}-app/devices/../up`, { end_device_ids: { device_id: '..' }, uplink_message: { decoded_payload: { distance: 1 } } }],
      ][variant] as [string, unknown];
      add('topic injection', topic, json(payload));
    }],
    [7, () => {
      const d = native();
      const [when, metric, value, unit] = pick<[number, string, number, string | undefined]>([
        [Date.parse('2099-01-01T00:00:00Z'), 'power', 1, undefined],
        [Date.parse('1970-01-01T00:00:01Z'), 'power', 1, undefined],
        [t0, 'frobnication', 1, undefined],
        [t0, 'energy_total', 1, 'furlong'],
        [t0, 'power', 1, 'kWh'],
      ]);
      add('semantic (time, metric, unit)', `klimatpuls/${o.tenant}/${d.id}/up`, json({ time: iso(when), readings: [{ metric, value, ...(unit ? { unit } : {}) }] }));
    }],
    [1, () => {
      const d = anyDevice();
      const [topic, payload]: [string, string] = pick<[string, string]>([
        [`klimatpuls/${o.tenant}/unknown-${int(1e9)}/up`, JSON.stringify({ time: iso(t0), readings: [{ metric: 'power', value: 1 }] })],
        [`tele/${d.id}/SENSOR`, JSON.stringify({ Time: iso(t0).slice(0, 19) })],
        [`senml/${d.id}`, JSON.stringify([{ bn: `${d.id}:`, n: 'frobnication', v: 1 }])],
        [`wmbusmeters/${d.id}`, JSON.stringify({ media: 'gas', id: d.id, total_m3: 1 })],
      ]);
      add('no usable value', topic, payload);
    }],
  ];
  const total = categories.reduce((s, [w]) => s + w, 0);
  while (out.length < o.count) {
    let x = rnd() * total;
    for (const [w, gen] of categories) {
      if ((x -= w) < 0) {
        gen();
        break;
      }
    }
  }
  // Deterministic shuffle, so the oversized ones are spread through the stream.
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.slice(0, o.count);
}
