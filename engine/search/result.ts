/**
 * What a finished study produced (its leaderboard, export and charts) and where a trial's weights
 * are: shared by finalising, exporting, charting, benchmarking and notifying, which import it
 * from here rather than from one another.
 */
import { z } from 'zod';
import type { App } from '../app.js';
import { GenAutoMLError } from '../errors.js';
import { evaluateResultSchema, latencyResultSchema, scalarSchema } from '../runner/types.js';
import { candidateOriginSchema, unrankedRowSchema } from './board.js';

/** The members of an ensemble row and how it was weighed (engine/search/ensemble.ts). */
export const ensembleInfoSchema = z.object({
  members: z.array(z.object({ arch: z.string(), trial: z.number().int(), weight: z.number() })).min(2),
  /** Greedy selection rounds the weights come from (weights are picks / rounds). */
  picks: z.number().int(),
  /** Validation MAE of the final weights, fitted on the whole validation split (in-sample). */
  fitValLoss: z.number(),
});
export type EnsembleInfo = z.infer<typeof ensembleInfoSchema>;

export const leaderboardRowSchema = z.object({
  rank: z.number().int(),
  arch: z.string(),
  /** The trial trained for this row; null for the ensemble row, which is several (see `ensemble`). */
  trial: z.number().int().nullable(),
  /** Host-scored validation loss from the trainer's per-epoch predictions (prunes, preselects the top K); the ensemble row's is its cross-fitted score. */
  // JSON has no NaN: a row without one (a simple anomaly baseline) is stored as null, read back as NaN.
  valLoss: z
    .number()
    .nullable()
    .transform((v) => v ?? Number.NaN),
  /**
   * Causal validation loss (fresh sandbox, one window at a time, host-scored): what selects among
   * the top K. For the ensemble row, its cross-fitted validation loss (weights fitted on one half
   * of the validation windows, scored on the other).
   */
  causalValLoss: z.number().nullable().optional(),
  params: z.record(z.string(), scalarSchema),
  modelParams: z.number().int().nullable(),
  trainTimeS: z.number().nullable(),
  test: evaluateResultSchema.shape.metrics.nullable(),
  latency: latencyResultSchema.pick({ batch1MsPerSample: true, batchedMsPerSample: true, batchSize: true }).nullable(),
  error: z.string().nullable(),
  /** Where the candidate came from (baseline, user model, generated and from what). */
  origin: candidateOriginSchema.optional(),
  /**
   * A simple host-side anomaly detector (z-score, rolling z-score, PCA, nearest neighbour) scored
   * on the same rows: listed after the models, never selected or exported (its valLoss is null).
   */
  simpleBaseline: z.boolean().optional(),
  /** Present on the ensemble row only: its members and weights. */
  ensemble: ensembleInfoSchema.optional(),
});
export type LeaderboardRow = z.infer<typeof leaderboardRowSchema>;

/** What a finished study stored (studies.result), checked when read back. */
export const studyResultSchema = z.object({
  selectedBy: z.literal('validation'),
  best: leaderboardRowSchema,
  leaderboard: z.array(leaderboardRowSchema),
  /** Candidates with no complete trial (pruned, failed, never run), with why; absent in older studies. */
  unranked: z.array(unrankedRowSchema).optional(),
  counts: z.record(z.string(), z.number()),
  export: z
    .object({
      dir: z.string(),
      files: z.array(z.object({ name: z.string(), bytes: z.number(), sha256: z.string() })),
      roundTripOk: z.boolean(),
      errors: z.array(z.string()),
    })
    .nullable(),
  charts: z.array(z.string()),
  finishedTrials: z.number().int(),
  /** Why the study has no ensemble row when it asked for one (absent when it has one, or in older studies). */
  ensembleSkipped: z.string().optional(),
});
export type StudyResult = z.infer<typeof studyResultSchema>;

/** A study's stored result, parsed; null while it has none (not finished, or failed). */
export function studyResultOf(study: { id: string; result: Record<string, unknown> | null }): StudyResult | null {
  if (study.result === null) return null;
  const parsed = studyResultSchema.safeParse(study.result);
  if (!parsed.success) {
    throw new GenAutoMLError('study.damaged', `The stored result of study ${study.id} does not have the expected shape: ${parsed.error.message.slice(0, 500)}`, {
      details: { issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String), message: i.message })) },
    });
  }
  return parsed.data;
}

/** The result of a study known to be done: one it lacks is damaged. */
export function doneResultOf(study: { id: string; result: Record<string, unknown> | null }): StudyResult {
  const result = studyResultOf(study);
  if (!result) throw new GenAutoMLError('study.damaged', `Study ${study.id} is done but has no stored result.`);
  return result;
}

export async function weightsPathOf(app: Pick<App, 'artifacts'>, studyId: string, number: number): Promise<string> {
  const link = await app.artifacts.findLink('trial', `${studyId}/${number}`, 'weights');
  if (!link) throw new GenAutoMLError('search.weights_missing', `Trial ${number} of study ${studyId} has no stored weights.`, { hint: 'The trial did not complete; choose another.' });
  return app.artifacts.localPath(link.sha256);
}
