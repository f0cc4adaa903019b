import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../engine/log.js';
import { registerWorkers, runWorker, type WorkerApp } from '../../../server/worker.js';

const fakeApp = (stop = vi.fn(async () => {})): WorkerApp => ({ logger: silentLogger, queue: { stop } });

describe('startWorker', () => {
  it('starts nothing when no handlers are registered, and stops cleanly', async () => {
    // The default list serves the search queues; an empty list must start nothing.
    expect(registerWorkers.length).toBeGreaterThan(0);
    const stop = vi.fn(async () => {});
    const w = await runWorker(fakeApp(stop), [], { concurrency: 2 });
    expect(w.handlers).toBe(0);
    await w.stop();
    await w.stopped;
    expect(stop).not.toHaveBeenCalled();
  });

  it('runs each registration with the concurrency and stops the queue once', async () => {
    const stop = vi.fn(async () => {});
    const seen: number[] = [];
    const w = await runWorker(fakeApp(stop), [(_app, ctx) => void seen.push(ctx.concurrency), async (_app, ctx) => void seen.push(ctx.concurrency * 10)], {
      concurrency: 3,
      graceMs: 10,
    });
    expect(seen).toEqual([3, 30]);
    await Promise.all([w.stop(), w.stop()]);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledWith(10);
  });
});
