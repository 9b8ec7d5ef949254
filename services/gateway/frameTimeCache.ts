/**
 * Remembers, per device and frame counter, the observed time of the first uplink
 * seen. A LoRaWAN uplink that arrives twice (two network-server deliveries, a
 * replay) carries the same frame counter but its own arrival time; giving both the
 * first time makes both the same reading (same id), so it is stored once.
 *
 * Bounded: the oldest entries are evicted past `capacity` (a Map keeps insertion
 * order). A duplicate arriving after eviction, or at another gateway instance,
 * is stored twice only if its observed time differs; documented in the README.
 */
export class FrameTimeCache {
  private readonly times = new Map<string, Date>();

  /**
   * @param windowMs a remembered time is reused only for an uplink within this
   *   window of it: frame counters restart at 0 after a (re)join, and a new uplink
   *   with an old counter is a new measurement, not a duplicate.
   */
  constructor(
    private readonly capacity = 200_000,
    private readonly windowMs = 3_600_000,
  ) {}

  /** The observed time to use for this (device, frame counter). */
  resolve(device: string, frameCounter: number, observedAt: Date): Date {
    const key = `${device}\u0000${frameCounter}`;
    const seen = this.times.get(key);
    if (seen && Math.abs(observedAt.getTime() - seen.getTime()) <= this.windowMs) return seen;
    this.times.delete(key); // re-insert: newest last, for eviction order
    this.times.set(key, observedAt);
    if (this.times.size > this.capacity) this.times.delete(this.times.keys().next().value!);
    return observedAt;
  }

  get size(): number {
    return this.times.size;
  }
}
