/**
 * A trial's sandboxed runner killed with SIGKILL from outside (as the OOM killer or an operator
 * would): the model is not at fault, so the trial is retried (GENAUTOML_RUNNER_RETRIES, default
 * 2) rather than recorded as failed, and the study ends with every trial final and counted once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStudy, studyStatus } from '../../../engine/search/service.js';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';
import { alive, commandOf, descendantPids } from '../../helpers/procs.js';
import { until } from '../../helpers/wait.js';

describe(`a runner child killed mid-trial on ${DB_MODE}`, () => {
  let t: TestApp;
  let dataset: string;
  const abort = new AbortController();

  beforeAll(async () => {
    t = await createTestApp({ startQueue: true });
    dataset = await loadSynthetic(t.app, { rows: 1500, features: 2 });
    await registerSearchWorkers(t.app, { concurrency: 1, pollingIntervalSeconds: 0.5, signal: abort.signal });
  }, 120_000);

  afterAll(async () => {
    abort.abort();
    await t?.dispose();
  });

  it('retries the trial whose runner was killed and finishes the study', async () => {
    expect(t.config.runnerRetries).toBe(2);
    const study = await startStudy(
      t.app,
      // Each trial trains for a fixed 6 s budget, so it is reliably mid-training when killed.
      { dataset, lookback: 48, horizon: 12, candidates: ['dlinear'], maxTrials: 2, epochs: 500, patience: 100, trialMinutes: 0.1, parallelism: 1, sampler: 'random', pruner: 'none', seed: 4, topK: 1 },
      { origin: 'test' },
    );
    const victim = (await until(() => t.app.studies.trials(study.id), (ts) => ts.some((x) => x.state === 'running' && x.intermediate.length >= 1), 120_000, 'a trial to be training')).find(
      (x) => x.state === 'running',
    )!;
    const pythons = descendantPids(process.pid).filter((p) => commandOf(p).startsWith('python'));
    expect(pythons.length).toBeGreaterThan(0);
    for (const p of pythons) process.kill(p, 'SIGKILL');
    await until(async () => pythons.filter(alive), (left) => left.length === 0, 10_000, 'the runner to die');

    const status = await until(() => studyStatus(t.app, study.id), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 300_000, 'the study to finish', 1000);
    expect(status.state).toBe('done');
    const trials = await t.app.studies.trials(study.id);
    expect(trials.map((x) => x.number).sort()).toEqual([0, 1]);
    for (const x of trials) expect(x.state).toBe('complete');
    const retried = trials.find((x) => x.number === victim.number)!;
    // Run again as a retry (a new attempt), not recorded as runner.crashed.
    expect(retried.retries).toBe(1);
    expect(retried.attempts).toBe(2);
    expect(trials.find((x) => x.number !== victim.number)!.retries).toBe(0);
  }, 360_000);
});
