import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, tenantsDir } from './config.js';
import { ConfigError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-config-sec-'));

describe('security configuration', () => {
  it('reads secrets from <NAME>_FILE (trailing newline dropped); the variable itself wins', () => {
    writeFileSync(join(dir, 'admin'), 'from-a-file-0123456789abcdef\n');
    expect(loadConfig({ ADMIN_TOKEN_FILE: join(dir, 'admin') }).ADMIN_TOKEN).toBe('from-a-file-0123456789abcdef');
    expect(loadConfig({ ADMIN_TOKEN_FILE: join(dir, 'admin'), ADMIN_TOKEN: 'from-the-env-0123456789abcdef' }).ADMIN_TOKEN).toBe('from-the-env-0123456789abcdef');
    writeFileSync(join(dir, 'influx'), 'tok');
    expect(loadConfig({ INFLUX_URL: 'http://x:8086', INFLUX_TOKEN_FILE: join(dir, 'influx') }).INFLUX_TOKEN).toBe('tok');
  });

  it('names the variable of an unreadable secret file and never echoes a secret', () => {
    expect(() => loadConfig({ MQTT_PASSWORD_FILE: join(dir, 'missing') })).toThrow(/MQTT_PASSWORD_FILE: expected a readable file.*ENOENT/);
    try {
      loadConfig({ ADMIN_TOKEN: 'short-secret' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/^ADMIN_TOKEN: expected at least 24 characters$/);
    }
  });

  it('defaults the limits and rate limits off; TLS and Mosquitto files come in pairs', () => {
    const c = loadConfig({ DATA_DIR: '/data' });
    expect(c).toMatchObject({ MAX_READINGS_PER_MESSAGE: 1000, RATE_LIMIT_DEVICE_PER_MIN: 0, RATE_LIMIT_TENANT_PER_S: 0, TENANT_READINGS_IN_MAIN_BUCKET: true, INFLUX_TENANT_BUCKET_PREFIX: 'tenant-' });
    expect(tenantsDir(c)).toBe('/data/tenants');
    expect(() => loadConfig({ TLS_CERT_FILE: '/c.pem' })).toThrow(/TLS_KEY_FILE/);
    expect(() => loadConfig({ MOSQUITTO_PASSWORD_FILE: '/p' })).toThrow(/MOSQUITTO_ACL_FILE/);
    expect(() => loadConfig({ RATE_LIMIT_DEVICE_PER_MIN: '-1' })).toThrow(/RATE_LIMIT_DEVICE_PER_MIN/);
  });

  it('binds the admin API apart from HTTP_HOST; operator token, /metrics and registry limits', () => {
    const c = loadConfig({ HTTP_HOST: '0.0.0.0' });
    expect(c).toMatchObject({ HTTP_HOST: '0.0.0.0', ADMIN_HTTP_HOST: '127.0.0.1', METRICS_PUBLIC: false, MAX_DEVICES_PER_TENANT: 10_000, MAX_BUILDINGS_PER_TENANT: 1000, REGISTRY_MAX_BYTES: 32 * 1024 * 1024 });
    expect(c.OPERATOR_TOKEN).toBeUndefined();
    writeFileSync(join(dir, 'operator'), 'operator-from-a-file-0123456789\n');
    expect(loadConfig({ OPERATOR_TOKEN_FILE: join(dir, 'operator') }).OPERATOR_TOKEN).toBe('operator-from-a-file-0123456789');
    expect(() => loadConfig({ OPERATOR_TOKEN: 'short-operator' })).toThrow(/^OPERATOR_TOKEN: expected at least 24 characters$/);
    expect(() => loadConfig({ REGISTRY_MAX_BYTES: '100' })).toThrow(/REGISTRY_MAX_BYTES/);
    expect(() => loadConfig({ METRICS_PUBLIC: 'maybe' })).toThrow(/METRICS_PUBLIC/);
  });
});
