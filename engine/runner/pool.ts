/**
 * Warm processes (validate; trials, one pool per kind of call): each has torch imported and waits
 * for one request, so a call skips interpreter and torch start-up. A process serves exactly one
 * request and is then replaced: whatever hostile code did to its interpreter dies with it, and no
 * model code ever runs in a process before its own request.
 */
import type { RunnerProcess } from './process.js';

/** What the pool needs of a process. */
export type Pooled = Pick<RunnerProcess, 'alive' | 'ready' | 'waitExit' | 'setRef' | 'kill'>;

export class WarmPool<P extends Pooled = RunnerProcess> {
  private idle: P[] = [];
  private starting = 0;
  /** acquire() calls waiting for a process that is starting (one each, in order). */
  private waiters: Array<(p: P | null) => void> = [];
  private closed = false;

  /**
   * `refill`: when a replacement for a taken process starts. 'on-exit' for validations, whose
   * 2-thread forward passes a torch import beside them would slow (measured: warm validate
   * 17 → 25 ms on 2 cores); 'on-take' for trials, which train for seconds on their own threads,
   * so the next trial's process is ready when this one ends.
   */
  constructor(
    private readonly size: number,
    private readonly spawn: () => Promise<P>,
    private readonly onError: (err: unknown) => void,
    private readonly refill: 'on-exit' | 'on-take' = 'on-exit',
    /** A process idle this long exits and is not replaced until the pool is used (fill/acquire) again: memory goes back after a search. */
    private readonly idleMs?: number,
  ) {}

  /**
   * A process that is started (possibly still importing torch); one still starting when none
   * waits (a second start beside it would only slow both); a fresh one when none is on its way.
   */
  async acquire(): Promise<P> {
    this.idle = this.idle.filter((p) => p.alive);
    let p = this.idle.shift();
    if (!p && this.starting > this.waiters.length) p = (await new Promise<P | null>((r) => this.waiters.push(r))) ?? undefined;
    if (!p || !p.alive) {
      this.fill();
      return this.spawn();
    }
    if (this.refill === 'on-take') this.fill();
    else void p.waitExit().then(() => this.fill());
    return p;
  }

  fill(): void {
    if (this.closed) return;
    while (this.idle.length + this.starting < this.size) {
      this.starting++;
      this.spawn()
        .then((p) => {
          this.starting--;
          if (this.closed) {
            p.kill('cancelled');
            this.waiters.shift()?.(null);
            return;
          }
          const waiter = this.waiters.shift();
          if (waiter) return waiter(p);
          p.setRef(false);
          this.idle.push(p);
          const timer = this.idleMs === undefined ? undefined : setTimeout(() => {
            if (this.idle.includes(p)) p.kill('cancelled');
          }, this.idleMs);
          timer?.unref?.();
          void p.waitExit().then(() => {
            clearTimeout(timer);
            this.idle = this.idle.filter((q) => q !== p);
          });
        })
        .catch((err: unknown) => {
          this.starting--;
          // A waiter starts its own process, and meets the error itself if it persists.
          this.waiters.shift()?.(null);
          // Do not retry in a loop: the next acquire() tries again and reports the error.
          this.onError(err);
        });
    }
  }

  /**
   * Resolves true once `count` pooled processes (all of the pool: 'all') have torch imported and
   * wait for a request; false on timeout or close. Processes that die meanwhile are replaced.
   */
  async whenReady(count: number | 'all' = 1, timeoutMs = 120_000): Promise<boolean> {
    const need = count === 'all' ? this.size : count;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.closed) {
      this.fill();
      const alive = this.idle.filter((p) => p.alive);
      if (alive.length >= need) {
        const ok = await Promise.race([
          atLeast(need, alive.map((p) => p.ready)),
          new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref?.()),
        ]);
        if (ok) return true;
      } else {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return false;
  }

  get idleCount(): number {
    return this.idle.filter((p) => p.alive).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.idle;
    this.idle = [];
    for (const p of all) p.kill('cancelled');
    await Promise.all(all.map((p) => p.waitExit()));
  }
}

/** True once `n` of the promises have fulfilled; false once too many have rejected for that. */
function atLeast(n: number, promises: Array<Promise<unknown>>): Promise<boolean> {
  return new Promise((resolve) => {
    let ok = 0;
    let bad = 0;
    for (const p of promises) {
      p.then(
        () => ++ok === n && resolve(true),
        () => promises.length - ++bad < n && resolve(false),
      );
    }
  });
}
