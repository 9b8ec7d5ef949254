import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { Telemetry } from '../core/telemetry.js';
import { HttpServer } from '../http/httpServer.js';
import { testOperatorAuth } from '../http/testing.js';
import { loadTls } from './tls.js';

const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-tls-'));
execFileSync('bash', [join(PACKAGE_ROOT, 'deploy/tls/make-certs.sh'), dir], { stdio: 'ignore' });

function httpsGet(url: string, ca?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => get(url, { ca }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
}

describe('TLS on the HTTP APIs', () => {
  it('deploy/tls/make-certs.sh makes a CA and a localhost certificate the servers use', async () => {
    const tls = loadTls({ TLS_CERT_FILE: join(dir, 'server.crt'), TLS_KEY_FILE: join(dir, 'server.key') });
    const server = new HttpServer({ host: '127.0.0.1', port: 0, telemetry: new Telemetry({ defaultMetrics: false }), readiness: {}, logger: createLogger('silent'), tls, auth: testOperatorAuth().auth });
    const url = await server.start();
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = readFileSync(join(dir, 'ca.crt'));
      expect(await httpsGet(`${url.replace('127.0.0.1', 'localhost')}/healthz`, ca)).toBe(200);
      expect(await httpsGet(`${url}/healthz`, ca)).toBe(200); // 127.0.0.1 is in the certificate too
      await expect(httpsGet(`${url}/healthz`)).rejects.toThrow(/self.signed|unable to verify|certificate/i); // not trusted without the CA
    } finally {
      await server.stop();
    }
  });

  it('is off without certificates and names an unreadable file', () => {
    expect(loadTls({})).toBeUndefined();
    expect(() => loadTls({ TLS_CERT_FILE: join(dir, 'nope.crt'), TLS_KEY_FILE: join(dir, 'server.key') })).toThrow(ConfigError);
  });
});
