import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.js';
import { loadConfig, defaultRegistryFile } from '../core/config.js';
import { DEFAULT_ROUTES, decoders, getDecoder } from '../decoders/index.js';
import type { DecodedValue, Decoder } from '../decoders/types.js';
import { processMessage } from '../gateway/messageProcessor.js';
import { DeviceRegistry } from '../registry/deviceRegistry.js';
import { TenantTopicRouter } from '../gateway/routing/tenantRouter.js';

export const DECODE_USAGE = `usage: klimatpuls decode --topic TOPIC [--format NAME] [--registry FILE] [FILE]
Prints, as JSON, what the gateway would make of one message (FILE, or stdin):
the decoded values, the canonical readings, the values it has no metric for
(unknown: reported, not stored), and what it would dead-letter and why.
No service needs to run. Exit code 0 when nothing is rejected, 3 otherwise.
formats: ${Object.keys(decoders).join(', ')}`;

/** `klimatpuls decode`: the gateway's message processing, offline. */
export function decodeCommand(argv: string[], env = process.env, stdin: () => Buffer = () => readFileSync(0)): { output: unknown; exitCode: number } {
  const { values: o, positionals } = parseArgs({
    args: argv,
    options: { topic: { type: 'string' }, format: { type: 'string' }, registry: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (o.help) return { output: DECODE_USAGE, exitCode: 0 };
  if (!o.topic) throw new ConfigError('--topic', 'the MQTT topic the message arrived on');
  let forceDecoder: Decoder | undefined;
  if (o.format) {
    forceDecoder = getDecoder(o.format);
    if (!forceDecoder) throw new ConfigError('--format', `one of ${Object.keys(decoders).join(', ')}`, o.format);
  }
  const c = loadConfig(env);
  const registryFile = o.registry ?? defaultRegistryFile(c);
  const registry = DeviceRegistry.fromFile(registryFile);
  const payload = positionals[0] ? readFileSync(positionals[0]) : stdin();
  let decoded: DecodedValue[] = [];
  let usedDecoder: Decoder | undefined;
  const result = processMessage(o.topic, payload, new Date(), {
    router: new TenantTopicRouter(c.DECODER_ROUTES ?? DEFAULT_ROUTES),
    forceDecoder,
    registry,
    maxPayloadBytes: c.MAX_PAYLOAD_BYTES,
    maxReadingsPerMessage: c.MAX_READINGS_PER_MESSAGE,
    maxFutureMs: c.MAX_FUTURE_SKEW_S * 1000,
    minObservedAt: new Date('2000-01-01T00:00:00Z'),
    onDecoded: (values, decoder) => {
      decoded = values;
      usedDecoder = decoder;
    },
  });
  const unknownDevices = [...new Set(decoded.map((v) => v.deviceRef).filter((ref) => !registry.get(ref)))];
  const output = {
    topic: o.topic,
    decoder: usedDecoder ? { name: usedDecoder.name, version: usedDecoder.version } : result.deadLetter?.decoder ?? null,
    registry: registryFile,
    decoded: decoded.map((v) => ({ ...v, observedAt: v.observedAt?.toISOString() })),
    ...(unknownDevices.length ? { unknownDevices, note: 'these devices are not in the registry: their values would be dead-lettered (unknown_device)' } : {}),
    readings: result.readings,
    ...(result.unknown ? { unknown: result.unknown.values } : {}),
    rejected: result.deadLetter?.rejected ?? [],
  };
  return { output, exitCode: result.deadLetter ? 3 : 0 };
}
