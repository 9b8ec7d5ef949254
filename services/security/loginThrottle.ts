import { addressKey } from './addressKey.js';
import { secretVerifier, type SecretVerifier } from './secretVerifier.js';
import { TokenBuckets } from '../core/tokenBuckets.js';

export interface LoginThrottleOptions {
  /** Failed logins per minute allowed per remote address and per username (token buckets); 0: no limit. */
  failuresPerMin: number;
  /** How many failures may come at once (bucket size); defaults to failuresPerMin. */
  burst?: number;
  /** Addresses, usernames and known pairs tracked at most (bounded memory, least recently used forgotten). */
  maxKeys?: number;
  verifier?: SecretVerifier;
  now?: () => number;
}

/** 'throttled': refused without a verification; 'busy': too many verifications waiting. */
export type LoginResult = 'ok' | 'wrong' | 'throttled' | 'busy';

const KNOWN_FOR_MS = 24 * 3600_000;

/**
 * Failed-login limits for the broker's tenant listeners and the admin/tenant API.
 *
 * Each failure takes a token from its address's bucket and its username's bucket;
 * with either empty, a login is refused without a verification (no scrypt), so a
 * flood of wrong passwords costs the broker nothing after the first few. A client
 * that logged in successfully from an address within a day (a meter, a network
 * server, an operator) is "known": it is checked against that pair's own bucket
 * only, so a flood aimed at its username or coming from elsewhere does not lock it
 * out, and its verification goes ahead of strangers' (secretVerifier.ts). Unknown
 * usernames cost the same as wrong passwords (a dummy hash), so the answer's time
 * does not tell whether a tenant exists.
 *
 * Residual: a flood from very many addresses is bounded by the verifier's
 * concurrency, not refused; a new address of a real tenant is refused while its
 * username's bucket is empty (known addresses keep working).
 */
export class LoginThrottle {
  readonly verifier: SecretVerifier;
  private readonly byAddress?: TokenBuckets;
  private readonly byUsername?: TokenBuckets;
  private readonly byPair?: TokenBuckets;
  private readonly known = new Map<string, number>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  throttled = 0;

  constructor(o: LoginThrottleOptions) {
    this.verifier = o.verifier ?? secretVerifier;
    this.maxKeys = o.maxKeys ?? 100_000;
    void this.verifier.warmUp(); // the dummy hash is ready before the first unknown user
    this.now = o.now ?? (() => performance.now());
    if (o.failuresPerMin > 0) {
      const buckets = () => new TokenBuckets({ ratePerSec: o.failuresPerMin / 60, burst: o.burst ?? o.failuresPerMin, maxKeys: this.maxKeys, now: this.now });
      this.byAddress = buckets();
      this.byUsername = buckets();
      this.byPair = buckets();
    }
  }

  /** Checks a login; `stored` is the hash to check against (undefined: no such user, or not allowed). */
  async check(username: string, address: string | undefined, secret: string, stored: string | undefined): Promise<LoginResult> {
    const addr = addressKey(address);
    const pair = `${username}\u0000${addr}`;
    const known = this.isKnown(pair);
    const allowed = known ? (this.byPair?.has(pair) ?? true) : (this.byAddress?.has(addr) ?? true) && (this.byUsername?.has(username) ?? true);
    if (!allowed) {
      this.throttled++;
      return 'throttled';
    }
    const result = await this.verifier.verify(secret, stored, known);
    if (result === 'wrong') this.failed(username, addr, known ? pair : undefined);
    else if (result === 'ok') this.remember(pair);
    return result;
  }

  private failed(username: string, addr: string, pair?: string): void {
    this.byAddress?.take(addr);
    this.byUsername?.take(username);
    if (pair) this.byPair?.take(pair);
  }

  private isKnown(pair: string): boolean {
    const until = this.known.get(pair);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.known.delete(pair);
    return false;
  }

  private remember(pair: string): void {
    this.known.delete(pair);
    while (this.known.size >= this.maxKeys) this.known.delete(this.known.keys().next().value!);
    this.known.set(pair, this.now() + KNOWN_FOR_MS);
  }
}
