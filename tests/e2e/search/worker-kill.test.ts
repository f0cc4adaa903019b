/**
 * A worker process killed with SIGKILL in the middle of a trial, on real PostgreSQL with two
 * `genautoml worker` processes: nothing tells anyone it died. Its trial stops heartbeating, the
 * surviving worker's liveness check requeues it, the survivor runs it again as a second attempt,
 * and the study finishes with every trial in a final state, each counted once.
 *
 * Default settings throughout (heartbeat 5 s, silent after 20 s, the half-hour queue lease): the
 * trial must be running again within a minute, long before any lease would run out. Each trial
 * trains for a fixed 12 s budget so it is reliably mid-trial when killed.
 *
 * Just before the kill a registered model joins the running study (live injection, as
 * add_candidates does): the addition must survive the dead worker — the newcomer gets its
 * coverage trial on the survivor and is on the final leaderboard.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../engine/app.js';
import { loadConfig } from '../../../engine/config.js';
import { silentLogger } from '../../../engine/log.js';
import { addCandidates } from '../../../engine/search/candidates.js';
import { startStudy, studyStatus } from '../../../engine/search/service.js';
import { createApp } from '../../../server/app.js';
import { createTestHome, type RunningCli, startCli, type TestHome } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';
import { alive, childPids } from '../../helpers/procs.js';
import { until } from '../../helpers/wait.js';

describe.skipIf(DB_MODE !== 'postgres')('a worker killed mid-trial (SIGKILL) on PostgreSQL', () => {
  let home: TestHome;
  let app: App;
  let workers: RunningCli[] = [];

  beforeAll(async () => {
    home = createTestHome({ GENAUTOML_WORKER_CONCURRENCY: '1' });
    // This process only starts the study and reads rows; the two workers run every job.
    app = await createApp(loadConfig(home.env), silentLogger, { startQueue: true });
    workers = [startCli(['worker'], home.env), startCli(['worker'], home.env)];
    await Promise.all(workers.map((w) => w.waitForStderr(/worker running/, 60_000)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGTERM', 20_000)));
    await app?.close();
    await home?.dispose();
  });

  it('redelivers the dead worker’s trial to the survivor and finishes the study', async () => {
    const dataset = await loadSynthetic(app, { rows: 2000, features: 3 });
    const study = await startStudy(
      app,
      { dataset, lookback: 48, horizon: 12, candidates: ['dlinear', 'nlinear'], maxTrials: 4, epochs: 500, patience: 100, trialMinutes: 0.2, parallelism: 2, sampler: 'random', pruner: 'none', seed: 1 },
      { origin: 'test' },
    );

    // Mid-trial: some trial is training (an epoch's validation loss stored) on a worker process.
    const trials = await until(() => app.studies.trials(study.id), (ts) => ts.some((t) => t.state === 'running' && t.intermediate.length >= 1), 180_000, 'a trial to be training');
    const victimTrial = trials.find((t) => t.state === 'running' && t.intermediate.length >= 1)!;
    const victimPid = Number(victimTrial.worker?.split(':').pop());
    const victim = workers.find((w) => w.child.pid === victimPid);
    expect(victim, `trial worker ${victimTrial.worker} is one of ours`).toBeDefined();
    const survivor = workers.find((w) => w !== victim)!;
    const code = readFileSync(path.resolve(import.meta.dirname, '../../fixtures/models/linear.py'), 'utf8');
    await app.models.insert({ id: 'md_joiner0001', name: 'joiner', kind: 'user', code, codeSha: 'joiner', request: null, provider: null, iterations: null, report: null, dims: null });
    expect(await addCandidates(app, study.id, ['joiner'])).toMatchObject({ added: ['joiner'], candidates: 3 });
    const trainers = childPids(victimPid);
    expect(trainers.length).toBeGreaterThan(0); // the sandboxed runner training the trial
    victim!.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await victim!.exited).toBeNull(); // killed by the signal: no exit code
    // Its runner dies with it (bubblewrap's --die-with-parent; unsandboxed, a broken pipe at its
    // next epoch report) instead of training on for nobody.
    await until(async () => trainers.filter(alive), (left) => left.length === 0, 30_000, 'the dead worker’s runner to exit');

    // Running again on the survivor within a minute of the kill (the bound; the queue
    // lease alone would take 35 minutes).
    await until(
      () => app.studies.trial(study.id, victimTrial.number),
      (t) => t !== undefined && t.attempts === 2 && t.state !== 'queued',
      60_000,
      'the dead worker’s trial to run again',
      500,
    );
    process.stderr.write(`worker-kill: trial ${victimTrial.number} running again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill\n`);

    const status = await until(() => studyStatus(app, study.id), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 300_000, 'the study to finish');
    expect(status.state).toBe('done');

    const final = await app.studies.trials(study.id);
    // Every trial exactly once, each in a final state: the four asked for, and the newcomer's
    // coverage trial that its joining added to the budget.
    expect(final.map((t) => t.number).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const t of final) expect(t.state).toBe('complete');
    const redone = final.find((t) => t.number === victimTrial.number)!;
    expect(redone.attempts).toBe(2);
    expect(redone.worker).toMatch(new RegExp(`:${survivor.child.pid}$`));
    expect(redone.intermediate.length).toBeGreaterThan(0);
    expect(Number.isFinite(redone.value)).toBe(true);
    // The other trials were not disturbed.
    for (const t of final.filter((x) => x.number !== victimTrial.number)) expect(t.attempts).toBe(1);
    // The model added mid-study was trained despite the kill, and is on the board.
    expect(final.filter((t) => t.params.arch === 'joiner' && t.state === 'complete').length).toBeGreaterThanOrEqual(1);
    const board = (status.result as { leaderboard: { arch: string }[] } | null)?.leaderboard ?? [];
    expect(board.map((r) => r.arch)).toContain('joiner');
    // Nothing is left behind in the queue.
    expect(await app.queue.pending('trial')).toBe(0);
  }, 420_000);
});
