import type { Bus } from '../bus/types.js';
import type { Config } from '../core/config.js';
import { applyHeapGrowth } from '../core/heapGrowth.js';
import { createLogger, type Logger } from '../core/logger.js';
import { Telemetry } from '../core/telemetry.js';
import { HttpServer, type HttpServerOptions } from '../http/httpServer.js';
import { loadTls, type TlsFiles } from '../security/tls.js';
import { TelemetryToInflux } from '../sinks/influx/telemetryToInflux.js';
import { buildBus } from './components.js';
import { stopOnSignals, type Service } from './lifecycle.js';

/**
 * What every long-running command starts with: V8's heap growth, the logger, the
 * process's telemetry (also written to InfluxDB when it is configured), TLS files,
 * and the list of started parts, stopped in reverse order on SIGINT/SIGTERM.
 */
export class Startup {
  readonly logger: Logger;
  readonly telemetry = new Telemetry();
  readonly tls: TlsFiles | undefined;
  readonly parts: Service[] = [];

  constructor(readonly c: Config, o: { onStopped?: () => void } = {}) {
    applyHeapGrowth(c.HEAP_GROWING_PERCENT);
    this.logger = createLogger(c.LOG_LEVEL);
    stopOnSignals(this.parts, this.logger, o.onStopped);
    this.tls = loadTls(c);
    if (c.INFLUX_URL && c.INFLUX_TOKEN) {
      const t = new TelemetryToInflux({ telemetry: this.telemetry, url: c.INFLUX_URL, token: c.INFLUX_TOKEN, org: c.INFLUX_ORG, bucket: c.INFLUX_BUCKET, intervalMs: c.TELEMETRY_INTERVAL_MS, logger: this.logger });
      t.start();
      this.add(t);
    }
  }

  /** A started part: stopped on a signal, after every part added later. */
  add<T extends Service>(part: T): T {
    this.parts.push(part);
    return part;
  }

  /** The bus of the configuration (Kafka, or in-process without KAFKA_BROKERS), closed on stop. */
  bus(): Bus {
    const bus = buildBus(this.c, this.logger);
    this.add({ stop: () => bus.close() });
    return bus;
  }

  /** An HTTP server with this process's telemetry, logger and TLS, listening; its URL. */
  async http(o: Omit<HttpServerOptions, 'telemetry' | 'logger' | 'tls'>): Promise<{ server: HttpServer; url: string }> {
    const server = this.add(new HttpServer({ ...o, telemetry: this.telemetry, logger: this.logger, tls: this.tls }));
    return { server, url: await server.start() };
  }
}
