/**
 * What a study is asked to do (the `search` tool's input) and what is stored for it: the request
 * with defaults filled in, plus a snapshot of every candidate's code, so a study can be resumed
 * or audited even after its models were edited or deleted.
 */
import { z } from 'zod';
import { taskSchema } from '../runner/types.js';

export const searchRequestSchema = z
  .object({
    dataset: z.string().min(1).describe('Dataset id from load_dataset.'),
    task: taskSchema.default('forecasting').describe('forecasting, or anomaly (reconstruction/prediction error as the score).'),
    lookback: z.number().int().min(4).max(10_000).optional().describe('Input window L (default 96 for forecasting, 60 for anomaly).'),
    horizon: z.number().int().min(1).max(10_000).optional().describe('Output length H (default 96 for forecasting, 10 for anomaly).'),
    lookbacks: z.array(z.number().int().min(4).max(10_000)).max(8).optional().describe('Let the search choose the lookback from this list.'),
    candidates: z.array(z.string().min(1)).max(200).optional().describe('Model names to search over; default every baseline and registered model.'),
    maxTrials: z.number().int().min(1).max(10_000).optional().describe('Trials in total (default 20 when no time budget is given).'),
    maxMinutes: z.number().positive().max(7 * 24 * 60).optional().describe('Wall-clock budget; no trial starts after it and running ones stop at it.'),
    sampler: z.enum(['random', 'tpe']).default('random').describe('random (the method’s choice) or tpe.'),
    pruner: z.enum(['none', 'median', 'asha']).default('median').describe('Stops weak trials from their per-epoch validation loss.'),
    parallelism: z.number().int().min(1).max(256).default(2).describe('Trials running at once across all workers.'),
    seed: z.number().int().min(0).default(0),
    epochs: z.number().int().min(1).max(1000).default(20).describe('Maximum epochs per trial (early stopping ends most sooner).'),
    patience: z.number().int().min(1).max(100).default(5),
    maxTrainWindows: z.number().int().min(64).optional().describe('Subsample training windows per epoch (quick searches).'),
    trialMinutes: z.number().positive().max(24 * 60).optional().describe('Training-time cap per trial.'),
    revin: z.enum(['search', 'on', 'off']).default('search').describe('Dyn-RevIN: searched, always on, or off.'),
    topK: z.number().int().min(1).max(20).default(5).describe('Architectures evaluated on the test split for the report.'),
  })
  .strict();
export type SearchRequest = z.input<typeof searchRequestSchema>;

export const candidateSnapshotSchema = z.object({
  name: z.string(),
  kind: z.string(),
  codeSha: z.string(),
  code: z.string(),
  searchSpace: z.record(z.string(), z.array(z.unknown())).nullable(),
});

export const studySpecSchema = z.object({
  request: searchRequestSchema.extend({
    lookback: z.number().int(),
    horizon: z.number().int(),
    maxTrials: z.number().int().optional(),
  }),
  datasetName: z.string(),
  nFeatures: z.number().int(),
  candidates: z.array(candidateSnapshotSchema).min(1),
  origin: z.string(),
});
export type StudySpec = z.infer<typeof studySpecSchema>;

export function withDefaults(req: z.output<typeof searchRequestSchema>): StudySpec['request'] {
  const forecasting = req.task === 'forecasting';
  return {
    ...req,
    lookback: req.lookback ?? (forecasting ? 96 : 60),
    horizon: req.horizon ?? (forecasting ? 96 : 10),
    ...(req.maxTrials === undefined && req.maxMinutes === undefined ? { maxTrials: 20 } : {}),
  };
}
