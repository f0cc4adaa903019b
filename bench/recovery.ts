/**
 * Recovery times with the default settings (heartbeat 5 s, silent after 20 s, the half-hour queue
 * lease), measured with real `genautoml worker` processes killed by SIGKILL:
 *  1. worker_kill (PostgreSQL, two workers): a worker dies mid-trial → its trial is running again
 *     on the survivor (target ≤ 60 s; before liveness it waited ~35 min for the lease);
 *  2. embedded_restart (PGlite, one process owns every job): the process dies mid-trial and is
 *     started again → the trial is running again (target ≤ 10 s after the restart);
 *  3. embedded_finalise: the process dies while finalising and is started again → the study is
 *     finalised (target ≤ 30 s after the restart).
 * Times include starting the new process (Node, the database, the queue). worker_kill needs a
 * PostgreSQL server: DATABASE_URL (a fresh schema is made and dropped); without it, it is skipped.
 * `npm run bench recovery`.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../engine/app.js';
import { loadConfig } from '../engine/config.js';
import { prepareFromSource } from '../engine/data/index.js';
import { syntheticCsv } from '../engine/data/synthetic.js';
import { saveDataset } from '../engine/datasets/store.js';
import { silentLogger } from '../engine/log.js';
import { startStudy } from '../engine/search/service.js';
import type { SearchRequest } from '../engine/search/spec.js';
import { createApp } from '../server/app.js';
import type { BenchResult } from './types.js';
import { dropSchema, killWorker as kill, startWorker, stopWorker as stop, until, type Worker } from './workers.js';

// Trials train for a fixed 12 s budget, so a kill reliably lands mid-trial.
const STUDY: Omit<SearchRequest, 'dataset'> = { lookback: 48, horizon: 12, candidates: ['dlinear', 'nlinear'], maxTrials: 2, epochs: 500, patience: 100, trialMinutes: 0.2, parallelism: 1, sampler: 'random', pruner: 'none', seed: 3, topK: 1 };

async function seedStudy(app: App): Promise<string> {
  const prepared = await prepareFromSource({ kind: 'inline', content: Buffer.from(syntheticCsv({ rows: 2000, features: 2 })).toString('base64'), name: 'synthetic.csv' }, {}, { allowedDirs: [], maxBytes: 10_000_000, urlTimeoutMs: 1000 });
  const dataset = (await saveDataset(app, prepared, { kind: 'inline', name: 'synthetic.csv' })).id;
  return (await startStudy(app, { ...STUDY, dataset }, { origin: 'bench' })).id;
}

const seconds = (since: number): number => (Date.now() - since) / 1000;

async function workerKill(url: string): Promise<BenchResult> {
  const schema = `bench_recovery_${randomBytes(4).toString('hex')}`;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-bench-recovery-'));
  const env = { GENAUTOML_HOME: home, GENAUTOML_DB_SCHEMA: schema, DATABASE_URL: url, GENAUTOML_LOG_LEVEL: 'info', GENAUTOML_WORKER_CONCURRENCY: '1' };
  const app = await createApp(loadConfig(env), silentLogger, { startQueue: true });
  const workers = [startWorker(env), startWorker(env)];
  try {
    await Promise.all(workers.map((w) => w.waitFor(/worker running/, 60_000)));
    const studyId = await seedStudy(app);
    const trials = await until(() => app.studies.trials(studyId), (ts) => ts.some((t) => t.state === 'running' && t.intermediate.length >= 1), 180_000, 'a trial to be training');
    const victim = trials.find((t) => t.state === 'running' && t.intermediate.length >= 1)!;
    const pid = Number(victim.worker?.split(':').pop());
    const dead = workers.find((w) => w.child.pid === pid);
    if (!dead) throw new Error(`trial ${victim.number} runs on ${victim.worker}, not one of the bench's workers`);
    await kill(dead);
    const killed = Date.now();
    await until(() => app.studies.trial(studyId, victim.number), (t) => t !== undefined && t.attempts >= 2 && t.state === 'running', 600_000, 'the trial to run again');
    const againS = seconds(killed);
    return { name: 'recovery/worker_kill', metrics: { trial_running_again_s: againS }, target: 'trial_running_again_s ≤ 60', pass: againS <= 60, notes: 'PostgreSQL, two workers, default settings; SIGKILL of the worker running a trial' };
  } finally {
    await Promise.all(workers.map(stop));
    await app.close();
    await dropSchema(url, schema);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function embedded(): Promise<BenchResult[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-bench-recovery-'));
  const env = { GENAUTOML_HOME: home, GENAUTOML_LOG_LEVEL: 'info', GENAUTOML_WORKER_CONCURRENCY: '1' };
  const workers: Worker[] = [];
  const start = (): Worker => {
    const w = startWorker(env);
    workers.push(w);
    return w;
  };
  try {
    const app = await createApp(loadConfig(env), silentLogger, { startQueue: true });
    try {
      await seedStudy(app);
    } finally {
      await app.close();
    }
    const first = start();
    await first.waitFor(/"msg":"trial started"[^\n]*"attempt":1/, 180_000);
    // Let the runner get into training before the kill.
    await new Promise((r) => setTimeout(r, 4000));
    await kill(first);
    const restarted = Date.now();
    const second = start();
    await second.waitFor(/"msg":"trial started"[^\n]*"attempt":2/, 600_000);
    const resumedS = seconds(restarted);

    await second.waitFor(/"msg":"finalising study"/, 600_000);
    await kill(second);
    const restartedAgain = Date.now();
    const third = start();
    await third.waitFor(/"msg":"study finalised"/, 600_000);
    const finalisedS = seconds(restartedAgain);
    return [
      { name: 'recovery/embedded_restart', metrics: { trial_running_again_s: resumedS }, target: 'trial_running_again_s ≤ 10', pass: resumedS <= 10, notes: 'PGlite; SIGKILL mid-trial, then a new `genautoml worker` (its start-up included)' },
      { name: 'recovery/embedded_finalise', metrics: { study_finalised_s: finalisedS }, target: 'study_finalised_s ≤ 30', pass: finalisedS <= 30, notes: 'PGlite; SIGKILL while finalising, then a new `genautoml worker` (its start-up and the resumed evaluation included)' },
    ];
  } finally {
    await Promise.all(workers.map(stop));
    fs.rmSync(home, { recursive: true, force: true });
  }
}

export default async function (): Promise<BenchResult[]> {
  const url = process.env.DATABASE_URL;
  const results: BenchResult[] = [];
  results.push(url ? await workerKill(url) : { name: 'recovery/worker_kill', metrics: {}, notes: 'skipped: needs DATABASE_URL (several workers share PostgreSQL; the embedded database serves one process)' });
  results.push(...(await embedded()));
  return results;
}
