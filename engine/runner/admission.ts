/**
 * Admission control for sandboxed runners. Every runner process a RunnerClient starts (validate,
 * the generate loop's validations, trials, evaluation, benchmark, export) first takes a slot here,
 * so a burst of fifty tool calls starts at most `slots` Python processes, not fifty.
 *
 * Waiters are served first come, first served. A tool call (`call`) is refused with `runner.busy`
 * and a retry-after when the queue is already full or when it has waited `maxWaitS`; work the job
 * queue owns (`job`: trials, finalisation) always waits its turn, since refusing it would only
 * make pg-boss redeliver it.
 *
 * The pool is an object passed to the client (server/app.ts builds one per process), not a global.
 */
import os from 'node:os';
import { GenAutoMLError } from '../errors.js';

export type AdmissionMode = 'call' | 'job';

export interface AdmitOptions {
  /** `call` may be refused with runner.busy; `job` always waits. Default `job`. */
  mode?: AdmissionMode;
  /** Aborting takes a waiter out of the queue (runner.cancelled). */
  signal?: AbortSignal;
}

export interface AdmissionStats {
  slots: number;
  active: number;
  waiting: number;
  /** Most runners held at once since the pool was made. */
  peak: number;
  /** Calls refused with runner.busy since the pool was made. */
  refused: number;
}

/**
 * Lets `fn` return while its slot stays taken until `p` settles: a runner that has answered but
 * not yet exited still holds its memory, and waiting for the exit (~20 ms of kernel teardown)
 * need not delay the answer.
 */
export type KeepUntil = (p: Promise<unknown>) => void;

/** What a RunnerClient needs: run `fn` while holding one runner slot. */
export interface RunnerAdmission {
  run<T>(what: string, fn: (keepUntil: KeepUntil) => Promise<T>, options?: AdmitOptions): Promise<T>;
  stats(): AdmissionStats;
}

export interface RunnerPoolOptions {
  /** Runners at once (at least 1). */
  slots: number;
  /** Tool calls that may wait; one more is refused at once. */
  queue: number;
  /** Longest a tool call waits for a slot before it is refused. */
  maxWaitS: number;
}

/** Slots when none are configured: the cores, at most as many runners as 80% of the memory holds at `budgetMb` each. */
export function defaultRunnerSlots(
  config: { runnerSlots: number; runnerBudgetMb: number },
  machine: { cores: number; memoryBytes: number } = { cores: os.availableParallelism(), memoryBytes: os.totalmem() },
): number {
  if (config.runnerSlots > 0) return config.runnerSlots;
  const byMemory = Math.floor((machine.memoryBytes * 0.8) / (config.runnerBudgetMb * 1024 * 1024));
  return Math.max(1, Math.min(machine.cores, byMemory));
}

/** No bound: for tests and benches that measure the runner itself. */
export const unboundedAdmission: RunnerAdmission = {
  run: (_what, fn) => fn(() => undefined),
  stats: () => ({ slots: Infinity, active: 0, waiting: 0, peak: 0, refused: 0 }),
};

interface Waiter {
  mode: AdmissionMode;
  since: number;
  grant: () => void;
}

/** Recent hold times kept for the retry-after estimate. */
const HOLD_SAMPLES = 20;
/** Assumed hold before any runner finished here: a validation on a loaded host. */
const DEFAULT_HOLD_MS = 10_000;

export class RunnerPool implements RunnerAdmission {
  private active = 0;
  private peakActive = 0;
  private refusedCalls = 0;
  private readonly waiting: Waiter[] = [];
  private readonly holds: number[] = [];

  constructor(private readonly o: RunnerPoolOptions) {
    if (!Number.isInteger(o.slots) || o.slots < 1) throw new GenAutoMLError('config.invalid', `Runner slots must be a positive integer, not ${o.slots}.`, { hint: 'Set GENAUTOML_RUNNER_SLOTS to 1 or more, or 0 for automatic.' });
  }

  stats(): AdmissionStats {
    return { slots: this.o.slots, active: this.active, waiting: this.waiting.length, peak: this.peakActive, refused: this.refusedCalls };
  }

  async run<T>(what: string, fn: (keepUntil: KeepUntil) => Promise<T>, options: AdmitOptions = {}): Promise<T> {
    const release = await this.acquire(what, options.mode ?? 'job', options.signal);
    const started = Date.now();
    const kept: Array<Promise<unknown>> = [];
    const done = (): void => {
      this.holds.push(Date.now() - started);
      if (this.holds.length > HOLD_SAMPLES) this.holds.shift();
      release();
    };
    try {
      return await fn((p) => kept.push(p));
    } finally {
      if (kept.length === 0) done();
      else void Promise.allSettled(kept).then(done);
    }
  }

  private acquire(what: string, mode: AdmissionMode, signal: AbortSignal | undefined): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(cancelled(what, signal));
    if (this.active < this.o.slots && this.waiting.length === 0) return Promise.resolve(this.take());
    if (mode === 'call' && this.waiting.filter((w) => w.mode === 'call').length >= this.o.queue) {
      return Promise.reject(this.busy(what, `${this.waiting.length} more are waiting`, this.waiting.length));
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const leave = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        mode,
        since: Date.now(),
        grant: () => {
          leave();
          resolve(this.take());
        },
      };
      const onAbort = (): void => {
        leave();
        reject(cancelled(what, signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (mode === 'call') {
        timer = setTimeout(() => {
          const ahead = this.waiting.indexOf(waiter);
          leave();
          reject(this.busy(what, `it waited ${this.o.maxWaitS} s`, Math.max(0, ahead)));
        }, this.o.maxWaitS * 1000);
        timer.unref?.();
      }
      this.waiting.push(waiter);
    });
  }

  private take(): () => void {
    this.active++;
    this.peakActive = Math.max(this.peakActive, this.active);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      // FIFO: the longest waiter gets the slot.
      this.waiting[0]?.grant();
    };
  }

  /** Seconds until a new call is likely to get a slot: the waiters ahead of it over the slots, times the usual hold. */
  retryAfterS(ahead = this.waiting.length): number {
    const typicalMs = this.holds.length > 0 ? this.holds.reduce((a, b) => a + b, 0) / this.holds.length : DEFAULT_HOLD_MS;
    return Math.max(1, Math.ceil(((ahead + 1) / this.o.slots) * (typicalMs / 1000)));
  }

  private busy(what: string, why: string, ahead: number): GenAutoMLError {
    this.refusedCalls++;
    const retryAfterS = this.retryAfterS(ahead);
    return new GenAutoMLError('runner.busy', `All ${this.o.slots} runner slots are busy and ${why}; the ${what} was not started. Retry after ${retryAfterS} s.`, {
      hint: `Retry in ${retryAfterS} s (retry-after). Operators size the pool with GENAUTOML_RUNNER_SLOTS, GENAUTOML_RUNNER_QUEUE and GENAUTOML_RUNNER_QUEUE_WAIT_S.`,
      details: { retryAfterS, slots: this.o.slots, active: this.active, waiting: this.waiting.length },
    });
  }
}

function cancelled(what: string, signal: AbortSignal | undefined): GenAutoMLError {
  return new GenAutoMLError('runner.cancelled', `The ${what} was cancelled while waiting for a runner slot.`, { cause: signal?.reason });
}
