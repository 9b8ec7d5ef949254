import { execFileSync } from 'node:child_process';
import { portOpen as open } from './portOpen.js';

/**
 * The integration project also needs the second Kafka, on 3.x, for the kafkajs bus
 * (deploy/stack/kafka3.sh; test/integration/kafkaBuses.test.ts). Started when its port
 * is closed; if that fails, the tests fail: they never skip.
 */
const PORT = Number(process.env.STACK_KAFKA3_PORT ?? 9094);


export default async function setup(): Promise<void> {
  if (await open(PORT)) return;
  process.stderr.write(`[integration] Kafka 3 for the kafkajs bus not running on ${PORT}: starting it with deploy/stack/kafka3.sh up\n`);
  try {
    execFileSync('bash', ['deploy/stack/kafka3.sh', 'up'], { stdio: 'inherit' });
  } catch {
    throw new Error(`the Kafka 3 of the kafkajs bus's tests could not be started on 127.0.0.1:${PORT}; run: bash deploy/stack/kafka3.sh up`);
  }
  if (!(await open(PORT))) throw new Error(`Kafka 3 is not reachable on 127.0.0.1:${PORT} after kafka3.sh up`);
}
