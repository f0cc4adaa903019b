/**
 * Search benchmarks on ETTh1 (L=96, H=96) with the real queue, runner and PyTorch, in one process
 * on the embedded database:
 *  1. a 5-trial micro-search over the linear-class baselines: wall time;
 *  2. worker scaling: the same study with 1 and with 2 trial slots, side by side: trials/hour;
 *  3. queue overhead: time in queue and coordination per trial against its training time;
 * The 30-minute searches are the separate area `search-long` (bench/search-long.ts).
 */
import type { StudyResult } from '../engine/search/result.js';
import type { SearchRequest } from '../engine/search/spec.js';
import type { BenchResult } from './types.js';
import { retrainSelected } from './seeds.js';
import { runStudy, withEtth1App } from './study.js';

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
    await withEtth1App(slots, async (app, dataset) => {
      const { wallS, studyId } = await runStudy(app, { ...MICRO, dataset, parallelism: slots });
      const trials = await app.studies.trials(studyId);
      scaling[slots] = (trials.length / wallS) * 3600;
      if (slots === 2) {
        const result = (await app.studies.get(studyId)).result as unknown as StudyResult | null;
        results.push({ name: 'search/micro-5-trials', metrics: { wall_s: wallS, trials: trials.length, best_test_mse: result?.best.test?.task === 'forecasting' ? result.best.test.mse : NaN }, notes: `winner ${result?.best.arch ?? 'none'}; the method reports about 2 minutes on a GPU` });
        const spread = await retrainSelected(app, studyId);
        if (spread) {
          results.push({ name: 'search/micro-5-trials-seeds', metrics: { test_mse_mean: spread.mean, test_mse_std: spread.std, runs: spread.mse.length }, notes: `the selected configuration retrained with seeds ${spread.seeds.join(', ')}: ${spread.mse.map((v) => v.toFixed(4)).join(', ')}` });
        }
        const queueS: number[] = [];
        const trainS: number[] = [];
        const outsideLoopS: number[] = [];
        for (const t of trials) {
          const m = t.metrics as { trainTimeS?: number; loopS?: number | null } | null;
          if (!t.startedAt || !t.finishedAt || !m?.trainTimeS) continue;
          const queued = (t.startedAt.getTime() - t.queuedAt.getTime()) / 1000;
          const total = (t.finishedAt.getTime() - t.startedAt.getTime()) / 1000;
          queueS.push(queued + Math.max(0, total - m.trainTimeS));
          trainS.push(m.trainTimeS);
          if (typeof m.loopS === 'number') outsideLoopS.push(queued + Math.max(0, total - m.loopS));
        }
        const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
        results.push({
          name: 'search/queue-overhead',
          metrics: { overhead_s_per_trial: mean(queueS), train_s_per_trial: mean(trainS), ratio: mean(queueS) / Math.max(1e-9, mean(trainS)), outside_epoch_loop_s_per_trial: outsideLoopS.length ? mean(outsideLoopS) : NaN },
          notes: 'overhead = time queued + runner start-up, data load, evaluation and bookkeeping outside training (training = the batches only, so per-epoch validation and its scoring by the host count as overhead); outside_epoch_loop = the same outside the epoch loop as the host saw it (training with validation): the fixed cost of a trial',
        });
      }
    });
  }
  results.push({ name: 'search/worker-scaling', metrics: { trials_per_h_1_slot: scaling[1] ?? NaN, trials_per_h_2_slots: scaling[2] ?? NaN, speedup: (scaling[2] ?? NaN) / (scaling[1] ?? NaN) }, notes: 'same study, measured side by side in one run' });

  return results;
}
