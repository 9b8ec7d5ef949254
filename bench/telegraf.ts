/**
 * Telegraf as the bench's peer (issue 16): the binary deploy/stack/install-telegraf.sh
 * builds (mqtt_consumer → influxdb_v2, json_v2 only), its configuration for the bench's
 * load, a write token of its own, and a process whose written count comes from its
 * log ("Wrote batch of N metrics", one debug line per batch written to InfluxDB:
 * what klimatpuls_readings_written_total is for the writer).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK } from '../test/helpers/stack.js';
import { ROOT, sleep, track, type Proc } from './lib.js';

export const TELEGRAF_VERSION = process.env.TELEGRAF_VERSION ?? 'v1.37.2';

/** Builds Telegraf when it is not built yet (idempotent, cached in the stack's cache dir); returns the binary. */
export function telegrafBinary(): string {
  execFileSync('bash', ['deploy/stack/install-telegraf.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TELEGRAF_VERSION } });
  const home = process.env.KLIMATPULS_STACK_HOME ?? join(homedir(), '.cache/klimatpuls/stack');
  return join(home, 'telegraf', TELEGRAF_VERSION, 'telegraf');
}

export interface TelegrafSettings {
  /** Client id of its persistent session. */
  clientId: string;
  /** The bench's tenant: it subscribes to klimatpuls/<tenant>/+/up as the gateway does. */
  tenant: string;
  bucket: string;
  /** metric_batch_size: points per InfluxDB write (the writer's WRITER_BATCH_SIZE is 5,000). */
  batchSize: number;
  /** max_undelivered_messages: QoS 1 messages taken and not yet written (acknowledged after the write). */
  maxUndelivered: number;
}

/**
 * The configuration: QoS 1, persistent session, the native JSON payload parsed by
 * json_v2 into one point per reading (measurement readings, tag metric, field value,
 * time from the message's `time`), tenant and device tags from the topic. Secrets come
 * from its environment (Telegraf substitutes ${VAR}), never from the file.
 */
export function telegrafConfig(s: TelegrafSettings): string {
  return `[agent]
  interval = "10s"
  flush_interval = "1s"
  flush_jitter = "0s"
  metric_batch_size = ${s.batchSize}
  metric_buffer_limit = ${Math.max(100_000, 4 * s.maxUndelivered)}
  omit_hostname = true
  debug = true

[[inputs.mqtt_consumer]]
  servers = ["${STACK.mqttUrl.replace(/^mqtt:/, 'tcp:')}"]
  topics = ["klimatpuls/${s.tenant}/+/up"]
  qos = 1
  persistent_session = true
  client_id = "${s.clientId}"
  username = "\${KP_MQTT_USERNAME}"
  password = "\${KP_MQTT_PASSWORD}"
  max_undelivered_messages = ${s.maxUndelivered}
  topic_tag = ""
  data_format = "json_v2"
  [[inputs.mqtt_consumer.topic_parsing]]
    topic = "klimatpuls/+/+/up"
    tags = "_/tenant/device/_"
  [[inputs.mqtt_consumer.json_v2]]
    measurement_name = "readings"
    timestamp_path = "time"
    timestamp_format = "unix_ms"
    [[inputs.mqtt_consumer.json_v2.object]]
      path = "readings"
      tags = ["metric"]

[[outputs.influxdb_v2]]
  urls = ["${STACK.influxUrl}"]
  token = "\${KP_INFLUX_TOKEN}"
  organization = "${STACK.influxOrg}"
  bucket = "${s.bucket}"
  content_encoding = "identity"
`;
}

async function influxApi(path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${STACK.influxUrl}${path}`, { ...init, headers: { Authorization: `Token ${STACK.influxToken}`, 'Content-Type': 'application/json' } });
  if (!res.ok) throw new Error(`InfluxDB ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

/** A bucket and a token that may only write to it: Telegraf's own credentials. */
export async function telegrafBucket(name: string): Promise<{ token: string; drop: () => Promise<void> }> {
  const orgID = (await influxApi(`/api/v2/orgs?org=${encodeURIComponent(STACK.influxOrg)}`)).orgs[0].id as string;
  const bucket = await influxApi('/api/v2/buckets', { method: 'POST', body: JSON.stringify({ orgID, name, retentionRules: [] }) });
  const auth = await influxApi('/api/v2/authorizations', {
    method: 'POST',
    body: JSON.stringify({ orgID, description: `bench peer telegraf ${name}`, permissions: [{ action: 'write', resource: { type: 'buckets', id: bucket.id, orgID } }] }),
  });
  return {
    token: auth.token as string,
    drop: async () => {
      await influxApi(`/api/v2/authorizations/${auth.id}`, { method: 'DELETE' }).catch(() => {});
      await influxApi(`/api/v2/buckets/${bucket.id}`, { method: 'DELETE' }).catch(() => {});
    },
  };
}

export type TelegrafProc = Proc & { written: number };

/** Starts Telegraf; resolves once its MQTT consumer has connected and subscribed. */
export async function startTelegraf(bin: string, s: TelegrafSettings, token: string): Promise<TelegrafProc> {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-bench-telegraf-'));
  const file = join(dir, 'telegraf.conf');
  writeFileSync(file, telegrafConfig(s), { mode: 0o600 });
  const child = spawn(bin, ['--config', file], {
    env: { PATH: process.env.PATH ?? '', KP_MQTT_USERNAME: STACK.mqttAuth.username ?? '', KP_MQTT_PASSWORD: STACK.mqttAuth.password ?? '', KP_INFLUX_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const p = Object.assign(track(child), { written: 0 });
  let connected = false;
  let partial = '';
  const onData = (b: Buffer) => {
    const text = partial + b.toString();
    const cut = text.lastIndexOf('\n');
    partial = text.slice(cut + 1);
    for (const m of text.slice(0, cut + 1).matchAll(/Wrote batch of (\d+) metrics/g)) p.written += Number(m[1]);
    if (!connected && /\[inputs\.mqtt_consumer\] Connected/.test(text)) connected = true;
  };
  child.stderr!.on('data', onData);
  child.stdout!.on('data', onData);
  const until = Date.now() + 60_000;
  while (!connected) {
    if (child.exitCode !== null) throw new Error(`telegraf exited with ${child.exitCode}\n${p.output()}`);
    if (Date.now() > until) throw new Error(`telegraf did not connect in 60 s\n${p.output()}`);
    await sleep(100);
  }
  await sleep(500); // the subscription follows the CONNACK
  return p;
}
