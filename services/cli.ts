#!/usr/bin/env node
import { ConfigError, KlimatpulsError } from './core/errors.js';
import { startAllInOne, startGateway, startIndicators, startWriter } from './app/commands.js';
import { decodeCommand } from './app/decodeCommand.js';
import { reportCommand } from './app/reportCommand.js';
import { dlqCommand, recordCommand, replayCommand, simulateCommand } from './app/toolCommands.js';

const USAGE = `usage: klimatpuls <command>

commands:
  start     everything in one process (embedded broker, bus and store unless
            MQTT_URL, KAFKA_BROKERS, INFLUX_URL are set)
  gateway   MQTT -> Kafka
  writer    Kafka -> InfluxDB
  decode    show what a message would become: decode --topic TOPIC [--format NAME] [--registry FILE] [FILE]
  simulate  write a simulated city stream: simulate --scenario FILE --out DIR (stream, truth, registry)
  record    capture MQTT traffic to NDJSON: record --out FILE [--topic FILTER]... [--count N] [--seconds S]
  replay    publish an NDJSON capture: replay FILE [--speed N]   (1 = real time, 0 = as fast as possible)
  indicators  recompute contract indicators as readings arrive (Kafka + InfluxDB); /api/indicators, /report
  report    the quarterly follow-up: report --city kalmar --quarter 2025Q3 [--lang sv|en|both] [--out DIR]
  dlq       dlq replay [--reason R]... [--dry-run]: send dead letters through the pipeline again

Configuration comes from environment variables; see README.md.`;

const commands: Record<string, () => Promise<void>> = {
  start: () => startAllInOne(),
  gateway: () => startGateway(),
  writer: () => startWriter(),
  simulate: () => simulateCommand(process.argv.slice(3)),
  record: () => recordCommand(process.argv.slice(3)),
  replay: () => replayCommand(process.argv.slice(3)),
  dlq: () => dlqCommand(process.argv.slice(3)),
  report: () => reportCommand(process.argv.slice(3)),
  indicators: () => startIndicators(),
  decode: async () => {
    const { output, exitCode } = decodeCommand(process.argv.slice(3));
    process.stdout.write(typeof output === 'string' ? `${output}\n` : `${JSON.stringify(output, null, 2)}\n`);
    process.exitCode = exitCode;
  },
};

const name = process.argv[2];
if (!name || name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(name ? 0 : 2);
}
const cmd = commands[name];
if (!cmd) {
  process.stderr.write(`klimatpuls: unknown command ${JSON.stringify(name)}\n${USAGE}\n`);
  process.exit(2);
}
cmd().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`klimatpuls: configuration error: ${err.message}\n`);
    process.exit(2);
  }
  const msg = err instanceof KlimatpulsError ? `${err.code}: ${err.message}` : (err as Error)?.stack ?? String(err);
  process.stderr.write(`klimatpuls ${name}: ${msg}\n`);
  process.exit(1);
});
