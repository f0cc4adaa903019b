/**
 * Search benchmarks on ETTh1 (L=96, H=96) with the real queue, runner and PyTorch:
 *  1. a 5-trial micro-search over the linear-class baselines: wall time;
 *  2. queue overhead at 1 and 2 trial slots: time in queue and coordination per trial against its
 *     training time, and the fixed cost of a trial outside its epoch loop;
 *  3. worker scaling on a study of 12 cheap trials: 1 against 2 trial slots in one process on the
 *     embedded database, and 1 against 2 `genautoml worker` processes on one PostgreSQL
 *     (DATABASE_URL; skipped without it).
 * Every case runs on a warm worker: its warm trial processes (engine/runner/pool.ts) have torch
 * imported before the study starts, as on a worker that has been serving trials. A study of 5
 * trials cannot measure scaling (on 2 slots its last trial runs alone: at most 5/3 = 1.67x with
 * equal trials), hence the separate 12-trial study, whose trial phase (study start to the last
 * trial's end, finalisation excluded: it is one job either way) is timed.
 * The 30-minute searches are the separate area `search-long` (bench/search-long.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../engine/app.js';
import { loadConfig } from '../engine/config.js';
import { silentLogger } from '../engine/log.js';
import { studyResultOf } from '../engine/search/result.js';
import type { SearchRequest } from '../engine/search/spec.js';
import { createApp } from '../server/app.js';
import type { BenchResult } from './types.js';
import { retrainSelected } from './seeds.js';
import { runStudy, saveEtth1, withEtth1App } from './study.js';
import { dropSchema, startWorker, stopWorker } from './workers.js';

const MICRO: Omit<SearchRequest, 'dataset'> = {
  candidates: ['dlinear', 'nlinear', 'rlinear'],
  maxTrials: 5,
  epochs: 5,
  patience: 3,
  parallelism: 2,
  sampler: 'random',
  pruner: 'none',
  seed: 1,
  topK: 1,
};

/** Cheap trials, enough of them that the last one alone on a slot weighs little. */
const SCALING: Omit<SearchRequest, 'dataset'> = { ...MICRO, maxTrials: 12, epochs: 3, seed: 2 };

const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);

/** Trials per hour from the study's start to its last trial's end. */
async function trialsPerHour(app: App, studyId: string): Promise<number> {
  const study = await app.studies.get(studyId);
  const trials = await app.studies.trials(studyId);
  const last = Math.max(...trials.map((t) => t.finishedAt?.getTime() ?? 0));
  return (trials.length / ((last - study.createdAt.getTime()) / 1000)) * 3600;
}

async function queueOverhead(app: App, studyId: string, slots: number): Promise<BenchResult> {
  const queueS: number[] = [];
  const trainS: number[] = [];
  const outsideLoopS: number[] = [];
  for (const t of await app.studies.trials(studyId)) {
    const m = t.metrics as { trainTimeS?: number; loopS?: number | null } | null;
    if (!t.startedAt || !t.finishedAt || !m?.trainTimeS) continue;
    const queued = (t.startedAt.getTime() - t.queuedAt.getTime()) / 1000;
    const total = (t.finishedAt.getTime() - t.startedAt.getTime()) / 1000;
    queueS.push(queued + Math.max(0, total - m.trainTimeS));
    trainS.push(m.trainTimeS);
    if (typeof m.loopS === 'number') outsideLoopS.push(queued + Math.max(0, total - m.loopS));
  }
  const outside = outsideLoopS.length ? mean(outsideLoopS) : NaN;
  return {
    name: slots === 2 ? 'search/queue-overhead' : `search/queue-overhead-${slots}-slot`,
    metrics: { overhead_s_per_trial: mean(queueS), train_s_per_trial: mean(trainS), ratio: mean(queueS) / Math.max(1e-9, mean(trainS)), outside_epoch_loop_s_per_trial: outside, outside_epoch_loop_max_s: outsideLoopS.length ? Math.max(...outsideLoopS) : NaN },
    target: 'outside_epoch_loop_s_per_trial <= 0.5',
    pass: outside <= 0.5,
    notes: `${slots} slot(s), warm worker, ${outsideLoopS.length} trials; overhead = time queued + runner start-up, data load, evaluation and bookkeeping outside training (training = the batches only, so per-epoch validation and its scoring by the host count as overhead); outside_epoch_loop = the same outside the epoch loop as the host saw it (training with validation): the fixed cost of a trial`,
  };
}

async function embedded(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const scaling: Record<number, number> = {};
  for (const slots of [1, 2]) {
    await withEtth1App(slots, async (app, dataset) => {
      if (!(await app.runner.trialsReady())) throw new Error('warm trial processes did not start');
      const { wallS, studyId } = await runStudy(app, { ...MICRO, dataset, parallelism: slots });
      results.push(await queueOverhead(app, studyId, slots));
      if (slots === 2) {
        const result = studyResultOf(await app.studies.get(studyId));
        const trials = await app.studies.trials(studyId);
        results.push({ name: 'search/micro-5-trials', metrics: { wall_s: wallS, trials: trials.length, best_test_mse: result?.best.test?.task === 'forecasting' ? result.best.test.mse : NaN }, notes: `winner ${result?.best.arch ?? 'none'}; 2 slots, warm worker; the method reports about 2 minutes on a GPU` });
        const spread = await retrainSelected(app, studyId);
        if (spread) {
          results.push({ name: 'search/micro-5-trials-seeds', metrics: { test_mse_mean: spread.mean, test_mse_std: spread.std, runs: spread.mse.length }, notes: `the selected configuration retrained with seeds ${spread.seeds.join(', ')}: ${spread.mse.map((v) => v.toFixed(4)).join(', ')}` });
        }
      }
      await app.runner.trialsReady();
      const { studyId: scalingId } = await runStudy(app, { ...SCALING, dataset, parallelism: slots });
      scaling[slots] = await trialsPerHour(app, scalingId);
    });
  }
  const speedup = (scaling[2] ?? NaN) / (scaling[1] ?? NaN);
  results.push({
    name: 'search/worker-scaling',
    metrics: { trials_per_h_1_slot: scaling[1] ?? NaN, trials_per_h_2_slots: scaling[2] ?? NaN, speedup },
    notes: `one process, embedded database (PGlite in the process); the same ${SCALING.maxTrials}-trial study (${SCALING.epochs} epochs, linear models) at 1 and at 2 slots, side by side in one run; trial phase timed`,
  });
  return results;
}

/** 1 and then 2 `genautoml worker` processes (one slot each) on one PostgreSQL, the same study. */
async function postgres(url: string): Promise<BenchResult> {
  const perHour: Record<number, number> = {};
  for (const workers of [1, 2]) {
    const schema = `bench_scaling_${randomBytes(4).toString('hex')}`;
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-bench-scaling-'));
    const env = { GENAUTOML_HOME: home, GENAUTOML_DB_SCHEMA: schema, DATABASE_URL: url, GENAUTOML_LOG_LEVEL: 'info', GENAUTOML_WORKER_CONCURRENCY: '1' };
    const app = await createApp(loadConfig(env), silentLogger, { startQueue: true });
    const procs = Array.from({ length: workers }, () => startWorker(env));
    try {
      await Promise.all(procs.map((w) => w.waitFor(/warm trial processes ready/, 180_000)));
      const dataset = await saveEtth1(app);
      const { studyId } = await runStudy(app, { ...SCALING, dataset });
      perHour[workers] = await trialsPerHour(app, studyId);
    } finally {
      await Promise.all(procs.map(stopWorker));
      await app.close();
      await dropSchema(url, schema);
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
  const speedup = (perHour[2] ?? NaN) / (perHour[1] ?? NaN);
  return {
    name: 'search/worker-scaling-pg',
    metrics: { trials_per_h_1_worker: perHour[1] ?? NaN, trials_per_h_2_workers: perHour[2] ?? NaN, speedup },
    target: 'speedup >= 1.8',
    pass: speedup >= 1.8,
    notes: `PostgreSQL, \`genautoml worker\` processes of one slot each (warm trial processes ready before the study); the same ${SCALING.maxTrials}-trial study (${SCALING.epochs} epochs, linear models, ETTh1); trial phase timed; load1 ${os.loadavg()[0]!.toFixed(1)} at the end`,
  };
}

export default async function (): Promise<BenchResult[]> {
  const results = await embedded();
  const url = process.env.DATABASE_URL;
  results.push(url ? await postgres(url) : { name: 'search/worker-scaling-pg', metrics: {}, notes: 'skipped: needs DATABASE_URL (several workers share PostgreSQL; the embedded database serves one process)' });
  return results;
}
