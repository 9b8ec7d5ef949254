import { hashSecret, randomSecret, verifySecret } from './secrets.js';

/**
 * Runs scrypt verifications (MQTT logins, API tokens) a few at a time, known
 * clients first.
 *
 * Why: scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE),
 * shared with file system work and every other verification. 43 wrong passwords a
 * second filled it: a real tenant's CONNACK went from 48 ms to 1.6 s, an uncached API
 * token check from 41 ms to 1.6 s. Here at most half the pool verifies at once, the
 * rest of the pool stays free, and a waiting verification for a client that logged
 * in before from the same address (`priority`) goes ahead of strangers. The queue
 * is bounded: beyond `maxWaiting`, `verify` answers 'busy' at once.
 */
export type VerifyResult = 'ok' | 'wrong' | 'busy';

export class SecretVerifier {
  /** scrypt verifications run (tests count them: a throttled login runs none). */
  verifications = 0;
  private running = 0;
  private readonly waiting: { priority: Array<() => void>; other: Array<() => void> } = { priority: [], other: [] };
  private dummy?: Promise<string>;

  constructor(
    readonly concurrency = Math.max(1, Math.floor(Number(process.env.UV_THREADPOOL_SIZE || 4) / 2)),
    readonly maxWaiting = 1000,
  ) {}

  /**
   * Checks `secret` against `stored`; with no stored hash (unknown user, disabled
   * tenant) against a dummy hash of the same cost, so that the answer takes as long
   * as a wrong password for a real one and tells nothing about who exists.
   */
  async verify(secret: string, stored: string | undefined, priority = false): Promise<VerifyResult> {
    this.dummy ??= hashSecret(randomSecret());
    const hash = stored ?? (await this.dummy);
    if (this.running >= this.concurrency) {
      if (this.waiting.priority.length + this.waiting.other.length >= this.maxWaiting) return 'busy';
      await new Promise<void>((r) => this.waiting[priority ? 'priority' : 'other'].push(r));
    } else {
      this.running++;
    }
    try {
      this.verifications++;
      const ok = await verifySecret(secret, hash);
      return ok && stored !== undefined ? 'ok' : 'wrong';
    } finally {
      const next = this.waiting.priority.shift() ?? this.waiting.other.shift();
      if (next) next(); // the slot passes on: `running` stays
      else this.running--;
    }
  }

  /** Starts hashing the dummy secret now, so the first unknown user costs no extra hash. */
  warmUp(): Promise<string> {
    return (this.dummy ??= hashSecret(randomSecret()));
  }
}

/** One per process: the thread pool it protects is one per process. */
export const secretVerifier = new SecretVerifier();
