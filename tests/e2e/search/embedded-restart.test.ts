/**
 * The embedded database (PGlite, one process owns every job) with that process killed by SIGKILL,
 * once in the middle of a trial and once while finalising. Nobody else can have been running its
 * work, so the next process takes every orphan back at start-up: the trial runs again at once
 * (not after the half-hour lease), the finalisation is taken over and finishes, and the study ends
 * with every trial final and counted once. Default settings; the measured times are printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../engine/app.js';
import { loadConfig } from '../../../engine/config.js';
import { silentLogger } from '../../../engine/log.js';
import { startStudy } from '../../../engine/search/service.js';
import { createApp } from '../../../server/app.js';
import { createTestHome, type RunningCli, startCli, type TestHome } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';
import { childPids } from '../../helpers/procs.js';
import { until } from '../../helpers/wait.js';

const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);

describe.skipIf(DB_MODE !== 'pglite')('embedded database: the one process killed mid-trial and mid-finalisation', () => {
  let home: TestHome;
  let studyId: string;
  const workers: RunningCli[] = [];

  beforeAll(async () => {
    home = createTestHome({ DATABASE_URL: undefined, GENAUTOML_LOG_LEVEL: 'info', GENAUTOML_WORKER_CONCURRENCY: '1' });
    const app: App = await createApp(loadConfig(home.env), silentLogger, { startQueue: true });
    try {
      const dataset = await loadSynthetic(app, { rows: 2000, features: 2 });
      const study = await startStudy(
        app,
        { dataset, lookback: 48, horizon: 12, candidates: ['dlinear'], maxTrials: 2, epochs: 500, patience: 100, trialMinutes: 0.2, parallelism: 1, sampler: 'random', pruner: 'none', seed: 3, topK: 1 },
        { origin: 'test' },
      );
      studyId = study.id;
    } finally {
      await app.close();
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL', 5000)));
    await home?.dispose();
  });

  const start = (): RunningCli => {
    const w = startCli(['worker'], home.env);
    workers.push(w);
    return w;
  };

  it('takes the trial and the finalisation back at once after each restart', async () => {
    const first = start();
    await first.waitForStderr(/"msg":"trial started"[^\n]*"trial":0[^\n]*"attempt":1/, 120_000);
    // Training: the sandboxed runner is up.
    await until(async () => childPids(first.child.pid!), (kids) => kids.length > 0, 60_000, 'the runner to start');
    await new Promise((r) => setTimeout(r, 2000));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    const restarted = Date.now();
    const second = start();
    await second.waitForStderr(/"msg":"trial started"[^\n]*"trial":0[^\n]*"attempt":2/, 60_000);
    process.stderr.write(`embedded-restart: trial 0 running again ${seconds(restarted)} s after the restart\n`);

    await second.waitForStderr(/"msg":"finalising study"/, 180_000);
    second.child.kill('SIGKILL');
    expect(await second.exited).toBeNull();

    const restartedAgain = Date.now();
    const third = start();
    await third.waitForStderr(/"msg":"study finalised"/, 120_000);
    process.stderr.write(`embedded-restart: study finalised ${seconds(restartedAgain)} s after the restart during finalisation\n`);
    expect(await third.stop('SIGTERM', 30_000)).toBe(0);

    const app = await createApp(loadConfig(home.env), silentLogger, { startQueue: false });
    try {
      const study = await app.studies.get(studyId);
      expect(study.state).toBe('done');
      const trials = await app.studies.trials(studyId);
      expect(trials.map((t) => t.number)).toEqual([0, 1]);
      for (const t of trials) expect(t.state).toBe('complete');
      expect(trials.map((t) => t.attempts)).toEqual([2, 1]);
      expect((study.result as { best?: { trial?: number } } | null)?.best?.trial).toBeTypeOf('number');
    } finally {
      await app.close();
    }
  }, 480_000);
});
