import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { ConfigError, KlimatpulsError, RequestError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { Telemetry } from '../core/telemetry.js';
import { HttpServer } from '../http/httpServer.js';
import { testOperatorAuth } from '../http/testing.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { duckDbSinkAt } from '../sinks/duckdb/index.js';
import { buildIndicatorsApp } from '../app/indicatorsApp.js';
import { fetchReportData, operatorTokenOf, runningServerUrl } from './remoteReport.js';

/** The client side of /api/report: where the running server is, its token, and what its answers mean. */
describe('runningServerUrl and operatorTokenOf', () => {
  it('finds the server of a configuration: loopback for every interface, 8080 like `start`, https with TLS', () => {
    expect(runningServerUrl(loadConfig({}))).toBe('http://127.0.0.1:8080');
    expect(runningServerUrl(loadConfig({ HTTP_HOST: '0.0.0.0', HTTP_PORT: '9090' }))).toBe('http://127.0.0.1:9090');
    expect(runningServerUrl(loadConfig({ HTTP_HOST: '::' }))).toBe('http://[::1]:8080');
    expect(runningServerUrl(loadConfig({ HTTP_HOST: '10.1.2.3', TLS_CERT_FILE: '/x.pem', TLS_KEY_FILE: '/x.key' }))).toBe('https://10.1.2.3:8080');
  });

  it('takes OPERATOR_TOKEN, else the token the first start left in the tenants folder, else says what is missing', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'klimatpuls-remote-'));
    expect(operatorTokenOf(loadConfig({ DATA_DIR: dataDir, OPERATOR_TOKEN: 'from-the-environment-0123456789' }))).toBe('from-the-environment-0123456789');
    expect(() => operatorTokenOf(loadConfig({ DATA_DIR: dataDir }))).toThrow(ConfigError);
    mkdirSync(join(dataDir, 'tenants'));
    writeFileSync(join(dataDir, 'tenants', 'operator.token'), 'kpo_from-the-file\n');
    expect(operatorTokenOf(loadConfig({ DATA_DIR: dataDir }))).toBe('kpo_from-the-file');
  });
});

describe('fetchReportData against a real server', async () => {
  const sink = await duckDbSinkAt(':memory:');
  const access = testOperatorAuth();
  let server: HttpServer;
  let base = '';
  beforeAll(async () => {
    await sink.store.init();
    const app = buildIndicatorsApp(loadConfig({}), { sink, registry: new DeviceRegistry([]), logger: createLogger('silent') });
    server = new HttpServer({ host: '127.0.0.1', port: 0, telemetry: new Telemetry({ defaultMetrics: false }), logger: createLogger('silent'), readiness: {}, routes: app.routes, auth: access.auth });
    base = await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await sink.store.close();
  });
  const ask = (o: Partial<Parameters<typeof fetchReportData>[0]> = {}) => fetchReportData({ server: base, token: access.operatorToken, city: 'malmo', quarter: '2025Q3', lang: 'sv', ...o });

  it('returns the report data of the city, quarter and language asked for', async () => {
    expect(await ask()).toMatchObject({ city: 'malmo', quarter: '2025Q3', lang: 'sv' });
  });

  it('turns refusals and a missing server into errors that say what happened', async () => {
    await expect(ask({ token: 'wrong-token-0123456789abcdef' })).rejects.toThrow(RequestError);
    await expect(ask({ token: 'wrong-token-0123456789abcdef' })).rejects.toThrow(/refused the operator token/);
    await expect(ask({ city: 'atlantis' })).rejects.toThrow(/city: expected one of the cities/);
    const closed = new HttpServer({ host: '127.0.0.1', port: 0, telemetry: new Telemetry({ defaultMetrics: false }), logger: createLogger('silent'), readiness: {}, auth: access.auth });
    const gone = await closed.start();
    await closed.stop();
    const err = await ask({ server: gone }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KlimatpulsError);
    expect((err as KlimatpulsError).message).toMatch(new RegExp(`^no Klimatpuls server answers at ${gone}`));
  });
});
