/**
 * The runner pool: at most `slots` held at once, first come first served, tool calls refused
 * with runner.busy (and a retry-after) when the queue is full or their wait runs out, jobs never
 * refused, aborted waiters leave the queue; default slots from cores and memory.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunnerPool, defaultRunnerSlots } from '../../../engine/runner/admission.js';
import { GenAutoMLError } from '../../../engine/errors.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

async function rejection(p: Promise<unknown>): Promise<GenAutoMLError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(GenAutoMLError);
  return err as GenAutoMLError;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

afterEach(() => {
  vi.useRealTimers();
});

describe('RunnerPool', () => {
  it('holds at most `slots` at once and grants waiters in arrival order', async () => {
    const pool = new RunnerPool({ slots: 2, queue: 10, maxWaitS: 60 });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) => pool.run('validation', async () => {
      started.push(i);
      await g.promise;
      return i;
    }, { mode: 'call' }));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(pool.stats()).toMatchObject({ slots: 2, active: 2, waiting: 3 });
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(pool.stats()).toMatchObject({ active: 0, waiting: 0, peak: 2, refused: 0 });
  });

  it('releases the slot when the work throws', async () => {
    const pool = new RunnerPool({ slots: 1, queue: 10, maxWaitS: 60 });
    await expect(pool.run('training', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await pool.run('training', () => Promise.resolve('next'))).toBe('next');
    expect(pool.stats().active).toBe(0);
  });

  it('answers at once but keeps the slot until what the work kept settles (a runner that replied but has not exited)', async () => {
    const pool = new RunnerPool({ slots: 1, queue: 10, maxWaitS: 60 });
    const exit = gate();
    expect(await pool.run('validation', async (keepUntil) => {
      keepUntil(exit.promise);
      return 'report';
    })).toBe('report');
    expect(pool.stats().active).toBe(1);
    let second = false;
    const next = pool.run('validation', async () => {
      second = true;
    });
    await tick();
    expect(second).toBe(false);
    exit.open();
    await next;
    expect(second).toBe(true);
    expect(pool.stats().active).toBe(0);
  });

  it('refuses a tool call at once with runner.busy and a retry-after when the queue is full', async () => {
    const pool = new RunnerPool({ slots: 1, queue: 2, maxWaitS: 60 });
    const g = gate();
    const held = [0, 1, 2].map(() => pool.run('validation', () => g.promise, { mode: 'call' }));
    const err = await rejection(pool.run('validation', () => Promise.resolve(), { mode: 'call' }));
    expect(err.code).toBe('runner.busy');
    const retryAfterS = err.details?.['retryAfterS'] as number;
    expect(retryAfterS).toBeGreaterThanOrEqual(1);
    expect(err.message).toContain(`Retry after ${retryAfterS} s`);
    expect(err.hint).toContain(`Retry in ${retryAfterS} s`);
    expect(err.hint).toContain('GENAUTOML_RUNNER_SLOTS');
    expect(pool.stats().refused).toBe(1);
    g.open();
    await Promise.all(held);
  });

  it('never refuses a job, however long the queue', async () => {
    const pool = new RunnerPool({ slots: 1, queue: 0, maxWaitS: 1 });
    const g = gate();
    const first = pool.run('training', () => g.promise, { mode: 'job' });
    const jobs = Array.from({ length: 5 }, (_, i) => pool.run('training', () => Promise.resolve(i), { mode: 'job' }));
    // A call with no queue room is refused while the jobs wait.
    expect((await rejection(pool.run('validation', () => Promise.resolve(), { mode: 'call' }))).code).toBe('runner.busy');
    g.open();
    await first;
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a tool call that waited maxWaitS, estimating the retry-after from the hold times', async () => {
    vi.useFakeTimers();
    const pool = new RunnerPool({ slots: 1, queue: 5, maxWaitS: 30 });
    // One finished run of 8 s sets the usual hold.
    const done = pool.run('validation', () => new Promise<void>((r) => setTimeout(r, 8000)));
    await vi.advanceTimersByTimeAsync(8000);
    await done;
    const g = gate();
    const held = pool.run('validation', () => g.promise);
    const waiting = rejection(pool.run('validation', () => Promise.resolve(), { mode: 'call' }));
    await vi.advanceTimersByTimeAsync(29_000);
    expect(pool.stats().waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    const err = await waiting;
    expect(err.code).toBe('runner.busy');
    expect(err.message).toContain('waited 30 s');
    // Nobody ahead of it, one slot, 8 s usual hold.
    expect(err.details?.['retryAfterS']).toBe(8);
    expect(pool.stats()).toMatchObject({ waiting: 0, refused: 1 });
    g.open();
    await held;
  });

  it('takes an aborted waiter out of the queue with runner.cancelled', async () => {
    const pool = new RunnerPool({ slots: 1, queue: 5, maxWaitS: 60 });
    const g = gate();
    const held = pool.run('validation', () => g.promise);
    const ac = new AbortController();
    let ran = false;
    const waiting = rejection(pool.run('validation', async () => void (ran = true), { mode: 'call', signal: ac.signal }));
    const behind = pool.run('validation', () => Promise.resolve('behind'), { mode: 'call' });
    ac.abort();
    expect((await waiting).code).toBe('runner.cancelled');
    expect(pool.stats().waiting).toBe(1);
    g.open();
    await held;
    expect(await behind).toBe('behind');
    expect(ran).toBe(false);
  });

  it('refuses a non-positive slot count', () => {
    expect(() => new RunnerPool({ slots: 0, queue: 1, maxWaitS: 1 })).toThrow(GenAutoMLError);
  });
});

describe('defaultRunnerSlots', () => {
  const GiB = 1024 ** 3;
  it('uses the configured number when set', () => {
    expect(defaultRunnerSlots({ runnerSlots: 7, runnerBudgetMb: 1024 }, { cores: 2, memoryBytes: GiB })).toBe(7);
  });
  it('takes the cores when the memory holds that many runners', () => {
    expect(defaultRunnerSlots({ runnerSlots: 0, runnerBudgetMb: 1024 }, { cores: 4, memoryBytes: 64 * GiB })).toBe(4);
  });
  it('counts each runner’s budget against 80% of the memory', () => {
    // 10 GiB × 0.8 = 8 GiB holds four 2 GiB runners, fewer than the 16 cores.
    expect(defaultRunnerSlots({ runnerSlots: 0, runnerBudgetMb: 2048 }, { cores: 16, memoryBytes: 10 * GiB })).toBe(4);
  });
  it('is at least one', () => {
    expect(defaultRunnerSlots({ runnerSlots: 0, runnerBudgetMb: 8192 }, { cores: 8, memoryBytes: 2 * GiB })).toBe(1);
  });
});
