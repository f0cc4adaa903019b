/** Maps stored trials onto the algorithm's records (samplers, pruners and the study helper). */
import type { TrialRecord as StoredTrial } from '../../storage/studies.js';
import type { Params } from './space.js';
import type { StudyState, Budget } from './study.js';
import type { TrialRecord } from './types.js';
import type { StudySpec } from './spec.js';

export function toAlgorithmTrial(t: StoredTrial): TrialRecord {
  const state = t.state === 'queued' || t.state === 'running' ? 'running' : t.state === 'complete' ? 'complete' : t.state === 'pruned' ? 'pruned' : 'failed';
  return {
    number: t.number,
    params: t.params as Params,
    state,
    ...(t.value !== null && (state === 'complete' || state === 'pruned') ? { value: t.value } : {}),
    intermediate: t.intermediate,
    ...(t.startedAt ? { startedAt: t.startedAt.getTime() } : {}),
    ...(t.finishedAt ? { finishedAt: t.finishedAt.getTime() } : {}),
  };
}

/**
 * The study's budget. Every candidate that joined the running study brings its coverage trial
 * with it, so a spent trial budget can never leave a newcomer untried.
 */
export function budgetOf(spec: StudySpec): Budget {
  const late = spec.candidates.filter((c) => c.late === true).length;
  return {
    ...(spec.request.maxTrials === undefined ? {} : { maxTrials: spec.request.maxTrials + late }),
    ...(spec.request.maxMinutes === undefined ? {} : { maxWallSeconds: spec.request.maxMinutes * 60 }),
  };
}

/**
 * Coverage order: candidates that joined the running study first (in the order they joined: they
 * were added to be tried), then the starting ones cheapest first (stable on ties).
 */
export function coverageOrder(spec: StudySpec): string[] {
  const late = spec.candidates.filter((c) => c.late === true);
  const initial = spec.candidates.map((c, i) => ({ c, i })).filter(({ c }) => c.late !== true);
  initial.sort((a, b) => (a.c.cost ?? 0) - (b.c.cost ?? 0) || a.i - b.i);
  return [...late.map((c) => c.name), ...initial.map(({ c }) => c.name)];
}

export function studyStateOf(spec: StudySpec, startedAt: Date, trials: StoredTrial[], cancelled: boolean, extra: Pick<StudyState, 'held'> = {}): StudyState {
  return {
    ...extra,
    coverage: coverageOrder(spec),
    budget: budgetOf(spec),
    parallelism: spec.request.parallelism,
    startedAt: startedAt.getTime(),
    trials: trials.map(toAlgorithmTrial),
    cancelled,
  };
}
