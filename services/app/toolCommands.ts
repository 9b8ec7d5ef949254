import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { pipelineMqttAuth } from '../broker/mqttIdentity.js';
import { record } from '../tools/record.js';
import { replay } from '../tools/replay.js';
import { buildBus } from './components.js';
import { replayDeadLetters } from '../tools/dlqReplay.js';

/** `klimatpuls record`, `replay` and `dlq replay`: thin argument parsing over the tools. */

export async function recordCommand(argv: string[], env = process.env): Promise<void> {
  const { values: o } = parseArgs({ args: argv, options: { out: { type: 'string' }, topic: { type: 'string', multiple: true }, count: { type: 'string' }, seconds: { type: 'string' } } });
  if (!o.out) throw new ConfigError('--out', 'the NDJSON file to write');
  const c = loadConfig(env);
  await record({
    mqttUrl: c.MQTT_URL ?? 'mqtt://127.0.0.1:1883', ...pipelineMqttAuth(c), out: o.out,
    topics: o.topic?.length ? o.topic : ['#'],
    count: o.count === undefined ? undefined : positive('--count', o.count),
    seconds: o.seconds === undefined ? undefined : positive('--seconds', o.seconds),
  });
}

export async function replayCommand(argv: string[], env = process.env): Promise<void> {
  const { values: o, positionals } = parseArgs({ args: argv, options: { speed: { type: 'string', default: '1' } }, allowPositionals: true });
  if (!positionals[0]) throw new ConfigError('FILE', 'an NDJSON capture (klimatpuls record, or a simulator stream)');
  const speed = Number(o.speed);
  if (!Number.isFinite(speed) || speed < 0) throw new ConfigError('--speed', 'a number >= 0 (1 = real time, 0 = as fast as possible)', o.speed);
  const c = loadConfig(env);
  const s = await replay({ file: positionals[0], mqttUrl: c.MQTT_URL ?? 'mqtt://127.0.0.1:1883', speed, ...pipelineMqttAuth(c) });
  for (const k of s.skipped.slice(0, 10)) process.stderr.write(`  line ${k.line} skipped: ${k.error}\n`);
}

export async function dlqCommand(argv: string[], env = process.env): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'replay') throw new ConfigError('dlq', 'a subcommand: replay');
  const { values: o } = parseArgs({ args: rest, options: { reason: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean', default: false } } });
  const c = loadConfig(env);
  const logger = createLogger(c.LOG_LEVEL === 'info' ? 'warn' : c.LOG_LEVEL);
  const bus = buildBus(c.KAFKA_BROKERS ? c : { ...c, KAFKA_BROKERS: ['127.0.0.1:9092'] }, logger);
  try {
    const summary = await replayDeadLetters({
      bus, deadLetterTopic: c.DEADLETTER_TOPIC, readingsTopic: c.READINGS_TOPIC,
      mqttUrl: c.MQTT_URL ?? 'mqtt://127.0.0.1:1883', mqttUsername: pipelineMqttAuth(c).username, mqttPassword: pipelineMqttAuth(c).password,
      reasons: o.reason ?? [], dryRun: o['dry-run'] ?? false,
      groupId: o['dry-run'] ? `klimatpuls-dlq-dry-run-${randomBytes(4).toString('hex')}` : `${c.WRITER_GROUP_ID}-dlq-replay`,
    });
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await bus.close();
  }
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(name, 'a number > 0', v);
  return n;
}
