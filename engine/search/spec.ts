/**
 * What a study is asked to do (the `search` tool's input) and what is stored for it: the request
 * with defaults filled in, plus a snapshot of every candidate's code, so a study can be resumed
 * or audited even after its models were edited or deleted.
 */
import { z } from 'zod';
import { taskSchema } from '../runner/types.js';
import { HORIZON_DEFAULTS_TEXT, LOOKBACK_DEFAULTS_TEXT, horizonSchema, lookbackSchema, windowsOf } from '../windows.js';

export const architectOptionsSchema = z
  .object({
    rounds: z.number().int().min(1).max(20).default(1).describe('Architect rounds; each starts once every candidate so far has finished its first trial.'),
    modelsPerRound: z.number().int().min(1).max(8).default(2).describe('Models the architect proposes per round.'),
    request: z.string().min(3).max(2000).optional().describe('What to steer the architect towards, in plain language.'),
    paramBudget: z.number().int().min(10).optional().describe('Largest parameter count of a proposed model.'),
    latencyMsBudget: z.number().positive().optional().describe('Largest forward latency at batch 1 of a proposed model, in ms.'),
    maxIterations: z.number().int().min(1).max(10).default(3).describe('Reflection-loop iterations per proposal.'),
  })
  .strict();
export type ArchitectOptions = z.output<typeof architectOptionsSchema>;

export const searchRequestSchema = z
  .object({
    dataset: z.string().min(1).describe('Dataset id from load_dataset.'),
    task: taskSchema.default('forecasting').describe('forecasting, or anomaly (reconstruction/prediction error as the score).'),
    lookback: lookbackSchema.optional().describe(`Input window L (${LOOKBACK_DEFAULTS_TEXT}).`),
    horizon: horizonSchema.optional().describe(`Output length H (${HORIZON_DEFAULTS_TEXT}).`),
    period: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('Period in rows for models that ask for a cycle index (CycleNet); default: the EDA’s main period of the target, when run_eda was run.'),
    lookbacks: z
      .array(lookbackSchema)
      .max(8)
      .optional()
      .describe('Let the search choose the lookback from this list. Default for forecasting with neither lookback nor lookbacks: those of 96, 192, 336, 720 the training split holds at least 4 x (L + H) windows of, when two or more do.'),
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
    ensemble: z
      .boolean()
      .default(true)
      .describe('Forecasting: weigh the top K models into a greedy ensemble on validation; it is selected when its cross-fitted validation loss is lower.'),
    architect: architectOptionsSchema.optional().describe('Architect rounds: after each round of trials the neural architect proposes models from the leaderboard and they join the running study.'),
  })
  .strict();
export type SearchRequest = z.input<typeof searchRequestSchema>;

/** Where a generated model came from: the models it was derived from, the architect round, the steering request. */
export const lineageSchema = z.object({
  parents: z.array(z.string()),
  round: z.number().int().min(1).nullable(),
  request: z.string().nullable(),
  /** mutation, recombination or new design; free words from the architect. */
  operation: z.string().nullable(),
});
export type Lineage = z.infer<typeof lineageSchema>;

export const candidateSnapshotSchema = z.object({
  name: z.string(),
  kind: z.string(),
  codeSha: z.string(),
  code: z.string(),
  searchSpace: z.record(z.string(), z.array(z.unknown())).nullable(),
  /** Estimated relative training cost (cheap-first coverage order); absent in older studies. */
  cost: z.number().optional(),
  /** When it joined the study (ISO time); absent for the candidates it started with in older studies. */
  joinedAt: z.string().optional(),
  /** Joined a running study (add_candidates, generate_pytorch_model with a study, an architect round). */
  late: z.boolean().optional(),
  /** How it came: with the request, added by a user, or proposed by an architect round. */
  source: z.enum(['request', 'added', 'architect']).optional(),
  lineage: lineageSchema.nullable().optional(),
});
export type CandidateSnapshot = z.infer<typeof candidateSnapshotSchema>;

export const studySpecSchema = z.object({
  request: searchRequestSchema.extend({
    lookback: z.number().int(),
    horizon: z.number().int(),
    maxTrials: z.number().int().optional(),
  }),
  datasetName: z.string(),
  nFeatures: z.number().int(),
  /** The period handed to models as dims.period (the request's, else the EDA's); absent: none known. */
  period: z.number().int().min(1).optional(),
  candidates: z.array(candidateSnapshotSchema).min(1),
  origin: z.string(),
});
export type StudySpec = z.infer<typeof studySpecSchema>;

export function withDefaults(req: z.output<typeof searchRequestSchema>): StudySpec['request'] {
  return {
    ...req,
    ...windowsOf(req.task, req),
    ...(req.maxTrials === undefined && req.maxMinutes === undefined ? { maxTrials: 20 } : {}),
  };
}
