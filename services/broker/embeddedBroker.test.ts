import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { KlimatpulsError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { EmbeddedBroker } from './embeddedBroker.js';

const logger = createLogger('silent');

describe('EmbeddedBroker', () => {
  it('starts on a free port, returns its URL and carries QoS 1 messages', async () => {
    const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
    const url = await broker.start();
    expect(url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(url).port)).toBeGreaterThan(0);
    const sub = await mqtt.connectAsync(url, { clientId: 'eb-sub', reconnectPeriod: 0 });
    const pub = await mqtt.connectAsync(url, { clientId: 'eb-pub', reconnectPeriod: 0 });
    try {
      await sub.subscribeAsync('klimatpuls/+/+/up', { qos: 1 });
      const got = new Promise<[string, string]>((resolve) => sub.once('message', (t, p) => resolve([t, p.toString()])));
      await pub.publishAsync('klimatpuls/kalmar/el-1/up', 'hello', { qos: 1 });
      expect(await got).toEqual(['klimatpuls/kalmar/el-1/up', 'hello']);
    } finally {
      await sub.endAsync(true);
      await pub.endAsync(true);
      await broker.stop();
    }
  });

  it('reports a port in use as BROKER_UNAVAILABLE naming the port', async () => {
    const first = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
    const port = Number(new URL(await first.start()).port);
    const second = new EmbeddedBroker({ host: '127.0.0.1', port, logger });
    try {
      const err = await second.start().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KlimatpulsError);
      expect((err as KlimatpulsError).code).toBe('BROKER_UNAVAILABLE');
      expect((err as KlimatpulsError).message).toContain(String(port));
    } finally {
      await second.stop();
      await first.stop();
    }
  });

  it('stop() is safe before start and twice', async () => {
    const b = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
    await b.stop();
    await b.start();
    await b.stop();
    await b.stop();
  });
});
