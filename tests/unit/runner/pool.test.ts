/**
 * WarmPool: a process serves one request and is replaced; 'on-exit' starts the replacement once
 * the taken process has exited (validations), 'on-take' at once (trials, so the next trial's
 * process is ready when this one ends).
 */
import { describe, expect, it } from 'vitest';
import { WarmPool, type Pooled } from '../../../engine/runner/pool.js';

class FakeProcess implements Pooled {
  alive = true;
  readonly ready = Promise.resolve({ type: 'ready' as const, protocol: 1 as const, pid: 0, torch: 'x', limits: {} });
  private exited!: () => void;
  private readonly exit = new Promise<void>((r) => (this.exited = r));
  constructor(readonly id: number) {}
  waitExit(): Promise<void> {
    return this.exit;
  }
  setRef(): void {}
  kill(): void {
    this.end();
  }
  end(): void {
    this.alive = false;
    this.exited();
  }
}

function pool(refill: 'on-exit' | 'on-take'): { pool: WarmPool<FakeProcess>; spawned: FakeProcess[] } {
  const spawned: FakeProcess[] = [];
  const p = new WarmPool<FakeProcess>(1, async () => {
    const f = new FakeProcess(spawned.length);
    spawned.push(f);
    return f;
  }, () => {}, refill);
  return { pool: p, spawned };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('WarmPool', () => {
  it('on-take: the replacement starts when a waiting process is taken', async () => {
    const { pool: p, spawned } = pool('on-take');
    p.fill();
    await tick();
    expect(p.idleCount).toBe(1);
    const taken = await p.acquire();
    expect(taken.id).toBe(0);
    await tick();
    expect(spawned).toHaveLength(2);
    expect(p.idleCount).toBe(1);
    // Each process serves one call: the next acquire gets the replacement, never the first again.
    expect((await p.acquire()).id).toBe(1);
  });

  it('on-exit: the replacement starts only once the taken process has exited', async () => {
    const { pool: p, spawned } = pool('on-exit');
    p.fill();
    await tick();
    const taken = await p.acquire();
    await tick();
    expect(spawned).toHaveLength(1);
    taken.end();
    await tick();
    expect(spawned).toHaveLength(2);
    expect(p.idleCount).toBe(1);
  });

  it('skips a waiting process that died, and close() kills those still waiting', async () => {
    const { pool: p, spawned } = pool('on-take');
    p.fill();
    await tick();
    spawned[0]!.end();
    await tick();
    expect(p.idleCount).toBe(0);
    const got = await p.acquire();
    expect(got.alive).toBe(true);
    expect(got.id).not.toBe(0);
    await tick();
    await p.close();
    expect(spawned.filter((f) => f !== got).every((f) => !f.alive)).toBe(true);
    expect(got.alive).toBe(true);
  });

  it('a call that comes while the pooled process is starting takes that one instead of starting a second', async () => {
    const spawned: FakeProcess[] = [];
    const gates: Array<() => void> = [];
    const p = new WarmPool<FakeProcess>(1, () => new Promise<FakeProcess>((resolve) => {
      const f = new FakeProcess(spawned.length);
      spawned.push(f);
      gates.push(() => resolve(f));
    }), () => {}, 'on-take');
    p.fill();
    const pending = p.acquire();
    await tick();
    expect(spawned).toHaveLength(1);
    gates[0]!();
    expect((await pending).id).toBe(0);
    // Taken: its replacement starts now ('on-take').
    expect(spawned).toHaveLength(2);
  });

  it('a waiter whose starting process fails starts its own', async () => {
    let n = 0;
    const errors: unknown[] = [];
    let fail!: (e: Error) => void;
    const p = new WarmPool<FakeProcess>(1, () => (n++ === 0 ? new Promise<FakeProcess>((_, reject) => (fail = reject)) : Promise.resolve(new FakeProcess(n))), (e) => errors.push(e), 'on-take');
    p.fill();
    const pending = p.acquire();
    await tick();
    fail(new Error('no torch'));
    const got = await pending;
    expect(got.alive).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('a process idle past idleMs exits and is not replaced until the pool is used again', async () => {
    const spawned: FakeProcess[] = [];
    const p = new WarmPool<FakeProcess>(1, async () => {
      const f = new FakeProcess(spawned.length);
      spawned.push(f);
      return f;
    }, () => {}, 'on-take', 30);
    p.fill();
    await tick();
    expect(p.idleCount).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(spawned[0]!.alive).toBe(false);
    expect(p.idleCount).toBe(0);
    expect(spawned).toHaveLength(1);
    p.fill();
    await tick();
    expect(p.idleCount).toBe(1);
    await p.close();
  });
});
