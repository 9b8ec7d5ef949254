import { sleep } from '../core/retry.js';

/**
 * Lets the writer fetch the next batch from Kafka while earlier ones are still being
 * written to the store, without ever committing an offset before everything up to it
 * was stored.
 *
 * Why: kafkajs fetches, hands the batches to `eachBatch`, waits for all of them, and
 * only then fetches again. Writing and committing inside `eachBatch` therefore
 * serialised fetch → write → commit → fetch, and the writer sat ~45 % idle while
 * InfluxDB could take far more. Here `eachBatch` only submits a job; up to
 * `concurrency` jobs write side by side, and each partition's commits run in the
 * order its jobs were submitted, each after its own job and every earlier one.
 *
 * Bounded: `submit` waits while `maxQueued` readings are accepted but not yet
 * stored (kafkajs then stops fetching). A job that fails (the store refused in a
 * way retries cannot fix, or we are stopping) stops all later commits of its
 * partition; the next `submit` throws that error, so the consumer restarts from
 * the committed offsets and nothing is skipped.
 */
export interface WriteJob {
  /** Commits run per key (topic/partition), in submit order. */
  key: string;
  /** Readings in the job (for the bound). */
  size: number;
  /** Stores the job's readings (and its dead letters). */
  run(): Promise<void>;
  /** Marks the job's offsets done; runs only after `run` of this job and of every earlier job of `key`. */
  commit(): Promise<void>;
}

export interface WritePipelineOptions {
  concurrency: number;
  maxQueued: number;
  onCommitError?: (err: unknown, key: string) => void;
}

export class WritePipeline {
  private running = 0;
  private queued = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly ready: Array<() => void> = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly all = new Set<Promise<void>>();
  private failure: unknown;
  private closed = false;

  constructor(private readonly o: WritePipelineOptions) {}

  /** Readings accepted and not yet committed. */
  get backlog(): number {
    return this.queued;
  }

  /**
   * Accepts a job once there is room; resolves when it is accepted, not when it is
   * stored. After `close` it accepts nothing (returns false): the job's records stay
   * uncommitted and are read again after a restart.
   */
  async submit(job: WriteJob, onWait?: () => Promise<void>): Promise<boolean> {
    this.throwFailure();
    while (!this.closed && this.queued > 0 && this.queued + job.size > this.o.maxQueued) {
      await Promise.race([new Promise<void>((r) => this.waiting.push(r)), sleep(2000)]);
      await onWait?.().catch(() => {});
      this.throwFailure();
    }
    if (this.closed) return false;
    this.queued += job.size;
    const stored = this.slot().then(() => job.run()).finally(() => this.release());
    stored.catch(() => {}); // observed through the chain; this only keeps Node from calling it unhandled
    const prev = this.chains.get(job.key) ?? Promise.resolve();
    // A failed commit loses nothing (the records are stored; a later commit covers
    // them, or they are read again and overwrite themselves): reported, not fatal.
    const chain = prev.then(() => stored).then(() => job.commit().catch((err) => this.o.onCommitError?.(err, job.key)));
    this.chains.set(job.key, chain);
    const settled = chain.then(
      () => {},
      (err) => {
        this.failure ??= err;
      },
    ).finally(() => {
      this.queued -= job.size;
      this.all.delete(settled);
      this.waiting.splice(0).forEach((w) => w());
    });
    this.all.add(settled);
    return true;
  }

  /** Stops accepting jobs; `drain` then waits for the accepted ones. */
  close(): void {
    this.closed = true;
    this.waiting.splice(0).forEach((w) => w());
  }

  /** Resolves when every accepted job is stored and committed (or failed). */
  async drain(): Promise<void> {
    while (this.all.size > 0) await Promise.all([...this.all]);
  }

  private throwFailure(): void {
    if (this.failure === undefined) return;
    const err = this.failure;
    // The consumer restarts from the committed offsets: start over with clean chains.
    this.failure = undefined;
    this.chains.clear();
    throw err;
  }

  private async slot(): Promise<void> {
    if (this.running < this.o.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((r) => this.ready.push(r));
  }

  private release(): void {
    const next = this.ready.shift();
    if (next) next(); // the slot passes on
    else this.running--;
  }
}

