import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createLogger, type Logger } from '../../services/core/logger.js';
import { STACK } from '../helpers/stack.js';

/**
 * What the running native stack offers tenants, as `stack.sh env` prints it (the
 * same STACK_* variables as test/helpers/stack.ts): tenant listeners, Mosquitto's
 * password/ACL/pid files, and the local CA of the TLS listener.
 */
export function securityStack(): {
  env: Record<string, string>;
  tenantUrl: string;
  tlsUrl: string;
  caFile: string;
  certFile: string;
  keyFile: string;
} {
  const out = execFileSync('bash', ['deploy/stack/stack.sh', 'env'], { encoding: 'utf8' });
  const env = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  for (const k of ['MQTT_TENANT_URL', 'MQTT_TENANT_TLS_URL', 'MOSQUITTO_PASSWORD_FILE', 'MOSQUITTO_ACL_FILE', 'MOSQUITTO_PID_FILE']) {
    if (!env[k]) throw new Error(`stack.sh env gives no ${k}: the running Mosquitto predates the tenant listeners; run: bash deploy/stack/stack.sh restart mosquitto`);
  }
  const tls = env.MOSQUITTO_PID_FILE!.replace(/mosquitto\/pid$/, 'tls');
  return { env, tenantUrl: env.MQTT_TENANT_URL!, tlsUrl: env.MQTT_TENANT_TLS_URL!, caFile: `${tls}/ca.crt`, certFile: `${tls}/server.crt`, keyFile: `${tls}/server.key` };
}

/** A logger whose every line is kept, so a test can search them for secrets. */
export function capturedLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

/** Fails with the offending line when any secret appears in any of the texts. */
export function assertNoSecrets(texts: Record<string, string[]>, secrets: string[]): void {
  const real = secrets.filter((s) => s && s.length >= 16);
  if (real.length === 0) throw new Error('no secrets to look for');
  for (const [where, lines] of Object.entries(texts)) {
    for (const line of lines) {
      const hit = real.find((s) => line.includes(s));
      if (hit) throw new Error(`a secret (${hit.slice(0, 4)}…) appears in ${where}: ${line.replaceAll(hit, '<THE SECRET>').slice(0, 300)}`);
    }
  }
}

/** JSON over HTTPS, trusting only the given CA (the admin API under test runs with TLS). */
export function httpsJson(url: string, o: { ca: Buffer; method?: string; token?: string; body?: unknown }): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const req = request(url, {
      method: o.method ?? 'GET', ca: o.ca,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Connects or rejects with the broker's refusal (no reconnects). */
export function connect(url: string, o: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...o });
}

/** Everything a client receives, for asserting that nothing (or something) arrived. */
export function collect(client: MqttClient): Array<{ topic: string; payload: string }> {
  const got: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  return got;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function fileLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** InfluxDB Flux query with a given token; status and body text. */
export async function influxQuery(token: string, flux: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${STACK.influxUrl}/api/v2/query?org=${encodeURIComponent(STACK.influxOrg)}`, {
    method: 'POST',
    headers: { Authorization: `Token ${token}`, 'Content-Type': 'application/vnd.flux', Accept: 'application/csv' },
    body: flux,
  });
  return { status: res.status, text: await res.text() };
}
