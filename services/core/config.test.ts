import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRegistryFile, loadConfig, PACKAGE_ROOT } from './config.js';
import { ConfigError } from './errors.js';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig defaults', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      LOG_LEVEL: 'info',
      MQTT_CLIENT_ID: 'klimatpuls-gateway',
      MQTT_MAX_IN_FLIGHT: 2_000,
      MQTT_PROTOCOL_VERSION: 5,
      MQTT_KEEPALIVE_S: 30,
      MQTT_EMBEDDED_PORT: 1883,
      KAFKA_CLIENT_ID: 'klimatpuls',
      KAFKA_PARTITIONS: 3,
      KAFKA_CLIENT: 'platformatic',
      READINGS_TOPIC: 'klimatpuls.readings',
      DEADLETTER_TOPIC: 'klimatpuls.deadletter',
      WRITER_GROUP_ID: 'klimatpuls-writer',
      WRITER_BATCH_SIZE: 5000,
      INFLUX_ORG: 'klimatpuls',
      INFLUX_BUCKET: 'readings',
      INFLUX_MEASUREMENT: 'readings',
      DATA_DIR: '.klimatpuls',
      HTTP_HOST: '127.0.0.1',
      SIMULATOR_INTERVAL_MS: 2000,
      MAX_PAYLOAD_BYTES: 256 * 1024,
      MAX_FUTURE_SKEW_S: 300,
      DRAIN_TIMEOUT_MS: 15_000,
    });
    for (const k of ['MQTT_URL', 'KAFKA_BROKERS', 'INFLUX_URL', 'INFLUX_TOKEN', 'HTTP_PORT', 'SIMULATOR', 'DECODER_ROUTES', 'REGISTRY_FILE'] as const) {
      expect(c[k], k).toBeUndefined();
    }
    expect(defaultRegistryFile(c)).toBe(join(PACKAGE_ROOT, 'services/demo/registry.json'));
  });

  it('parses valid values into their types', () => {
    const c = loadConfig({
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9093',
      HTTP_PORT: '0',
      MQTT_URL: 'mqtts://broker.example:8883',
      WRITER_BATCH_SIZE: '50000',
      SIMULATOR: 'off',
      DECODER_ROUTES: 'klimatpuls/+/+/up=native,other/#=native',
      REGISTRY_FILE: '/etc/klimatpuls/devices.json',
      LOG_LEVEL: 'silent',
    });
    expect(c.KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:9093']);
    expect(c.HTTP_PORT).toBe(0);
    expect(c.MQTT_URL).toBe('mqtts://broker.example:8883');
    expect(c.WRITER_BATCH_SIZE).toBe(50_000);
    expect(c.SIMULATOR).toBe(false);
    expect(loadConfig({ SIMULATOR: 'YES' }).SIMULATOR).toBe(true);
    expect(c.DECODER_ROUTES).toEqual([['klimatpuls/+/+/up', 'native'], ['other/#', 'native']]);
    expect(defaultRegistryFile(c)).toBe('/etc/klimatpuls/devices.json');
    expect(loadConfig({ MQTT_PROTOCOL_VERSION: '4', MQTT_KEEPALIVE_S: '5' })).toMatchObject({ MQTT_PROTOCOL_VERSION: 4, MQTT_KEEPALIVE_S: 5 });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ HTTP_PORT: '', WRITER_BATCH_SIZE: '' }).WRITER_BATCH_SIZE).toBe(5000);
  });
});

describe('loadConfig errors', () => {
  it.each([
    ['KAFKA_BROKERS', 'nonsense'],
    ['KAFKA_BROKERS', 'kafka:9092,'],
    ['HTTP_PORT', '99999'],
    ['HTTP_PORT', '-1'],
    ['HTTP_PORT', '80.5'],
    ['MQTT_URL', 'ftp://x'],
    ['MQTT_URL', 'not a url'],
    ['WRITER_BATCH_SIZE', '0'],
    ['WRITER_BATCH_SIZE', '50001'],
    ['SIMULATOR', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['INFLUX_URL', 'mqtt://influx:8086'],
    ['DECODER_ROUTES', 'klimatpuls/+/+/up'],
    ['MQTT_CLIENT_ID', 'has space'],
    ['MAX_PAYLOAD_BYTES', '10'],
    ['MQTT_PROTOCOL_VERSION', '3'],
    ['MQTT_KEEPALIVE_S', '0'],
    ['KAFKA_CLIENT', 'librdkafka'],
  ])('%s=%s throws a ConfigError naming the variable and the value', (variable, value) => {
    const err = configError({ [variable]: value });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: expected `)).toBe(true);
    expect(err.message).toContain(JSON.stringify(value));
    expect(err.retriable).toBe(false);
  });

  it('names INFLUX_TOKEN when INFLUX_URL is set without it', () => {
    const err = configError({ INFLUX_URL: 'http://influx:8086' });
    expect(err.variable).toBe('INFLUX_TOKEN');
    expect(err.message).toMatch(/^INFLUX_TOKEN: /);
    expect(loadConfig({ INFLUX_URL: 'http://influx:8086', INFLUX_TOKEN: 't0k3n' }).INFLUX_TOKEN).toBe('t0k3n');
  });

  it('never echoes a wrong secret', () => {
    // An empty string is "unset" in the environment, but a file can carry one explicitly.
    const file = join(dir, 'secret.json');
    writeFileSync(file, JSON.stringify({ INFLUX_TOKEN: '' }));
    const err = configError({ CONFIG_FILE: file });
    expect(err.variable).toBe('INFLUX_TOKEN');
    expect(err.message).not.toContain('got');

    // A secret that fails validation because of another variable is not in the message either.
    const secret = 'hunter2-very-secret';
    const err2 = configError({ INFLUX_URL: 'ftp://x', INFLUX_TOKEN: secret, MQTT_PASSWORD: secret });
    expect(err2.variable).toBe('INFLUX_URL');
    expect(err2.message).not.toContain(secret);
    expect(JSON.stringify(err2)).not.toContain(secret);
  });

  it('rejects an unreadable or non-object CONFIG_FILE, naming CONFIG_FILE', () => {
    expect(configError({ CONFIG_FILE: join(dir, 'missing.json') }).variable).toBe('CONFIG_FILE');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    expect(configError({ CONFIG_FILE: bad }).variable).toBe('CONFIG_FILE');
    const arr = join(dir, 'array.json');
    writeFileSync(arr, '[1,2]');
    expect(configError({ CONFIG_FILE: arr }).variable).toBe('CONFIG_FILE');
  });
});

describe('CONFIG_FILE', () => {
  it('uses values from the file, and the environment wins', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ HTTP_PORT: 8099, WRITER_BATCH_SIZE: '42', INFLUX_BUCKET: 'from-file', SIMULATOR: true }));
    const fromFile = loadConfig({ CONFIG_FILE: file });
    expect(fromFile.HTTP_PORT).toBe(8099); // numbers in the file are accepted
    expect(fromFile.WRITER_BATCH_SIZE).toBe(42);
    expect(fromFile.INFLUX_BUCKET).toBe('from-file');
    expect(fromFile.SIMULATOR).toBe(true);

    const both = loadConfig({ CONFIG_FILE: file, HTTP_PORT: '9000', INFLUX_BUCKET: 'from-env' });
    expect(both.HTTP_PORT).toBe(9000);
    expect(both.INFLUX_BUCKET).toBe('from-env');
    expect(both.WRITER_BATCH_SIZE).toBe(42);
  });

  it('validates values from the file like environment values', () => {
    const file = join(dir, 'bad-value.json');
    writeFileSync(file, JSON.stringify({ HTTP_PORT: 99999 }));
    const err = configError({ CONFIG_FILE: file });
    expect(err.variable).toBe('HTTP_PORT');
  });
});

describe('the result', () => {
  it('is frozen', () => {
    const c = loadConfig({ KAFKA_BROKERS: 'k:9092' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { HTTP_HOST: string }).HTTP_HOST = '0.0.0.0';
    }).toThrow(TypeError);
    expect(c.HTTP_HOST).toBe('127.0.0.1');
  });

  it('ignores variables that are not settings', () => {
    const c = loadConfig({ PATH: '/usr/bin', HOME: '/root' }) as Record<string, unknown>;
    expect(c.PATH).toBeUndefined();
  });
});
