/**
 * Token buckets by key (a device, a tenant), with bounded memory: at most
 * `maxKeys` buckets; the one used longest ago is forgotten first (a Map keeps
 * insertion order; a bucket used again moves to the end). A forgotten key starts
 * again with a full bucket, so eviction can only ever be lenient, never refuse
 * more than the configured rate.
 */
export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSec: number;
  /** Bucket size: how many may come at once after a quiet spell. */
  burst: number;
  maxKeys: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly o: TokenBucketOptions) {
    if (!(o.ratePerSec > 0) || !(o.burst >= 1) || !(o.maxKeys >= 1)) throw new RangeError('ratePerSec > 0, burst >= 1 and maxKeys >= 1 are required');
    this.now = o.now ?? (() => performance.now());
  }

  /** Are `n` tokens there for every key? Takes nothing. */
  has(key: string, n = 1): boolean {
    return this.level(key) >= n;
  }

  /** Takes `n` tokens if there are; false (and nothing taken) otherwise. */
  take(key: string, n = 1): boolean {
    const tokens = this.level(key);
    if (tokens < n) return false;
    this.buckets.get(key)!.tokens = tokens - n;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Refills the key's bucket to now and moves it to the most recently used end. */
  private level(key: string): number {
    const now = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
      b.tokens = Math.min(this.o.burst, b.tokens + ((now - b.at) / 1000) * this.o.ratePerSec);
      b.at = now;
    } else {
      b = { tokens: this.o.burst, at: now };
      while (this.buckets.size >= this.o.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    return b.tokens;
  }
}
