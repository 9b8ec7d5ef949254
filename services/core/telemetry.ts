import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The pipeline's own health, as Prometheus metrics. One registry per process; the
 * all-in-one `start` shares it between gateway and writer (label `service`).
 */
export class Telemetry {
  readonly registry = new Registry();
  readonly messagesReceived: Counter<'service'>;
  readonly readingsProduced: Counter<'service'>;
  readonly readingsWritten: Counter<'service'>;
  readonly deadLetters: Counter<'service' | 'reason'>;
  readonly unknownValues: Counter<'service' | 'decoder' | 'name'>;
  readonly batchSize: Histogram<'service'>;
  readonly latency: Histogram<'service' | 'stage'>;
  readonly inFlight: Gauge<'service'>;
  readonly consumerLag: Gauge<'service'>;
  readonly storeErrors: Counter<'service' | 'kind'>;
  readonly busErrors: Counter<'service'>;

  /** See countLocally. */
  private readonly flushers: Array<() => void> = [];

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const collect = () => this.flushLocalCounts();
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'klimatpuls_' });
    this.messagesReceived = new Counter({ name: 'klimatpuls_messages_received_total', help: 'MQTT messages received', labelNames: ['service'], registers, collect });
    this.readingsProduced = new Counter({ name: 'klimatpuls_readings_produced_total', help: 'Canonical readings acknowledged by the bus', labelNames: ['service'], registers, collect });
    this.readingsWritten = new Counter({ name: 'klimatpuls_readings_written_total', help: 'Readings acknowledged by the store', labelNames: ['service'], registers });
    this.deadLetters = new Counter({ name: 'klimatpuls_dead_letters_total', help: 'Messages or points dead-lettered, by reason', labelNames: ['service', 'reason'], registers });
    this.unknownValues = new Counter({ name: 'klimatpuls_unknown_values_total', help: 'Values without a Klimatpuls metric in messages whose known values were stored, by decoder and name (U1, voltage ...)', labelNames: ['service', 'decoder', 'name'], registers });
    this.batchSize = new Histogram({ name: 'klimatpuls_batch_size', help: 'Records per bus send / points per store write', labelNames: ['service'], buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000], registers });
    this.latency = new Histogram({ name: 'klimatpuls_latency_seconds', help: 'Latency of a stage (produce, store_write)', labelNames: ['service', 'stage'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
    this.inFlight = new Gauge({ name: 'klimatpuls_in_flight_messages', help: 'MQTT messages received and not yet acknowledged', labelNames: ['service'], registers, collect });
    this.consumerLag = new Gauge({ name: 'klimatpuls_consumer_lag_messages', help: 'Readings behind the head of the topic', labelNames: ['service'], registers });
    this.storeErrors = new Counter({ name: 'klimatpuls_store_errors_total', help: 'Store write failures, by kind (retriable, rejected)', labelNames: ['service', 'kind'], registers });
    this.busErrors = new Counter({ name: 'klimatpuls_bus_errors_total', help: 'Failed bus sends (retried)', labelNames: ['service'], registers });
  }

  /**
   * For a hot path (the gateway, twice per message): count in plain numbers and put
   * them into messagesReceived, readingsProduced and inFlight in `flush`, which runs
   * whenever one of those is collected (/metrics, the InfluxDB export, get()). What
   * a collection sees is the same as with an update per message.
   */
  countLocally(flush: () => void): void {
    this.flushers.push(flush);
  }

  private flushLocalCounts(): void {
    for (const f of this.flushers) f();
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
