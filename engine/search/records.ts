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

export function budgetOf(spec: StudySpec): Budget {
  return {
    ...(spec.request.maxTrials === undefined ? {} : { maxTrials: spec.request.maxTrials }),
    ...(spec.request.maxMinutes === undefined ? {} : { maxWallSeconds: spec.request.maxMinutes * 60 }),
  };
}

export function studyStateOf(spec: StudySpec, startedAt: Date, trials: StoredTrial[], cancelled: boolean): StudyState {
  return {
    budget: budgetOf(spec),
    parallelism: spec.request.parallelism,
    startedAt: startedAt.getTime(),
    trials: trials.map(toAlgorithmTrial),
    cancelled,
  };
}
