import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PIPELINE_MQTT_USERNAME, readPipelinePassword } from '../../services/broker/mqttIdentity.js';
import { startEmbeddedApp, type EmbeddedApp } from '../helpers/embeddedApp.js';
import { exited, spawnKlimatpuls } from '../helpers/processes.js';
import { TEST_OPERATOR_TOKEN, waitFor } from '../helpers/stack.js';

/**
 * `klimatpuls report` while `npm start` runs on the same DATA_DIR: the running app
 * holds DATA_DIR/klimatpuls.duckdb (DuckDB lets no other process open it, not even
 * read-only), so the command asks the app's /api/report for the report data with
 * the operator token and renders the files itself. After the app stopped, the same
 * command opens the file itself: both reports hold the same data.
 */
const Q3 = Date.parse('2025-06-30T22:00:00Z'); // 1 July 00:00 in Stockholm
const DAYS = 92;
const H = 3_600_000;
let app: EmbeddedApp;
let env: Record<string, string>;

beforeAll(async () => {
  app = await startEmbeddedApp();
  env = { DATA_DIR: app.dataDir, HTTP_PORT: String(app.http), OPERATOR_TOKEN: TEST_OPERATOR_TOKEN, LOG_LEVEL: 'warn' };
  // 2025Q3 of two demo devices, one message per device and day (native format, a time per reading):
  // el-norrgard's register rises 10 kWh an hour, temp-centrum reads 7 °C (10 °C·d a day).
  const pub = await mqtt.connectAsync(app.mqttUrl, { username: PIPELINE_MQTT_USERNAME, password: readPipelinePassword(app.dataDir) });
  for (let d = 0; d < DAYS; d++) {
    const hours = Array.from({ length: 24 }, (_, h) => Q3 + (d * 24 + h) * H);
    await pub.publishAsync('klimatpuls/kalmar/el-norrgard/up', JSON.stringify({ readings: hours.map((t) => ({ metric: 'energy_total', value: 10 * ((t - Q3) / H), time: t })) }), { qos: 1 });
    await pub.publishAsync('klimatpuls/kalmar/temp-centrum/up', JSON.stringify({ readings: hours.map((t) => ({ metric: 'temperature', value: 7, time: t })) }), { qos: 1 });
  }
  await pub.endAsync();
  await waitFor('the quarter written to DuckDB', () => app.metrics(), (m) => Number(/klimatpuls_readings_written_total\{service="writer"\} (\d+)/.exec(m)?.[1] ?? 0) >= 2 * 24 * DAYS, 120_000);
});

afterAll(async () => {
  await app?.stop();
});

async function report(out: string, extraEnv: Record<string, string> = {}) {
  const child = spawnKlimatpuls('report', { ...env, ...extraEnv }, ['--city', 'kalmar', '--quarter', '2025Q3', '--out', out]);
  await exited(child);
  return { code: child.exitCode, output: child.output() };
}

const json = (dir: string, lang: string) => {
  const data = JSON.parse(readFileSync(join(dir, `kalmar-2025Q3-${lang}.json`), 'utf8'));
  delete data.generatedAt;
  return data;
};

it('klimatpuls report works while npm start holds the DuckDB file, through the running server', async () => {
  const whileRunning = mkdtempSync(join(tmpdir(), 'klimatpuls-report-running-'));
  const r = await report(whileRunning);
  expect(r.code, r.output).toBe(0);
  expect(r.output).toContain(`klimatpuls.duckdb is open in another process (the running server): asking http://127.0.0.1:${app.http}/api/report`);
  for (const lang of ['sv', 'en']) for (const ext of ['html', 'csv', 'json']) expect(existsSync(join(whileRunning, `kalmar-2025Q3-${lang}.${ext}`))).toBe(true);
  const en = json(whileRunning, 'en');
  expect(en).toMatchObject({ city: 'kalmar', quarter: '2025Q3', lang: 'en' });
  expect(en.indicators.find((i: { id: string }) => i.id === 'degree_days')).toMatchObject({ value: 10 * DAYS, sufficient: true });
  expect(readFileSync(join(whileRunning, 'kalmar-2025Q3-sv.html'), 'utf8')).toContain('<html');

  // The server refuses a wrong token; the command says so and fails.
  const refused = await report(mkdtempSync(join(tmpdir(), 'klimatpuls-report-refused-')), { OPERATOR_TOKEN: 'not-the-operator-token-0123456789' });
  expect(refused.code).toBe(1);
  expect(refused.output).toContain('refused the operator token');

  // Stopped, the command opens the file itself: the same report.
  expect(await app.stop()).toBe(0);
  const afterStop = mkdtempSync(join(tmpdir(), 'klimatpuls-report-stopped-'));
  const local = await report(afterStop);
  expect(local.code, local.output).toBe(0);
  expect(local.output).not.toContain('asking');
  for (const lang of ['sv', 'en']) expect(json(whileRunning, lang)).toEqual(json(afterStop, lang));
});
