import { describe, expect, it } from 'vitest';
import { KlimatpulsError, StoreError } from './errors.js';
import { backoffDelay, fulfilledWithin, retry, sleep } from './retry.js';

const fast = { initialDelayMs: 1, maxDelayMs: 2, factor: 2 };

describe('backoffDelay', () => {
  it('stays within [0, min(max, initial * factor^n)] for the extremes of random', () => {
    const o = { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2 };
    for (let n = 0; n < 20; n++) {
      const ceiling = Math.min(10_000, 100 * 2 ** n);
      expect(backoffDelay(n, { ...o, random: () => 0 })).toBe(0);
      expect(backoffDelay(n, { ...o, random: () => 0.999999999 })).toBe(ceiling);
      const mid = backoffDelay(n, { ...o, random: () => 0.5 });
      expect(mid).toBe(Math.round(ceiling / 2));
    }
  });

  it('is capped by maxDelayMs once the exponential passes it', () => {
    expect(backoffDelay(3, { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, random: () => 0.999999999 })).toBe(800);
    expect(backoffDelay(7, { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, random: () => 0.999999999 })).toBe(10_000);
    expect(backoffDelay(1000, { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, random: () => 0.999999999 })).toBe(10_000);
  });

  it('draws from the injected random source (full jitter)', () => {
    const seq = [0.1, 0.9, 0.3];
    const out = seq.map((x) => backoffDelay(4, { initialDelayMs: 10, maxDelayMs: 1000, factor: 3, random: () => x }));
    expect(out).toEqual([81, 729, 243]);
  });

  it('never leaves the range with Math.random', () => {
    for (let n = 0; n < 200; n++) {
      const d = backoffDelay(n % 12, { initialDelayMs: 50, maxDelayMs: 3000, factor: 2 });
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(3000, 50 * 2 ** (n % 12)));
    }
  });
});

describe('retry', () => {
  it('retries retriable errors, then returns the result', async () => {
    const attempts: number[] = [];
    const retried: Array<[number, number]> = [];
    const result = await retry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw new StoreError('STORE_UNAVAILABLE', 'down');
        return 'ok';
      },
      { ...fast, retries: 10, onRetry: (_err, attempt, delay) => void retried.push([attempt, delay]) },
    );
    expect(result).toBe('ok');
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(retried.map(([a]) => a)).toEqual([1, 2, 3]);
    for (const [, delay] of retried) expect(delay).toBeLessThanOrEqual(2);
  });

  it('treats network error codes and kafkajs-style `retriable` flags as retriable', async () => {
    let n = 0;
    await retry(
      async () => {
        n++;
        if (n === 1) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
        if (n === 2) throw Object.assign(new Error('leader not available'), { retriable: true });
      },
      { ...fast, retries: 5 },
    );
    expect(n).toBe(3);
  });

  it('stops at once on a non-retriable error', async () => {
    let calls = 0;
    const err = new StoreError('STORE_REJECTED', 'bad point', 400);
    await expect(
      retry(async () => {
        calls++;
        throw err;
      }, { ...fast, retries: 10 }),
    ).rejects.toBe(err);
    expect(calls).toBe(1);

    calls = 0;
    await expect(retry(async () => {
      calls++;
      throw new Error('plain error');
    }, { ...fast, retries: 10 })).rejects.toThrow('plain error');
    expect(calls).toBe(1);
  });

  it('follows a custom shouldRetry', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new Error(`e${calls}`);
      }, { ...fast, retries: 10, shouldRetry: (e) => (e as Error).message !== 'e3' }),
    ).rejects.toThrow('e3');
    expect(calls).toBe(3);
  });

  it('gives up after `retries` retries and throws the last error', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new StoreError('STORE_UNAVAILABLE', `down ${calls}`);
      }, { ...fast, retries: 4 }),
    ).rejects.toThrow('down 5');
    expect(calls).toBe(5);
  });

  it('with retries 0 tries exactly once', async () => {
    let calls = 0;
    await expect(retry(async () => {
      calls++;
      throw new StoreError('STORE_UNAVAILABLE', 'down');
    }, { ...fast, retries: 0 })).rejects.toThrow('down');
    expect(calls).toBe(1);
  });

  it('aborts via signal with SHUTTING_DOWN, keeping the last error as cause', async () => {
    const ac = new AbortController();
    let calls = 0;
    const last = new StoreError('STORE_UNAVAILABLE', 'down');
    const p = retry(
      async () => {
        calls++;
        if (calls === 3) ac.abort();
        throw last;
      },
      { ...fast, retries: Infinity, signal: ac.signal },
    );
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KlimatpulsError);
    expect((err as KlimatpulsError).code).toBe('SHUTTING_DOWN');
    expect((err as KlimatpulsError).cause).toBe(last);
    expect(calls).toBe(3);
  });

  it('aborts while it is waiting between attempts', async () => {
    const ac = new AbortController();
    let calls = 0;
    const p = retry(
      async () => {
        calls++;
        throw new StoreError('STORE_UNAVAILABLE', 'down');
      },
      // A long delay: only the abort can end the wait.
      { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000, factor: 1, random: () => 1, retries: Infinity, signal: ac.signal,
        onRetry: () => void setImmediate(() => ac.abort()) },
    );
    const err = await p.catch((e: unknown) => e);
    expect((err as KlimatpulsError).code).toBe('SHUTTING_DOWN');
    expect(calls).toBe(1);
  });
});

describe('sleep', () => {
  it('rejects at once with an already aborted signal', async () => {
    await expect(sleep(3_600_000, AbortSignal.abort())).rejects.toThrow('aborted');
  });

  it('resolves after the delay', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});

describe('fulfilledWithin', () => {
  it('is true when the promise fulfils in time, false when it rejects or the time runs out', async () => {
    expect(await fulfilledWithin(sleep(5), 1000)).toBe(true);
    expect(await fulfilledWithin(Promise.reject(new Error('no')), 1000)).toBe(false);
    expect(await fulfilledWithin(new Promise(() => {}), 20)).toBe(false);
  });
});
