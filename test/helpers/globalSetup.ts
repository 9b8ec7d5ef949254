import { execFileSync } from 'node:child_process';
import { portOpen as open } from './portOpen.js';

/**
 * Integration tests need the real stack (Mosquitto, Kafka, InfluxDB). If it is not
 * running, start it with the same script as `npm run stack:up` (it installs what
 * is missing). If that fails, the tests fail: they never skip.
 */
const port = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const PORTS: Array<[string, number]> = [
  ['mosquitto', port('STACK_MQTT_PORT', 1883)],
  ['kafka', port('STACK_KAFKA_PORT', 9092)],
  ['influxdb', port('STACK_INFLUX_PORT', 8086)],
];


export default async function setup(): Promise<void> {
  const down = [];
  for (const [name, port] of PORTS) if (!(await open(port))) down.push(name);
  if (down.length === 0) return;
  process.stderr.write(`[integration] stack not running (${down.join(', ')}): starting it with deploy/stack/stack.sh up\n`);
  try {
    execFileSync('bash', ['deploy/stack/stack.sh', 'up'], { stdio: 'inherit' });
  } catch {
    throw new Error(`the real stack is required and could not be started (${down.join(', ')} down); run: npm run stack:up`);
  }
  for (const [name, port] of PORTS) if (!(await open(port))) throw new Error(`${name} is not reachable on 127.0.0.1:${port} after stack:up`);
}
