/**
 * What a leaderboard says beyond the ranking: where each candidate came from (a baseline, a user's
 * model, or a generated one and its parents) and, for the candidates without a complete trial,
 * what became of them, so a generated model that failed or was pruned is still shown with why.
 */
import { z } from 'zod';
import type { TrialRecord as StoredTrial } from '../../storage/studies.js';
import { lineageSchema, type StudySpec } from './spec.js';
import { unranked } from './study.js';
import type { TrialRecord } from './types.js';

export const candidateOriginSchema = z.object({
  kind: z.string(),
  source: z.enum(['request', 'added', 'architect']),
  joinedAt: z.string().nullable(),
  lineage: lineageSchema.nullable(),
});
export type CandidateOrigin = z.infer<typeof candidateOriginSchema>;

export const unrankedRowSchema = candidateOriginSchema.extend({
  arch: z.string(),
  /** pruned: stopped early by the pruner; failed: every trial failed; not_run: no trial finished. */
  status: z.enum(['pruned', 'failed', 'not_run']),
  trials: z.number().int(),
  /** Best validation loss a pruned trial reached before it was stopped. */
  valLoss: z.number().nullable(),
  trial: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type UnrankedRow = z.infer<typeof unrankedRowSchema>;
export function originOf(spec: StudySpec, arch: string): CandidateOrigin {
  const c = spec.candidates.find((x) => x.name === arch);
  return { kind: c?.kind ?? 'unknown', source: c?.source ?? 'request', joinedAt: c?.joinedAt ?? null, lineage: c?.lineage ?? null };
}

export function unrankedRows(spec: StudySpec, algo: readonly TrialRecord[], stored: readonly StoredTrial[]): UnrankedRow[] {
  return unranked(
    algo,
    spec.candidates.map((c) => c.name),
  ).map((u) => {
    const t = u.trial === null ? undefined : stored.find((s) => s.number === u.trial);
    const error = (t?.error as { message?: unknown } | null | undefined)?.message;
    const status: UnrankedRow['status'] = u.counts.pruned > 0 ? 'pruned' : u.counts.failed > 0 ? 'failed' : 'not_run';
    const why =
      status === 'pruned'
        ? `pruned after ${t?.intermediate.length ?? 0} epoch(s): its validation loss was worse than the median of other trials at that epoch`
        : typeof error === 'string'
          ? error
          : status === 'not_run'
            ? 'no trial of it finished before the budget ran out'
            : null;
    return { arch: u.arch, ...originOf(spec, u.arch), status, trials: u.counts.complete + u.counts.pruned + u.counts.failed, valLoss: u.prunedValue, trial: u.trial, error: why };
  });
}

/** "generated from dlinear, patchtst (round 2)" and the like; null for a baseline or user model. */
export function describeOrigin(o: CandidateOrigin): string | null {
  if (o.kind !== 'generated' && o.source !== 'architect') return null;
  const parents = o.lineage?.parents.length ? ` from ${o.lineage.parents.join(' + ')}` : '';
  const round = o.lineage?.round ? ` (round ${o.lineage.round})` : o.source === 'added' ? ' (added live)' : '';
  return `generated${parents}${round}`;
}
