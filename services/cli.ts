#!/usr/bin/env node
import { ConfigError, KlimatpulsError } from './core/errors.js';
import { startAllInOne, startGateway, startIndicators, startWriter } from './app/commands.js';
import { startAdmin } from './app/adminCommand.js';
import { decodeCommand } from './app/decodeCommand.js';
import { tenantCommand } from './app/tenantCommands.js';
import { reportCommand } from './app/reportCommand.js';
import { withMemoryDefaults } from './app/memoryDefaults.js';
import { rollupsCommand } from './app/rollupsCommand.js';
import { dlqCommand, recordCommand, replayCommand } from './app/toolCommands.js';

const USAGE = `usage: klimatpuls <command>

commands:
  start     everything in one process (embedded broker, bus and store unless
            MQTT_URL, KAFKA_BROKERS, INFLUX_URL are set)
  gateway   MQTT -> Kafka
  writer    Kafka -> InfluxDB
  decode    show what a message would become: decode --topic TOPIC [--format NAME] [--registry FILE] [FILE]
  record    capture MQTT traffic to NDJSON: record --out FILE [--topic FILTER]... [--count N] [--seconds S]
  replay    publish an NDJSON capture: replay FILE [--speed N]   (1 = real time, 0 = as fast as possible)
  indicators  recompute contract indicators as readings arrive (Kafka + InfluxDB); /api/indicators, /report
  report    the quarterly follow-up: report --city kalmar --quarter 2025Q3 [--lang sv|en|both] [--format html,csv,json,xlsx] [--out DIR] [--server URL]
  import    history from CSV/xlsx exports: import FILE... --mapping MAPPING.json [--tenant T] [--json] [--no-recompute]
            (hourly/monthly energy, meter readings, waste weights, fleet fuel and charging, yearly figures; services/import)
  rollups   rollups settle [--tenant T] | rollups rebuild --tenant T --from 2025-01 --to 2025-04: the indicators' daily/monthly aggregates
  dlq       dlq replay [--reason R]... [--dry-run]: send dead letters through the pipeline again
  admin     the admin and tenant API alone (ADMIN_HTTP_PORT, 8084; docs/openapi.yaml)
  tenant    tenant create ID [--name N] | list | disable ID | enable ID | rotate-mqtt-password ID | rotate-api-token ID
  device    device add --tenant T --id D --kind K [--site S] [--model M] [--param k=v]... | list [--tenant T] | remove --tenant T --id D
  building  building add --tenant T --id B [--name N] [--address A] [--param k=v]... | list --tenant T | remove --tenant T --id B
  admin-token  admin-token create [--name N] | list | revoke ID
  operator-token  operator-token create [--name N] | list | revoke ID   (for /metrics and the operational APIs)

A simulated city stream (stream, truth, registry): klimatpuls-simulate --scenario FILE --out DIR.
Configuration comes from environment variables; see README.md.`;

const commands: Record<string, () => Promise<void>> = {
  start: () => startAllInOne(),
  gateway: () => startGateway(),
  writer: () => startWriter(),
  record: () => recordCommand(process.argv.slice(3)),
  replay: () => replayCommand(process.argv.slice(3)),
  dlq: () => dlqCommand(process.argv.slice(3)),
  report: async () => {
    if (!(await withMemoryDefaults())) await reportCommand(process.argv.slice(3));
  },
  rollups: () => rollupsCommand(process.argv.slice(3)),
  // loaded when used: the CSV and xlsx readers are not needed by the other commands
  import: async () => (await import('./app/importCommand.js')).importCommand(process.argv.slice(3)),
  indicators: async () => {
    if (!(await withMemoryDefaults())) await startIndicators();
  },
  admin: () => startAdmin(),
  ...Object.fromEntries(['tenant', 'device', 'building', 'admin-token', 'operator-token'].map((group) => [group, () => printed(tenantCommand(group, process.argv.slice(3)))])),
  decode: async () => {
    const { output, exitCode } = decodeCommand(process.argv.slice(3));
    process.stdout.write(typeof output === 'string' ? `${output}\n` : `${JSON.stringify(output, null, 2)}\n`);
    process.exitCode = exitCode;
  },
};

async function printed(run: Promise<{ output: unknown; exitCode: number }>): Promise<void> {
  const { output, exitCode } = await run;
  (exitCode === 2 ? process.stderr : process.stdout).write(typeof output === 'string' ? `${output}\n` : `${JSON.stringify(output, null, 2)}\n`);
  process.exitCode = exitCode;
}

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
