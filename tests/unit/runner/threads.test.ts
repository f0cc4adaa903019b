/** The trial thread policy: one thread per slot by default, never more threads than idle cores. */
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../../engine/runner/sandbox.js';
import { TrialThreads, chooseTrialThreads, threadsNow } from '../../../engine/runner/threads.js';

const base = { cores: 16, slots: 4, max: 8, load1: 0, ownThreads: 0 };

describe('chooseTrialThreads', () => {
  it('defaults to one thread per trial however idle the host is', () => {
    expect(chooseTrialThreads({ ...base, max: 1 })).toBe(1);
    expect(chooseTrialThreads({ cores: 64, slots: 1, max: 1, load1: 0, ownThreads: 0 })).toBe(1);
  });

  it('gives an idle host its share of cores per slot, up to the ceiling', () => {
    expect(chooseTrialThreads(base)).toBe(4);
    expect(chooseTrialThreads({ ...base, max: 3 })).toBe(3);
    expect(chooseTrialThreads({ ...base, slots: 1 })).toBe(8);
  });

  it('never oversubscribes: slots × threads stays within the cores', () => {
    for (let cores = 1; cores <= 12; cores++) {
      for (let slots = 1; slots <= 12; slots++) {
        const t = chooseTrialThreads({ cores, slots, max: 64, load1: 0, ownThreads: 0 });
        expect(t).toBeGreaterThanOrEqual(1);
        if (slots <= cores) expect(t * slots).toBeLessThanOrEqual(cores);
        else expect(t).toBe(1);
      }
    }
  });

  it('takes only idle cores when something else loads the host', () => {
    // 16 cores, 10 busy with other work: 6 idle over 4 slots.
    expect(chooseTrialThreads({ ...base, load1: 10 })).toBe(1);
    expect(chooseTrialThreads({ ...base, slots: 2, load1: 10 })).toBe(3);
    // 2-core host, the other core busy: one thread, not two.
    expect(chooseTrialThreads({ cores: 2, slots: 1, max: 8, load1: 1.1, ownThreads: 0 })).toBe(1);
    expect(chooseTrialThreads({ cores: 2, slots: 1, max: 8, load1: 18, ownThreads: 0 })).toBe(1);
  });

  it('does not count its own running trials as outside load', () => {
    // Two of our trials with 4 threads each make load 8 on an otherwise idle 16-core host.
    expect(chooseTrialThreads({ ...base, load1: 8, ownThreads: 8 })).toBe(4);
    expect(chooseTrialThreads({ ...base, load1: 8, ownThreads: 0 })).toBe(2);
  });

  it('survives nonsense inputs with at least one thread', () => {
    expect(chooseTrialThreads({ cores: 0, slots: 0, max: 0, load1: Number.NaN, ownThreads: -3 })).toBe(1);
    expect(chooseTrialThreads({ cores: 8, slots: 1, max: 8, load1: -1, ownThreads: 0 })).toBe(8);
  });
});

describe('TrialThreads', () => {
  it('remembers what running trials hold and gives it back on release', () => {
    let load = 0;
    const threads = new TrialThreads(2, 8, { cores: () => 8, load1: () => load });
    const a = threads.acquire();
    expect(a.threads).toBe(4);
    load = 4; // the first trial now shows in the load average
    const b = threads.acquire();
    expect(b.threads).toBe(4);
    expect(threads.held).toBe(8);
    a.release();
    a.release(); // twice is harmless
    expect(threads.held).toBe(4);
    b.release();
    expect(threads.held).toBe(0);
  });
});

describe('threadsNow', () => {
  it('applies the policy to the machine as it is now', () => {
    expect(threadsNow(1, 4, { cores: () => 8, load1: () => 0 })).toBe(4);
    expect(threadsNow(1, 4, { cores: () => 8, load1: () => 7 })).toBe(1);
  });
});

describe('runner environment', () => {
  it('fixes every thread pool to the trial count and makes OpenMP wait passively', () => {
    const layout = { executable: '/usr/bin/python3', dirs: [], version: '3' };
    for (const bwrap of ['/usr/bin/bwrap', null]) {
      const plan = planCommand({ layout, bwrap, scratch: '/tmp/x', readOnly: [], limits: { cpuS: 10, nproc: 8, fsizeMb: 1 }, gpu: false, asNobody: false, threads: 3 });
      expect(plan.env).toMatchObject({ OMP_NUM_THREADS: '3', MKL_NUM_THREADS: '3', OPENBLAS_NUM_THREADS: '3', OMP_WAIT_POLICY: 'PASSIVE' });
    }
  });
});
