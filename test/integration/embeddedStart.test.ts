import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { expect, it } from 'vitest';
import { PIPELINE_MQTT_USERNAME, pipelinePasswordFile, readPipelinePassword } from '../../services/broker/mqttIdentity.js';
import { exited, spawnKlimatpuls, waitReady } from '../helpers/processes.js';
import { freePort, waitFor } from '../helpers/stack.js';

/**
 * `klimatpuls start` with no service configured: embedded broker, in-process bus,
 * DuckDB, demo simulator. Readings must show up on /api/readings/latest (with the
 * operator token the first start leaves in DATA_DIR/tenants/operator.token; without
 * it: 401), DATA_DIR is 0700 and DuckDB's files 0600, and SIGINT (Ctrl-C) must stop it
 * cleanly with exit code 0.
 */
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
it('npm start: readings flow without configuration, Ctrl-C stops cleanly', async () => {
  const [http, mqttPort] = [await freePort(), await freePort()];
  const dataDir = join(mkdtempSync(join(tmpdir(), 'klimatpuls-start-')), 'data'); // created by start
  const child = spawnKlimatpuls('start', { HTTP_PORT: String(http), MQTT_EMBEDDED_PORT: String(mqttPort), DATA_DIR: dataDir, SIMULATOR_INTERVAL_MS: '200', DEMO_HISTORY: 'off', LOG_LEVEL: 'warn' }); // the demo history: demoHistory.test.ts
  try {
    await waitReady(http);
    expect((await fetch(`http://127.0.0.1:${http}/api/readings/latest?tenant=kalmar`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${http}/metrics`)).status).toBe(401);
    const tokenFile = join(dataDir, 'tenants', 'operator.token');
    expect(mode(tokenFile)).toBe('600');
    const headers = { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` };
    const get = (url: string) => fetch(url, { headers });
    const body = await waitFor('fresh readings', async () => (await get(`http://127.0.0.1:${http}/api/readings/latest?limit=100`)).json() as Promise<any>,
      (b) => b.count >= 15, 30_000);
    expect(mode(dataDir)).toBe('700');
    expect(mode(join(dataDir, 'klimatpuls.duckdb'))).toBe('600');
    if (existsSync(join(dataDir, 'klimatpuls.duckdb.wal'))) expect(mode(join(dataDir, 'klimatpuls.duckdb.wal'))).toBe('600');
    const devices = new Set(body.readings.map((r: any) => r.deviceId));
    expect(devices.size).toBeGreaterThanOrEqual(15); // every demo device reported
    for (const r of body.readings) expect(Date.now() - Date.parse(r.observedAt)).toBeLessThan(60_000);
    expect(child.output()).toContain('Klimatpuls is running');
    const metrics = await (await get(`http://127.0.0.1:${http}/metrics`)).text();
    expect(metrics).toMatch(/klimatpuls_readings_written_total\{service="writer"\} [1-9]/);
    expect(metrics).toMatch(/klimatpuls_messages_received_total\{service="gateway"\} [1-9]/);
    // a bad message moves the dead-letter counter, by reason
    // The internal listener takes only the pipeline user, whose password start generated (0600).
    await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/);
    expect(statSync(pipelinePasswordFile(dataDir)).mode & 0o777).toBe(0o600);
    const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { username: PIPELINE_MQTT_USERNAME, password: readPipelinePassword(dataDir) });
    await pub.publishAsync('klimatpuls/kalmar/el-berga/up', 'not json at all', { qos: 1 });
    await pub.endAsync();
    await waitFor('the dead-letter counter', async () => (await get(`http://127.0.0.1:${http}/metrics`)).text(),
      (m) => /klimatpuls_dead_letters_total\{service="gateway",reason="not_json"\} 1/.test(m), 10_000);
  } finally {
    child.kill('SIGINT');
    await exited(child);
  }
  expect(child.exitCode, child.output()).toBe(0);
  expect(child.output()).toContain('klimatpuls stopped');
});
