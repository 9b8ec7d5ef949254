import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../core/logger.js';
import type { SimMessage } from './demoCity.js';

/** Publishes what a simulator produces, every `intervalMs`, over MQTT QoS 1. */
export class SimulatorPublisher {
  private client?: MqttClient;
  private timer?: NodeJS.Timeout;
  private busy = false;
  published = 0;

  constructor(
    private readonly o: { mqttUrl: string; intervalMs: number; next: (t: Date) => SimMessage[]; logger: Logger; username?: string; password?: string },
  ) {}

  async start(): Promise<void> {
    this.client = await mqtt.connectAsync(this.o.mqttUrl, {
      clientId: `klimatpuls-sim-${process.pid}`,
      username: this.o.username,
      password: this.o.password,
      reconnectPeriod: 1000,
    });
    const tick = async () => {
      if (this.busy || !this.client) return;
      this.busy = true;
      try {
        const msgs = this.o.next(new Date());
        await Promise.all(msgs.map((m) => this.client!.publishAsync(m.topic, m.payload, { qos: 1 })));
        this.published += msgs.length;
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'simulator publish failed');
      } finally {
        this.busy = false;
      }
    };
    await tick();
    this.timer = setInterval(tick, this.o.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.endAsync();
  }
}
