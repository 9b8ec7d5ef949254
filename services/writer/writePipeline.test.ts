import { describe, expect, it } from 'vitest';
import { WritePipeline, type WriteJob } from './writePipeline.js';

/** A job whose store write finishes when the test says so; records when it ran and committed. */
function manualJob(key: string, size: number, log: string[], name: string) {
  let finish!: (err?: Error) => void;
  const done = new Promise<void>((res, rej) => (finish = (err) => (err ? rej(err) : res())));
  let started = false;
  const job: WriteJob = {
    key,
    size,
    run: () => {
      started = true;
      log.push(`run ${name}`);
      return done;
    },
    commit: async () => void log.push(`commit ${name}`),
  };
  return { job, finish, started: () => started };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('WritePipeline', () => {
  it('writes jobs side by side but commits each partition in submit order, each after every earlier job', async () => {
    const log: string[] = [];
    const p = new WritePipeline({ concurrency: 4, maxQueued: 100 });
    const a1 = manualJob('t/0', 1, log, 'a1');
    const a2 = manualJob('t/0', 1, log, 'a2');
    const b1 = manualJob('t/1', 1, log, 'b1');
    for (const j of [a1, a2, b1]) expect(await p.submit(j.job)).toBe(true);
    await tick();
    expect(log).toEqual(['run a1', 'run a2', 'run b1']);
    a2.finish(); // a2 is stored before a1: its commit must wait for a1
    b1.finish();
    await tick();
    expect(log.slice(3)).toEqual(['commit b1']);
    a1.finish();
    await p.drain();
    expect(log.slice(4)).toEqual(['commit a1', 'commit a2']);
    expect(p.backlog).toBe(0);
  });

  it('runs at most `concurrency` writes at once', async () => {
    const log: string[] = [];
    const p = new WritePipeline({ concurrency: 2, maxQueued: 100 });
    const jobs = [0, 1, 2].map((i) => manualJob(`t/${i}`, 1, log, `j${i}`));
    for (const j of jobs) await p.submit(j.job);
    await tick();
    expect(jobs.map((j) => j.started())).toEqual([true, true, false]);
    jobs[1]!.finish();
    await tick();
    expect(jobs[2]!.started()).toBe(true);
    jobs[0]!.finish();
    jobs[2]!.finish();
    await p.drain();
  });

  it('holds submit while maxQueued readings are not yet stored (bounded memory), calling onWait', async () => {
    const log: string[] = [];
    const p = new WritePipeline({ concurrency: 4, maxQueued: 10 });
    const big = manualJob('t/0', 8, log, 'big');
    await p.submit(big.job);
    let waits = 0;
    let accepted = false;
    const second = p.submit(manualJob('t/0', 5, log, 'next').job, async () => void waits++).then((ok) => (accepted = ok));
    await tick();
    expect(accepted).toBe(false);
    expect(p.backlog).toBe(8);
    big.finish();
    await second;
    expect(accepted).toBe(true);
    expect(waits).toBeGreaterThan(0);
  });

  it('a failed job blocks its own and later commits of that partition, and the next submit throws its error', async () => {
    const log: string[] = [];
    const p = new WritePipeline({ concurrency: 4, maxQueued: 100 });
    const a1 = manualJob('t/0', 1, log, 'a1');
    const a2 = manualJob('t/0', 1, log, 'a2');
    const b1 = manualJob('t/1', 1, log, 'b1');
    for (const j of [a1, a2, b1]) await p.submit(j.job);
    a1.finish(new Error('InfluxDB refused'));
    a2.finish();
    b1.finish();
    await p.drain();
    expect(log.filter((l) => l.startsWith('commit'))).toEqual(['commit b1']);
    await expect(p.submit(manualJob('t/0', 1, log, 'a3').job)).rejects.toThrow('InfluxDB refused');
    // After that error the consumer starts over from the committed offsets: clean chains.
    const a4 = manualJob('t/0', 1, log, 'a4');
    await p.submit(a4.job);
    a4.finish();
    await p.drain();
    expect(log.at(-1)).toBe('commit a4');
  });

  it('a failed commit is reported, not fatal: later commits go on', async () => {
    const errors: string[] = [];
    const p = new WritePipeline({ concurrency: 1, maxQueued: 100, onCommitError: (err, key) => errors.push(`${key}: ${(err as Error).message}`) });
    const committed: string[] = [];
    await p.submit({ key: 't/0', size: 1, run: async () => {}, commit: async () => Promise.reject(new Error('rebalancing')) });
    await p.submit({ key: 't/0', size: 1, run: async () => {}, commit: async () => void committed.push('second') });
    await p.drain();
    expect(errors).toEqual(['t/0: rebalancing']);
    expect(committed).toEqual(['second']);
    await expect(p.submit({ key: 't/0', size: 1, run: async () => {}, commit: async () => {} })).resolves.toBe(true);
  });

  it('after close() accepts nothing (a waiting submit returns false) and drain() waits for what was accepted', async () => {
    const log: string[] = [];
    const p = new WritePipeline({ concurrency: 4, maxQueued: 1 });
    const a = manualJob('t/0', 1, log, 'a');
    await p.submit(a.job);
    const waiting = p.submit(manualJob('t/0', 1, log, 'b').job);
    p.close();
    expect(await waiting).toBe(false);
    let drained = false;
    const d = p.drain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    a.finish();
    await d;
    expect(log).toEqual(['run a', 'commit a']);
  });
});
