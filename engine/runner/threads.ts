/**
 * How many torch threads a trial gets. Measured on the shared 2-core hosts (bench `runner`): the
 * search's small models gain nothing from a second intra-op thread, and a second thread on a
 * core someone else is using makes a trial several times slower (OpenMP threads wait on each
 * other at every parallel region). So the default is one thread per trial slot; an operator may
 * allow more per trial (GENAUTOML_TRIAL_THREADS), and then a trial takes only what is idle:
 *
 *   threads = clamp(min(max, ⌊cores / slots⌋, ⌊(cores − outside load) / slots⌋), 1, …)
 *
 * where the outside load is the 1-minute load average less the threads this process's own
 * trials are using (they are part of it). Slots × threads therefore never exceeds the cores, and
 * a busy machine gets one thread per trial. Inter-op threads are always 1 (train.py: trials use
 * no inter-op parallelism) and OpenMP waits passively (sandbox.ts sets OMP_WAIT_POLICY).
 */
import os from 'node:os';

export interface ThreadPolicyInput {
  /** Cores this process may use (os.availableParallelism()). */
  cores: number;
  /** Trial slots of this worker process. */
  slots: number;
  /** Ceiling per trial (GENAUTOML_TRIAL_THREADS; 1 by default). */
  max: number;
  /** 1-minute load average (os.loadavg()[0]). */
  load1: number;
  /** Threads this process's running trials use now; they are part of load1. */
  ownThreads: number;
}

/** The policy itself: pure, so it is unit-tested with made-up machines. */
export function chooseTrialThreads(i: ThreadPolicyInput): number {
  const cores = Math.max(1, Math.floor(i.cores));
  const slots = Math.max(1, Math.floor(i.slots));
  const max = Math.max(1, Math.floor(i.max));
  const share = Math.floor(cores / slots);
  // Load averages drift around the true number of busy threads; round to the nearest one.
  const outside = Math.max(0, Math.round((Number.isFinite(i.load1) ? i.load1 : 0) - Math.max(0, i.ownThreads)));
  const idlePerSlot = Math.floor(Math.max(0, cores - outside) / slots);
  return Math.max(1, Math.min(max, share, idlePerSlot));
}

export interface ThreadLease {
  threads: number;
  release(): void;
}

export interface MachineProbe {
  cores(): number;
  load1(): number;
}

const realMachine: MachineProbe = {
  cores: () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
  load1: () => os.loadavg()[0] ?? 0,
};

/** Threads for one-off runner calls outside the slots (top-K evaluation, exports, benchmarks). */
export function threadsNow(slots: number, max: number, machine: MachineProbe = realMachine): number {
  return chooseTrialThreads({ cores: machine.cores(), slots, max, load1: machine.load1(), ownThreads: 0 });
}

/**
 * One per worker process: hands each starting trial its thread count and remembers what running
 * trials hold, so the load they cause is not counted against the next one.
 */
export class TrialThreads {
  private inUse = 0;

  constructor(
    private readonly slots: number,
    private readonly max: number,
    private readonly machine: MachineProbe = realMachine,
  ) {}

  acquire(): ThreadLease {
    const threads = chooseTrialThreads({ cores: this.machine.cores(), slots: this.slots, max: this.max, load1: this.machine.load1(), ownThreads: this.inUse });
    this.inUse += threads;
    let released = false;
    return {
      threads,
      release: () => {
        if (released) return;
        released = true;
        this.inUse -= threads;
      },
    };
  }

  /** Threads held by running trials (for logs and tests). */
  get held(): number {
    return this.inUse;
  }
}
