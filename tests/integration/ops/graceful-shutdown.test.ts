/**
 * Graceful shutdown during a running trial, on the real queue, runner and PyTorch: a worker stops
 * (what SIGTERM does to `genautoml worker`) while its trial is training; the trial goes back to
 * `queued` (a hand-back, which does not use up its attempts), and a worker started afterwards (a restarted process on the
 * same database) runs it to completion and the study finishes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../engine/app.js';
import { createLogger } from '../../../engine/log.js';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { startStudy, studyStatus } from '../../../engine/search/service.js';
import { createApp } from '../../../server/app.js';
import { startWorker, type WorkerHandle } from '../../../server/worker.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';
import { until } from '../../helpers/wait.js';

function searchWorker(app: App, name: string): Promise<WorkerHandle> {
  return startWorker(app, {
    concurrency: 1,
    graceMs: 30_000,
    registrations: [(a, ctx) => registerSearchWorkers(a, { concurrency: 1, signal: ctx.signal, pollingIntervalSeconds: 0.5, name })],
  });
}

describe(`graceful shutdown during a running trial on ${DB_MODE}`, () => {
  let t: TestApp;
  let second: App | undefined;
  let dataset: string;

  beforeAll(async () => {
    t = await createTestApp({ startQueue: true, onDisk: true });
    dataset = await loadSynthetic(t.app, { rows: 2000, features: 3 });
  }, 120_000);

  afterAll(async () => {
    await second?.close().catch(() => {});
    await t?.dispose();
  });

  it('requeues the trial on stop and a later worker completes it', async () => {
    const first = await searchWorker(t.app, 'worker-1');
    const study = await startStudy(
      t.app,
      // One long trial: many epochs and patience as large, so early stopping cannot end it first.
      { dataset, lookback: 48, horizon: 12, candidates: ['dlinear'], maxTrials: 1, epochs: 60, patience: 60, parallelism: 1, sampler: 'random', pruner: 'none', seed: 5 },
      { origin: 'test' },
    );

    // Mid-trial: running on worker-1 with at least one epoch's validation loss stored.
    const running = await until(
      () => t.app.studies.trials(study.id),
      (ts) => ts[0]?.state === 'running' && ts[0].intermediate.length >= 1,
      180_000,
      'the trial to be training',
    );
    expect(running[0]!.worker).toBe('worker-1');
    expect(running[0]!.attempts).toBe(1);

    // SIGTERM: the worker aborts its signal (the runner is killed), requeues, then drains the queue.
    await first.stop();

    const [requeued] = await t.app.studies.trials(study.id);
    expect(requeued).toMatchObject({ state: 'queued', attempts: 1, requeues: 1, worker: null, intermediate: [] });
    expect((await t.app.studies.get(study.id)).state).not.toBe('done');

    // The process exits; a new one opens the same database and serves the queue again.
    const config = t.config;
    await t.app.close();
    second = await createApp(config, createLogger({ level: 'silent' }), { startQueue: true });
    const again = await searchWorker(second, 'worker-2');
    try {
      const status = await until(() => studyStatus(second!, study.id), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 300_000, 'the study to finish');
      expect(status.state).toBe('done');
      const [done] = await second.studies.trials(study.id);
      expect(done).toMatchObject({ state: 'complete', attempts: 2, requeues: 1, worker: 'worker-2' });
      expect(done!.intermediate.length).toBeGreaterThan(1);
      expect(Number.isFinite(done!.value)).toBe(true);
    } finally {
      await again.stop();
    }
  }, 600_000);
});
