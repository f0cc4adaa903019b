import { describe, expect, it, vi } from 'vitest';
import type { App } from '../../../engine/app.js';
import { silentLogger } from '../../../engine/log.js';
import { registerWorkers, startWorker } from '../../../server/worker.js';

const fakeApp = (stop = vi.fn(async () => {})): App => ({ logger: silentLogger, queue: { stop } }) as unknown as App;

describe('startWorker', () => {
  it('starts nothing when no handlers are registered, and stops cleanly', async () => {
    // The default list serves the search queues; an empty list must start nothing.
    expect(registerWorkers.length).toBeGreaterThan(0);
    const stop = vi.fn(async () => {});
    const w = await startWorker(fakeApp(stop), { concurrency: 2, registrations: [] });
    expect(w.handlers).toBe(0);
    await w.stop();
    await w.stopped;
    expect(stop).not.toHaveBeenCalled();
  });

  it('runs each registration with the concurrency and stops the queue once', async () => {
    const stop = vi.fn(async () => {});
    const seen: number[] = [];
    const w = await startWorker(fakeApp(stop), {
      concurrency: 3,
      graceMs: 10,
      registrations: [(_app, ctx) => void seen.push(ctx.concurrency), async (_app, ctx) => void seen.push(ctx.concurrency * 10)],
    });
    expect(seen).toEqual([3, 30]);
    await Promise.all([w.stop(), w.stop()]);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledWith(10);
  });
});
