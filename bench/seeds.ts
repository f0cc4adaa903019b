/**
 * The selected configuration of a finished study retrained with other seeds and evaluated once
 * each on the test split, so a benchmark reports mean ± std rather than one lucky run.
 * Same training settings as the study's trials (engine/search/trial.ts), without the time budget.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { App } from '../engine/app.js';
import { preparedFiles } from '../engine/datasets/store.js';
import { studyResultOf } from '../engine/search/result.js';
import type { Params } from '../engine/search/space.js';
import { studySpecSchema } from '../engine/search/spec.js';
import { dataRefOf, trialModelSpec } from '../engine/search/trial.js';

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

export async function retrainSelected(app: App, studyId: string, seeds: readonly number[] = [1, 2, 3]): Promise<SeedSpread | null> {
  const study = await app.studies.get(studyId);
  const result = studyResultOf(study);
  if (!result) return null;
  const spec = studySpecSchema.parse(study.spec);
  const files = await preparedFiles(app, study.datasetId);
  const m = trialModelSpec(spec, result.best.params as Params, files.meta.columns.length);
  const data = dataRefOf(spec, files);
  const work = await mkdtemp(path.join(app.config.home, 'seeds-'));
  const mse: number[] = [];
  try {
    for (const seed of seeds) {
      const trained = await app.runner.train({
        ...m.model,
        data,
        workDir: path.join(work, String(seed)),
        train: {
          epochs: spec.request.epochs,
          patience: spec.request.patience,
          seed,
          ...(m.lr === undefined ? {} : { lr: m.lr }),
          ...(m.batchSize === undefined ? {} : { batchSize: m.batchSize }),
          ...(spec.request.maxTrainWindows === undefined ? {} : { maxTrainWindows: spec.request.maxTrainWindows }),
        },
      });
      const ev = await app.runner.evaluate({ ...m.model, data, weightsPath: trained.weightsPath });
      if (ev.metrics.task === 'forecasting') mse.push(ev.metrics.mse);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (mse.length === 0) return null;
  return { seeds: [...seeds], mse, ...meanStd(mse) };
}
