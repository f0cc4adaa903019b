/**
 * A worker process killed with SIGKILL in the middle of a trial, on real PostgreSQL with two
 * `genautoml worker` processes: nothing tells anyone it died. Its trial job's lease runs out, the
 * queue redelivers it, the surviving worker runs it again as a second attempt, and the study
 * finishes with every trial in a final state, each counted once.
 *
 * The lease is shortened for the test (trial limit 60 s + 5 s grace, expiry checked every second);
 * each trial trains for a fixed 12 s budget so it is reliably mid-trial when killed.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../engine/app.js';
import { loadConfig } from '../../../engine/config.js';
import { silentLogger } from '../../../engine/log.js';
import { startStudy, studyStatus } from '../../../engine/search/service.js';
import { createApp } from '../../../server/app.js';
import { createTestHome, type RunningCli, startCli, type TestHome } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';
import { until } from '../../helpers/wait.js';

/** Direct children of a process, from /proc. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const list = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    if (list) out.push(...list.split(/\s+/).map(Number));
  }
  return out;
}

/** Running (a zombie waiting for its reaper has stopped). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe.skipIf(DB_MODE !== 'postgres')('a worker killed mid-trial (SIGKILL) on PostgreSQL', () => {
  let home: TestHome;
  let app: App;
  let workers: RunningCli[] = [];

  beforeAll(async () => {
    home = createTestHome({
      GENAUTOML_TRIAL_TIMEOUT_S: '60',
      GENAUTOML_TRIAL_LEASE_GRACE_S: '5',
      GENAUTOML_QUEUE_MAINTENANCE_S: '1',
      GENAUTOML_WORKER_CONCURRENCY: '1',
    });
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
      { dataset, lookback: 48, horizon: 12, candidates: ['dlinear', 'nlinear'], maxTrials: 3, epochs: 500, patience: 100, trialMinutes: 0.2, parallelism: 2, sampler: 'random', pruner: 'none', seed: 1 },
      { origin: 'test' },
    );

    // Mid-trial: some trial is training (an epoch's validation loss stored) on a worker process.
    const trials = await until(() => app.studies.trials(study.id), (ts) => ts.some((t) => t.state === 'running' && t.intermediate.length >= 1), 180_000, 'a trial to be training');
    const victimTrial = trials.find((t) => t.state === 'running' && t.intermediate.length >= 1)!;
    const victimPid = Number(victimTrial.worker?.split(':').pop());
    const victim = workers.find((w) => w.child.pid === victimPid);
    expect(victim, `trial worker ${victimTrial.worker} is one of ours`).toBeDefined();
    const survivor = workers.find((w) => w !== victim)!;
    const trainers = childPids(victimPid);
    expect(trainers.length).toBeGreaterThan(0); // the sandboxed runner training the trial
    victim!.child.kill('SIGKILL');
    expect(await victim!.exited).toBeNull(); // killed by the signal: no exit code
    // Its runner dies with it (bubblewrap's --die-with-parent; unsandboxed, a broken pipe at its
    // next epoch report) instead of training on for nobody.
    await until(async () => trainers.filter(alive), (left) => left.length === 0, 30_000, 'the dead worker’s runner to exit');

    const status = await until(() => studyStatus(app, study.id), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 300_000, 'the study to finish');
    expect(status.state).toBe('done');

    const final = await app.studies.trials(study.id);
    // Every trial exactly once, each in a final state.
    expect(final.map((t) => t.number).sort()).toEqual([0, 1, 2]);
    for (const t of final) expect(t.state).toBe('complete');
    const redone = final.find((t) => t.number === victimTrial.number)!;
    expect(redone.attempts).toBe(2);
    expect(redone.worker).toMatch(new RegExp(`:${survivor.child.pid}$`));
    expect(redone.intermediate.length).toBeGreaterThan(0);
    expect(Number.isFinite(redone.value)).toBe(true);
    // The other trials were not disturbed.
    for (const t of final.filter((x) => x.number !== victimTrial.number)) expect(t.attempts).toBe(1);
    // Nothing is left behind in the queue.
    expect(await app.queue.pending('trial')).toBe(0);
  }, 420_000);
});
