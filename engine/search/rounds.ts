/**
 * When a study's architect rounds happen, as a pure function of its records (the coordinator
 * persists the decision): a round starts once every candidate so far has a finished trial (or the
 * trial budget is spent and nothing runs), one round at a time; while a round runs or is still
 * due, the study is held open so its models get their trials. Wall-clock time and cancellation end
 * the rounds.
 */
import type { RoundRecord } from '../../storage/rounds.js';
import type { StudySpec } from './spec.js';
import { budgetOf } from './records.js';
import { ARCH_PARAM } from './space.js';
import type { TrialRecord } from './types.js';

/** A round whose job has not reported for this long is recorded as lost. */
export const ROUND_LOST_AFTER_S = 3 * 3600;
/** The architect job's lease: an LLM round of several proposals with repairs can take long. */
export const ROUND_JOB = { retryLimit: 1, retryDelaySeconds: 10, expireInSeconds: 3600 };

export interface RoundDecision {
  held: boolean;
  /** The round to start now, or null. */
  start: number | null;
}

export function roundDecision(spec: StudySpec, trials: readonly TrialRecord[], rounds: readonly Pick<RoundRecord, 'round' | 'state'>[], startedAt: number, now: number, cancelled: boolean): RoundDecision {
  const opts = spec.request.architect;
  if (!opts || cancelled) return { held: false, start: null };
  const budget = budgetOf(spec);
  if (budget.maxWallSeconds !== undefined && now - startedAt >= budget.maxWallSeconds * 1000) return { held: false, start: null };
  const running = rounds.some((r) => r.state === 'running');
  const started = rounds.reduce((m, r) => Math.max(m, r.round), 0);
  const left = started < opts.rounds;
  if (running || !left) return { held: running, start: null };
  const finished = new Set(trials.filter((t) => t.state !== 'running').map((t) => t.params[ARCH_PARAM]));
  const covered = spec.candidates.every((c) => finished.has(c.name));
  const spent = budget.maxTrials !== undefined && trials.length >= budget.maxTrials && trials.every((t) => t.state !== 'running');
  return { held: true, start: covered || spent ? started + 1 : null };
}
