/**
 * The study's decisions as pure functions of its records and the clock, so the coordinator
 * (which persists everything) can recompute them after any restart: how many trials to ask
 * now, when to finalise, the best trial, the per-architecture leaderboard and an ETA.
 */
import { z } from 'zod';
import { GenAutoMLError } from '../errors.js';
import { Rng } from './rng.js';
import type { Seed } from './rng.js';
import type { Params, SearchSpace } from './space.js';
import { ARCH_PARAM } from './space.js';
import type { Sampler, TrialRecord, TrialState } from './types.js';

export interface Budget {
  /** Trials to ask in total, whatever their outcome (failed and pruned ones count). */
  readonly maxTrials?: number;
  /** Wall-clock seconds from the study's start; no new trial starts after it. */
  readonly maxWallSeconds?: number;
}

export const budgetSchema = z
  .object({
    maxTrials: z.number().int().min(1).optional(),
    maxWallSeconds: z.number().positive().finite().optional(),
  })
  .strict();

export interface StudyState {
  readonly budget: Budget;
  /** Trials allowed to run at once. */
  readonly parallelism: number;
  /** Epoch milliseconds at which the study started. */
  readonly startedAt: number;
  /** Every trial asked so far, in any state. */
  readonly trials: readonly TrialRecord[];
  readonly cancelled?: boolean;
  /**
   * Candidate names in coverage order (cheap first): each gets one trial at its default
   * hyperparameters before the sampler proposes anything, newcomers included. Absent: no coverage.
   */
  readonly coverage?: readonly string[];
  /**
   * Something outside the trials may still add candidates (an architect round running or due):
   * the study must not finalise yet, even when its trial budget is spent.
   */
  readonly held?: boolean;
}

export function validateBudget(budget: Budget, parallelism: number): void {
  const parsed = budgetSchema.safeParse(budget);
  if (!parsed.success) {
    throw new GenAutoMLError('search.invalid_budget', `Invalid budget: ${parsed.error.message}`, {
      hint: 'maxTrials is a positive integer; maxWallSeconds a positive number of seconds.',
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  if (parsed.data.maxTrials === undefined && parsed.data.maxWallSeconds === undefined) {
    throw new GenAutoMLError('search.invalid_budget', 'The budget sets neither a trial count nor a wall-clock limit.', {
      hint: 'Give maxTrials, maxWallSeconds, or both; an unbounded search would never finish.',
    });
  }
  if (!Number.isSafeInteger(parallelism) || parallelism < 1) {
    throw new GenAutoMLError('search.invalid_budget', `Parallelism must be a positive integer, got ${parallelism}.`, {
      hint: 'Use 1 or more trials at once.',
    });
  }
}

export type StopReason = 'max_trials' | 'max_wall_time' | 'cancelled';

export interface StudyActions {
  /** Trials to ask and enqueue now. */
  readonly ask: number;
  /** Budget spent and nothing running: evaluate the best trial and close the study. */
  readonly finalise: boolean;
  /** Running trials should be stopped (wall-clock budget spent, or cancelled). */
  readonly stopRunning: boolean;
  /** Why no more trials will be asked, or null while the search goes on. */
  readonly stopReason: StopReason | null;
  readonly running: number;
}

export function countByState(trials: readonly TrialRecord[]): Record<TrialState, number> {
  const counts: Record<TrialState, number> = { complete: 0, pruned: 0, failed: 0, running: 0 };
  for (const t of trials) counts[t.state] += 1;
  return counts;
}

export function stopReason(state: StudyState, now: number): StopReason | null {
  if (state.cancelled) return 'cancelled';
  const { maxTrials, maxWallSeconds } = state.budget;
  if (maxWallSeconds !== undefined && now - state.startedAt >= maxWallSeconds * 1000) return 'max_wall_time';
  if (maxTrials !== undefined && state.trials.length >= maxTrials) return 'max_trials';
  return null;
}

export function nextActions(state: StudyState, now: number): StudyActions {
  validateBudget(state.budget, state.parallelism);
  const running = countByState(state.trials).running;
  const reason = stopReason(state, now);
  if (reason !== null) {
    return {
      ask: 0,
      // A cancelled study is closed by the canceller, not finalised with a winner; a held one
      // waits for the candidates an architect round is about to add.
      finalise: reason !== 'cancelled' && running === 0 && !(state.held && reason === 'max_trials'),
      stopRunning: reason !== 'max_trials' && running > 0,
      stopReason: reason,
      running,
    };
  }
  const left = state.budget.maxTrials === undefined ? Infinity : state.budget.maxTrials - state.trials.length;
  return { ask: Math.max(0, Math.min(state.parallelism - running, left)), finalise: false, stopRunning: false, stopReason: null, running };
}

/** Numbers for the next `count` trials: after the highest used, so streams never repeat. */
export function nextTrialNumbers(trials: readonly TrialRecord[], count: number): number[] {
  let next = 0;
  for (const t of trials) next = Math.max(next, t.number + 1);
  return Array.from({ length: count }, (_, i) => next + i);
}

/** Candidates of `order` with no trial yet (in any state), in that order. */
export function uncovered(state: Pick<StudyState, 'coverage' | 'trials'>): string[] {
  const tried = new Set(state.trials.map((t) => t.params[ARCH_PARAM]));
  return (state.coverage ?? []).filter((name) => !tried.has(name));
}

/**
 * A candidate's coverage trial: its architecture with its own constructor defaults (no
 * architecture parameter is set, so the runner passes none) and the runner's default shared knobs
 * where the space allows them, like Optuna's enqueue_trial of a known-good configuration.
 */
export function coverageParams(space: SearchSpace, arch: string): Params {
  const params: Params = { [ARCH_PARAM]: arch };
  for (const p of space.params) {
    const d = p.distribution;
    if (p.name === 'lr' && d.kind === 'float') params.lr = Math.min(d.high, Math.max(d.low, DEFAULT_LR));
    if (p.name === 'batch_size' && d.kind === 'categorical') params.batch_size = d.choices.includes(DEFAULT_BATCH) ? DEFAULT_BATCH : (d.choices[0] ?? DEFAULT_BATCH);
    // RevIN on: the method's default, and what makes most baselines competitive on drifting data.
    if (p.name === 'revin' && d.kind === 'categorical' && d.choices.includes(true)) params.revin = true;
  }
  return params;
}
const DEFAULT_LR = 1e-3;
const DEFAULT_BATCH = 64;

/**
 * Asks the trials `nextActions` allows: first a coverage trial for every candidate not tried yet
 * (cheap first, so a short budget still sees the most models), then each from the sampler's own
 * (seed, number) stream, all against the same history, so the proposals depend on neither
 * completion order nor who asks.
 */
export function askTrials(
  state: StudyState,
  now: number,
  sampler: Sampler,
  space: SearchSpace,
  seed: Seed,
): { number: number; params: Params; coverage: boolean }[] {
  const { ask } = nextActions(state, now);
  const root = space.params.find((p) => p.name === ARCH_PARAM)?.distribution;
  const archs = new Set<unknown>(root?.kind === 'categorical' ? root.choices : []);
  const todo = uncovered(state).filter((a) => archs.has(a));
  return nextTrialNumbers(state.trials, ask).map((number, i) => {
    const arch = todo[i];
    if (arch !== undefined) return { number, params: coverageParams(space, arch), coverage: true };
    return { number, params: sampler.sample(space, state.trials, Rng.forTrial(seed, number)), coverage: false };
  });
}

function hasValue(t: TrialRecord): t is TrialRecord & { value: number } {
  return t.state === 'complete' && typeof t.value === 'number' && Number.isFinite(t.value);
}

/** Lower value wins; on a tie the earlier trial (it was found first). */
function better(a: TrialRecord & { value: number }, b: TrialRecord & { value: number }): boolean {
  return a.value < b.value || (a.value === b.value && a.number < b.number);
}

/** The best complete trial by validation value, or undefined when none completed. */
export function bestTrial(history: readonly TrialRecord[]): (TrialRecord & { value: number }) | undefined {
  let best: (TrialRecord & { value: number }) | undefined;
  for (const t of history) if (hasValue(t) && (best === undefined || better(t, best))) best = t;
  return best;
}

export interface LeaderboardEntry {
  readonly rank: number;
  readonly arch: string;
  readonly value: number;
  readonly trial: TrialRecord & { value: number };
  /** Trials of this architecture by final state (running ones included). */
  readonly counts: Record<TrialState, number>;
}

/**
 * Best complete trial per architecture, best first. Architectures with no complete trial are
 * left out: there is no model of theirs to show or export.
 */
export function leaderboard(history: readonly TrialRecord[]): LeaderboardEntry[] {
  const groups = new Map<string, TrialRecord[]>();
  for (const t of history) {
    const arch = t.params[ARCH_PARAM];
    if (typeof arch !== 'string') continue;
    const g = groups.get(arch);
    if (g) g.push(t);
    else groups.set(arch, [t]);
  }
  const rows: Omit<LeaderboardEntry, 'rank'>[] = [];
  for (const [arch, trials] of groups) {
    const best = bestTrial(trials);
    if (best) rows.push({ arch, value: best.value, trial: best, counts: countByState(trials) });
  }
  rows.sort((a, b) => (better(a.trial, b.trial) ? -1 : better(b.trial, a.trial) ? 1 : 0));
  return rows.map((r, i) => ({ rank: i + 1, ...r }));
}

export interface UnrankedEntry {
  readonly arch: string;
  /** Trials of this candidate by final state; all zero when it never ran. */
  readonly counts: Record<TrialState, number>;
  /** The best value a pruned trial reached before it was stopped, if any. */
  readonly prunedValue: number | null;
  /** Its most telling trial: the latest failed or pruned one, for the reason. */
  readonly trial: number | null;
}

/**
 * The candidates the ranking leaves out (no complete trial), so a board can still say what became
 * of each: pruned (and how far it got), failed (the trial whose error explains it) or never run.
 */
export function unranked(history: readonly TrialRecord[], candidates: readonly string[]): UnrankedEntry[] {
  const ranked = new Set(leaderboard(history).map((e) => e.arch));
  const out: UnrankedEntry[] = [];
  for (const arch of candidates) {
    if (ranked.has(arch)) continue;
    const mine = history.filter((t) => t.params[ARCH_PARAM] === arch);
    const pruned = mine.filter((t) => t.state === 'pruned' && typeof t.value === 'number' && Number.isFinite(t.value)).map((t) => t.value as number);
    const telling = [...mine].reverse().find((t) => t.state === 'failed' || t.state === 'pruned') ?? mine.at(-1);
    out.push({ arch, counts: countByState(mine), prunedValue: pruned.length > 0 ? Math.min(...pruned) : null, trial: telling?.number ?? null });
  }
  return out;
}

/**
 * Seconds until the study should finish, or null when there is nothing to go on yet (a trial
 * budget and no finished trial with timestamps). Uses the mean duration of finished trials;
 * capped by the wall-clock budget.
 */
export function eta(state: StudyState, now: number): number | null {
  const { maxTrials, maxWallSeconds } = state.budget;
  const running = state.trials.filter((t) => t.state === 'running');
  const reason = stopReason(state, now);
  if (reason !== null && running.length === 0) return 0;
  const wallLeft = maxWallSeconds === undefined ? Infinity : Math.max(0, state.startedAt + maxWallSeconds * 1000 - now) / 1000;

  const durations = state.trials
    .filter((t) => t.state !== 'running' && t.startedAt !== undefined && t.finishedAt !== undefined)
    .map((t) => ((t.finishedAt as number) - (t.startedAt as number)) / 1000)
    .filter((d) => Number.isFinite(d) && d >= 0);
  if (durations.length === 0) return Number.isFinite(wallLeft) ? wallLeft : null;
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;

  const runningLeft = running.map((t) => (t.startedAt === undefined ? mean : Math.max(0, mean - (now - t.startedAt) / 1000)));
  if (reason !== null) return Math.min(wallLeft, Math.max(0, ...runningLeft));
  if (maxTrials === undefined) return wallLeft;
  const toStart = Math.max(0, maxTrials - state.trials.length);
  const work = toStart * mean + runningLeft.reduce((a, b) => a + b, 0);
  const estimate = Math.max(Math.max(0, ...runningLeft), work / Math.max(1, state.parallelism));
  return Math.min(wallLeft, estimate);
}

export interface StudySummary {
  readonly counts: Record<TrialState, number>;
  readonly total: number;
  readonly best: (TrialRecord & { value: number }) | undefined;
  readonly etaSeconds: number | null;
  readonly actions: StudyActions;
}

/** What a status tool shows, in one call. */
export function summarize(state: StudyState, now: number): StudySummary {
  return {
    counts: countByState(state.trials),
    total: state.trials.length,
    best: bestTrial(state.trials),
    etaSeconds: eta(state, now),
    actions: nextActions(state, now),
  };
}
