import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { KlimatpulsError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/**
 * The embedded MQTT broker of `npm start` (aedes): the same topics and payloads as
 * the production Mosquitto, QoS 1 and persistent sessions included (in memory, so
 * they last as long as the process).
 */
export class EmbeddedBroker {
  private broker?: Aedes;
  private server?: Server;

  constructor(private readonly o: { host: string; port: number; logger: Logger }) {}

  async start(): Promise<string> {
    const log = this.o.logger.child({ component: 'mqtt-broker' });
    this.broker = await Aedes.createBroker({ id: 'klimatpuls-embedded' });
    this.broker.on('clientError', (client, err) => log.debug({ client: client?.id, err: err.message }, 'client error'));
    const server = createServer(this.broker.handle);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new KlimatpulsError('BROKER_UNAVAILABLE', `port ${this.o.port} is in use (another MQTT broker?); set MQTT_EMBEDDED_PORT or MQTT_URL`)
            : err,
        ),
      );
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    return `mqtt://${this.o.host}:${port}`;
  }

  async stop(): Promise<void> {
    const { server, broker } = this;
    this.server = undefined;
    this.broker = undefined;
    if (broker) await new Promise<void>((r) => broker.close(() => r()));
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
