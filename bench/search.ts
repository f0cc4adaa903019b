/**
 * Search benchmarks on ETTh1 (L=96, H=96) with the real queue, runner and PyTorch, in one process
 * on the embedded database:
 *  1. a 5-trial micro-search over the linear-class baselines: wall time;
 *  2. worker scaling: the same study with 1 and with 2 trial slots, side by side: trials/hour;
 *  3. queue overhead: time in queue and coordination per trial against its training time;
 *  4. with GENAUTOML_BENCH_LONG=1, a 30-minute TPE search over the whole zoo: the selected
 *     model's scaled test MSE (targets ≤ 0.375 at L=96), its trial count and the winner.
 */
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../engine/app.js';
import { loadConfig } from '../engine/config.js';
import { prepareFromSource } from '../engine/data/index.js';
import { saveDataset } from '../engine/datasets/store.js';
import { createLogger } from '../engine/log.js';
import type { StudyResult } from '../engine/search/finalise.js';
import { startStudy } from '../engine/search/service.js';
import type { SearchRequest } from '../engine/search/spec.js';
import { registerSearchWorkers } from '../engine/search/worker.js';
import { createApp } from '../server/app.js';
import type { BenchResult } from './types.js';

async function withApp<T>(concurrency: number, fn: (app: App, dataset: string) => Promise<T>): Promise<T> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'genautoml-bench-'));
  const config = loadConfig({ GENAUTOML_HOME: home, GENAUTOML_WORKER_CONCURRENCY: String(concurrency), GENAUTOML_LOG_LEVEL: 'warn' });
  const app = await createApp(config, createLogger({ level: 'warn' }));
  try {
    const csv = ['../shared/datasets/ETTh1.csv', '/work/shared/datasets/ETTh1.csv'].map((p) => path.resolve(p)).find((p) => fs.existsSync(p));
    if (!csv) throw new Error('ETTh1.csv not found beside the project (../shared/datasets)');
    const prepared = await prepareFromSource({ kind: 'path', path: csv }, { split: 'ett' }, { allowedDirs: [path.dirname(csv)], maxBytes: 1e9, urlTimeoutMs: 1000 });
    const dataset = (await saveDataset(app, prepared, { kind: 'path', path: csv })).id;
    await registerSearchWorkers(app, { concurrency, pollingIntervalSeconds: 0.5 });
    return await fn(app, dataset);
  } finally {
    await app.close();
    await rm(home, { recursive: true, force: true });
  }
}

async function runStudy(app: App, request: SearchRequest): Promise<{ wallS: number; studyId: string }> {
  const t0 = performance.now();
  const study = await startStudy(app, request, { origin: 'bench' });
  for (;;) {
    const s = await app.studies.get(study.id);
    if (s.state === 'done' || s.state === 'failed' || s.state === 'cancelled') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return { wallS: (performance.now() - t0) / 1000, studyId: study.id };
}

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

export default async function (): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const scaling: Record<number, number> = {};
  for (const slots of [1, 2]) {
    await withApp(slots, async (app, dataset) => {
      const { wallS, studyId } = await runStudy(app, { ...MICRO, dataset, parallelism: slots });
      const trials = await app.studies.trials(studyId);
      scaling[slots] = (trials.length / wallS) * 3600;
      if (slots === 2) {
        const result = (await app.studies.get(studyId)).result as unknown as StudyResult | null;
        results.push({ name: 'search/micro-5-trials', metrics: { wall_s: wallS, trials: trials.length, best_test_mse: result?.best.test?.task === 'forecasting' ? result.best.test.mse : NaN }, notes: `winner ${result?.best.arch ?? 'none'}; the method reports about 2 minutes on a GPU` });
        const queueS: number[] = [];
        const trainS: number[] = [];
        for (const t of trials) {
          const m = t.metrics as { trainTimeS?: number } | null;
          if (!t.startedAt || !t.finishedAt || !m?.trainTimeS) continue;
          queueS.push((t.startedAt.getTime() - t.queuedAt.getTime()) / 1000);
          trainS.push(m.trainTimeS);
          const total = (t.finishedAt.getTime() - t.startedAt.getTime()) / 1000;
          queueS[queueS.length - 1]! += Math.max(0, total - m.trainTimeS);
        }
        const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
        results.push({ name: 'search/queue-overhead', metrics: { overhead_s_per_trial: mean(queueS), train_s_per_trial: mean(trainS), ratio: mean(queueS) / Math.max(1e-9, mean(trainS)) }, notes: 'overhead = time queued + runner start-up, data load, evaluation and bookkeeping outside training' });
      }
    });
  }
  results.push({ name: 'search/worker-scaling', metrics: { trials_per_h_1_slot: scaling[1] ?? NaN, trials_per_h_2_slots: scaling[2] ?? NaN, speedup: (scaling[2] ?? NaN) / (scaling[1] ?? NaN) }, notes: 'same study, measured side by side in one run' });

  if (process.env.GENAUTOML_BENCH_LONG === '1') {
    await withApp(2, async (app, dataset) => {
      const { wallS, studyId } = await runStudy(app, { dataset, maxMinutes: 30, sampler: 'tpe', pruner: 'median', parallelism: 2, epochs: 10, patience: 3, seed: 0 });
      const trials = await app.studies.trials(studyId);
      const result = (await app.studies.get(studyId)).result as unknown as StudyResult | null;
      const mse = result?.best.test?.task === 'forecasting' ? result.best.test.mse : NaN;
      results.push({ name: 'search/etth1-30min', metrics: { wall_s: wallS, trials: trials.length, test_mse: mse }, target: 'test_mse <= 0.375', pass: mse <= 0.375, notes: `winner ${result?.best.arch ?? 'none'}` });
    });
  }
  return results;
}
