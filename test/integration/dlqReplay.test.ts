import { writeFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { replayDeadLetters } from '../../services/tools/dlqReplay.js';
import { startPipeline } from '../helpers/pipeline.js';
import { STACK, countPoints, deleteBucket, readTopic, runId, waitFor, writeRegistry } from '../helpers/stack.js';

/**
 * Readings of a device nobody registered are dead-lettered (unknown_device). Once
 * the device is in the registry, `klimatpuls dlq replay` sends them through the
 * gateway again and they are stored; a second replay has nothing left to send.
 */
let bucket = '';
afterAll(async () => {
  if (bucket) await deleteBucket(bucket).catch(() => {});
});

it('dlq replay stores dead-lettered readings once the registry knows the device', async () => {
  const tenant = runId('dlq');
  const known = { id: `${tenant}-known`, tenant, kind: 'electricity_meter' };
  const late = { id: `${tenant}-late`, tenant, kind: 'electricity_meter' };
  const registryFile = writeRegistry([known]);
  const routes = `klimatpuls/${tenant}/+/up=native`;
  const first = await startPipeline({ registryFile, routes });
  bucket = first.bucket;
  const client = await mqtt.connectAsync(STACK.mqttUrl, { ...STACK.mqttAuth, clientId: `pub-${tenant}` });
  for (let i = 0; i < 3; i++) {
    await client.publishAsync(`klimatpuls/${tenant}/${late.id}/up`, JSON.stringify({ time: new Date(Date.UTC(2025, 0, 1, i)).toISOString(), readings: [{ metric: 'energy_total', value: 100 + i }] }), { qos: 1 });
  }
  await client.endAsync();
  const dead = await waitFor('3 dead letters', () => readTopic(first.config.DEADLETTER_TOPIC), (r) => r.length >= 3, 30_000);
  expect(dead.map((d) => JSON.parse(d.value).reason)).toEqual(['unknown_device', 'unknown_device', 'unknown_device']);
  await first.stop({ keepSession: true });

  // the operator adds the device and restarts the gateway with the new registry
  writeFileSync(registryFile, JSON.stringify({ devices: [known, late] }));
  const second = await startPipeline({ registryFile, routes, id: first.id });
  try {
    const summary = await replayDeadLetters({
      bus: second.bus, deadLetterTopic: second.config.DEADLETTER_TOPIC, readingsTopic: second.config.READINGS_TOPIC,
      mqttUrl: STACK.mqttUrl, mqttUsername: STACK.mqttAuth.username, mqttPassword: STACK.mqttAuth.password, reasons: ['unknown_device'], dryRun: false, groupId: `dlq-${first.id}`,
    });
    expect(summary).toMatchObject({ seen: 3, republishedToMqtt: 3, reproducedToReadings: 0 });
    await waitFor('replayed readings stored', () => countPoints(bucket), (n) => n >= 3, 30_000);
    expect(await countPoints(bucket)).toBe(3);
    const again = await replayDeadLetters({
      bus: second.bus, deadLetterTopic: second.config.DEADLETTER_TOPIC, readingsTopic: second.config.READINGS_TOPIC,
      mqttUrl: STACK.mqttUrl, mqttUsername: STACK.mqttAuth.username, mqttPassword: STACK.mqttAuth.password, reasons: ['unknown_device'], dryRun: false, groupId: `dlq-${first.id}`,
    });
    expect(again.republishedToMqtt).toBe(0);
  } finally {
    await second.stop();
  }
});
