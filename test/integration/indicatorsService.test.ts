import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CanonicalReading } from '../../services/core/reading.js';
import { reading } from '../../services/indicators/testing.js';
import type { Device } from '../../services/registry/deviceRegistry.js';
import { InfluxStore } from '../../services/sinks/influx/influxStore.js';
import { exited, spawnKlimatpuls, waitReady } from '../helpers/processes.js';
import { OPERATOR_HEADERS, STACK, createBucket, deleteBucket, freePort, pipelineEnv, queryRows, runId, waitFor, writeRegistry } from '../helpers/stack.js';

/**
 * `klimatpuls indicators`, the indicator service of the real stack, as a child
 * process against the stack's Kafka and InfluxDB: readings are stored in InfluxDB
 * (what the writer does) and published on the readings topic; the service follows
 * the topic in its own consumer group, recomputes the months the readings fall in,
 * and the values appear in the `indicators` measurement and on /api/indicators.
 * Late readings for the same month replace the stored values.
 */
const id = runId('ind');
const tenant = id;
const meter: Device = { id: `${id}-el`, tenant, kind: 'electricity_meter', site: 'hus-a', params: {} };
const thermometer: Device = { id: `${id}-temp`, tenant, kind: 'temperature', site: 'weather-1', params: {} };
const H = 3_600_000;
const MARCH = Date.parse('2025-02-28T23:00:00Z'); // 1 March 00:00 in Stockholm
const APRIL = Date.parse('2025-03-31T22:00:00Z'); // 743 hours later (DST)
let env: Record<string, string>;
let port: number;
let service: ReturnType<typeof spawnKlimatpuls> | undefined;
let store: InfluxStore;
const kafka = new Kafka({ clientId: `test-${id}`, brokers: [STACK.kafka], logLevel: logLevel.NOTHING });
const producer = kafka.producer();

/** Hourly in [from, to): the meter's register rises 2 kWh an hour; the outdoor temperature is 5 °C (12 °C·d a day). */
function hourly(from: number, to: number): CanonicalReading[] {
  const out: CanonicalReading[] = [];
  for (let t = from; t < to; t += H) out.push(reading(meter, 'energy_total', t, 2 * ((t - MARCH) / H)), reading(thermometer, 'temperature', t, 5));
  return out;
}

/** Stored in InfluxDB, then published on the readings topic: what the gateway and the writer do. */
async function deliver(readings: CanonicalReading[]): Promise<void> {
  await store.writeReadings(readings);
  await producer.send({ topic: env.READINGS_TOPIC!, messages: readings.map((r) => ({ key: r.deviceId, value: JSON.stringify(r) })) });
}

/** The tenant's stored month values of the `indicators` measurement, by indicator (entity '*'). */
async function storedMarch(): Promise<Record<string, { value: number; coverage: number; sufficient: boolean }>> {
  const rows = await queryRows(`from(bucket: "${env.INFLUX_BUCKET}") |> range(start: 0)
    |> filter(fn: (r) => r._measurement == "indicators" and r.tenant == "${tenant}" and r.period == "2025-03" and r.entity == "*")
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`);
  return Object.fromEntries(rows.map((r) => [String(r.indicator), { value: Number(r.value), coverage: Number(r.coverage), sufficient: r.sufficient === true || r.sufficient === 'true' }]));
}

beforeAll(async () => {
  port = await freePort();
  env = pipelineEnv(id, {
    HTTP_PORT: String(port),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'klimatpuls-indicators-')),
    REGISTRY_FILE: writeRegistry([meter, thermometer]),
    INDICATOR_INTERVAL_MS: '200',
    INDICATOR_SETTLE_MS: '500',
    INDICATOR_PERIODS: 'month,quarter',
  });
  await createBucket(env.INFLUX_BUCKET!);
  store = new InfluxStore({ url: STACK.influxUrl, token: STACK.influxToken, org: STACK.influxOrg, bucket: env.INFLUX_BUCKET!, measurement: 'readings' });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: env.READINGS_TOPIC!, numPartitions: 3 }] });
  await admin.disconnect();
});

afterAll(async () => {
  if (service && service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
  await producer.disconnect();
  if (env?.INFLUX_BUCKET) await deleteBucket(env.INFLUX_BUCKET).catch(() => {});
});

it('klimatpuls indicators follows the readings topic, recomputes the months of (late) readings and serves them', async () => {
  // The first half of March arrives before the service starts: its new consumer group reads the topic from the start.
  // 15 March has one hour only: not a measured day for degree_days.
  await deliver(hourly(MARCH, MARCH + 14 * 24 * H + H)); // 1 March 00:00 to 15 March 00:00
  service = spawnKlimatpuls('indicators', env);
  await waitReady(port, 60_000).catch((err) => {
    throw new Error(`${(err as Error).message}\n${service!.output()}`);
  });

  const first = await waitFor('March in the indicators measurement', storedMarch, (v) => v.energy_use?.value === 14 * 24 * 2 && v.degree_days?.value === 14 * 12, 120_000);
  expect(first.energy_use!.coverage).toBeCloseTo((14 * 24) / 743, 6);
  expect(first.energy_use!.sufficient).toBe(false);
  expect(first.degree_days).toMatchObject({ coverage: expect.closeTo((14 * 24) / 743, 6), sufficient: false }); // 14 whole days of 743 hours

  // The rest of March comes late (a gateway's backlog): the stored values are replaced.
  await deliver(hourly(MARCH + 14 * 24 * H + H, APRIL + H)); // to 1 April 00:00
  const full = await waitFor('March recomputed after the late readings', storedMarch, (v) => v.energy_use?.value === 743 * 2 && v.degree_days?.value === 31 * 12, 120_000);
  expect(full.energy_use).toMatchObject({ coverage: 1, sufficient: true });
  expect(full.degree_days).toMatchObject({ coverage: 1, sufficient: true });

  // The same values over HTTP, from the store (not computed on request), with the operator token only.
  const url = `http://127.0.0.1:${port}/api/indicators?indicator=energy_use&period=2025-03&tenant=${tenant}`;
  expect((await fetch(url)).status).toBe(401);
  const body = (await (await fetch(url, { headers: OPERATOR_HEADERS })).json()) as { computedOnRequest: boolean; values: Array<{ entity: string; value: number; sufficient: boolean }> };
  expect(body.computedOnRequest).toBe(false);
  expect(body.values.map((v) => [v.entity, v.value, v.sufficient])).toEqual([['*', 1486, true], ['hus-a', 1486, true]]);
  const quarter = (await (await fetch(`http://127.0.0.1:${port}/api/indicators?indicator=degree_days&period=2025Q1&tenant=${tenant}`, { headers: OPERATOR_HEADERS })).json()) as typeof body;
  expect(quarter.computedOnRequest).toBe(false);
  expect(quarter.values).toEqual([expect.objectContaining({ entity: '*', value: 31 * 12, sufficient: false })]); // January and February have no readings

  service.kill('SIGTERM');
  await exited(service);
  expect(service.exitCode, service.output()).toBe(0);
});
