/**
 * The selected configuration of a finished study retrained with other seeds and evaluated once
 * each on the test split, so a benchmark reports mean ± std rather than one lucky run.
 * Same training settings as the study's trials (engine/search/trial.ts); each retrain is given the
 * training time its trial took.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { App } from '../engine/app.js';
import { preparedFiles } from '../engine/datasets/store.js';
import { studyResultOf } from '../engine/search/result.js';
import type { Params } from '../engine/search/space.js';
import { studySpecSchema } from '../engine/search/spec.js';
import { dataRefOf, trialModelSpec } from '../engine/search/trial.js';
import { scoreEnsemble, type MemberPredictions } from '../engine/search/ensemble.js';
import { loadSeries } from '../engine/runner/scoring.js';

export interface SeedSpread {
  seeds: number[];
  mse: number[];
  mean: number;
  std: number;
}

export function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  // Sample standard deviation (n - 1): three runs are a sample of the seed distribution.
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std };
}

/**
 * The selected configuration retrained with each seed and scored once on test. An ensemble is
 * retrained member by member and mixed with the weights the study chose (its configuration is
 * its members' configurations and those weights).
 */
export async function retrainSelected(app: App, studyId: string, seeds: readonly number[] = [1, 2, 3]): Promise<SeedSpread | null> {
  const study = await app.studies.get(studyId);
  const result = studyResultOf(study);
  if (!result) return null;
  const spec = studySpecSchema.parse(study.spec);
  const files = await preparedFiles(app, study.datasetId);
  const data = dataRefOf(spec, files);
  const trials = result.best.ensemble ? result.best.ensemble.members.map((m) => m.trial) : result.best.trial === null ? [] : [result.best.trial];
  // Each retrain gets the training time its trial had: a trial the study's clock cut short (a
  // large model late in the search) is not rerun for hours to its full epoch count.
  const members = await Promise.all(
    trials.map(async (n) => {
      const t = await app.studies.trial(studyId, n);
      const took = (t?.metrics as { trainTimeS?: unknown } | null)?.trainTimeS;
      return { params: (t?.params ?? {}) as Params, timeBudgetS: typeof took === 'number' && took > 0 ? Math.ceil(took) : undefined };
    }),
  );
  const weights = result.best.ensemble?.members.map((m) => m.weight) ?? [1];
  const series = await loadSeries(files.values, files.meta);
  const work = await mkdtemp(path.join(app.config.home, 'seeds-'));
  const mse: number[] = [];
  try {
    for (const seed of seeds) {
      const predictions: MemberPredictions[] = [];
      for (const [i, { params, timeBudgetS }] of members.entries()) {
        const m = trialModelSpec(spec, params, files.meta.columns.length);
        const trained = await app.runner.train({
          ...m.model,
          data,
          workDir: path.join(work, `${seed}-${i}`),
          train: {
            epochs: spec.request.epochs,
            patience: spec.request.patience,
            seed,
            ...(m.lr === undefined ? {} : { lr: m.lr }),
            ...(m.batchSize === undefined ? {} : { batchSize: m.batchSize }),
            ...(spec.request.maxTrainWindows === undefined ? {} : { maxTrainWindows: spec.request.maxTrainWindows }),
            ...(timeBudgetS === undefined ? {} : { timeBudgetS }),
          },
        });
        const ev = await app.runner.evaluateWithPredictions({ ...m.model, data, weightsPath: trained.weightsPath });
        predictions.push({ lookback: ev.lookback, val: ev.val, test: ev.test });
      }
      const metrics = scoreEnsemble(series, spec.request.horizon, predictions, weights);
      if (metrics) mse.push(metrics.mse);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (mse.length === 0) return null;
  return { seeds: [...seeds], mse, ...meanStd(mse) };
}
