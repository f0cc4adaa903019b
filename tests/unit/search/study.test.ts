import { describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import {
  RandomSampler,
  Rng,
  TpeSampler,
  askTrials,
  bestTrial,
  buildSpace,
  eta,
  leaderboard,
  nextActions,
  nextTrialNumbers,
  summarize,
  unranked,
  validateBudget,
} from '../../../engine/search/index.js';
import type { StudyState, TrialRecord } from '../../../engine/search/index.js';
import { trial } from './helpers.js';

const T0 = 1_700_000_000_000;

function timed(number: number, state: TrialRecord['state'], startS: number, endS?: number, value?: number, arch = 'a'): TrialRecord {
  return {
    ...trial(number, state, { arch }, value),
    startedAt: T0 + startS * 1000,
    ...(endS === undefined ? {} : { finishedAt: T0 + endS * 1000 }),
  };
}

function study(trials: TrialRecord[], budget: StudyState['budget'], parallelism = 3, extra: Partial<StudyState> = {}): StudyState {
  return { budget, parallelism, startedAt: T0, trials, ...extra };
}

describe('nextActions', () => {
  it('fills free slots up to the trial budget', () => {
    const b = { maxTrials: 10 };
    expect(nextActions(study([], b), T0)).toMatchObject({ ask: 3, finalise: false, stopReason: null, running: 0 });
    const five = [timed(0, 'complete', 0, 1, 1), timed(1, 'pruned', 0, 1), timed(2, 'failed', 0, 1), timed(3, 'running', 1), timed(4, 'running', 1)];
    expect(nextActions(study(five, b), T0).ask).toBe(1);
    const nine = [...five, ...[5, 6, 7, 8].map((n) => timed(n, 'complete', 1, 2, 1))];
    expect(nextActions(study(nine, b, 5), T0).ask).toBe(1); // 3 slots free, 1 trial left
  });

  it('drains running trials then finalises once the trial budget is spent', () => {
    const b = { maxTrials: 3 };
    const draining = [timed(0, 'complete', 0, 1, 1), timed(1, 'running', 0), timed(2, 'running', 0)];
    expect(nextActions(study(draining, b), T0)).toEqual({ ask: 0, finalise: false, stopRunning: false, stopReason: 'max_trials', running: 2 });
    const done = [timed(0, 'complete', 0, 1, 1), timed(1, 'failed', 0, 1), timed(2, 'pruned', 0, 1)];
    expect(nextActions(study(done, b), T0)).toEqual({ ask: 0, finalise: true, stopRunning: false, stopReason: 'max_trials', running: 0 });
  });

  it('stops asking at the wall-clock limit and asks running trials to stop', () => {
    const b = { maxWallSeconds: 60 };
    const running = [timed(0, 'complete', 0, 10, 1), timed(1, 'running', 10)];
    expect(nextActions(study(running, b, 2), T0 + 59_999).ask).toBe(1);
    expect(nextActions(study(running, b, 2), T0 + 60_000)).toEqual({
      ask: 0,
      finalise: false,
      stopRunning: true,
      stopReason: 'max_wall_time',
      running: 1,
    });
    expect(nextActions(study([timed(0, 'complete', 0, 10, 1)], b), T0 + 61_000)).toMatchObject({ ask: 0, finalise: true });
  });

  it('ends at whichever budget comes first', () => {
    const b = { maxTrials: 2, maxWallSeconds: 3600 };
    expect(nextActions(study([timed(0, 'complete', 0, 1, 1), timed(1, 'complete', 1, 2, 1)], b), T0 + 5000).stopReason).toBe('max_trials');
    expect(nextActions(study([timed(0, 'complete', 0, 1, 1)], b), T0 + 3_600_000).stopReason).toBe('max_wall_time');
  });

  it('respects parallelism 1 and cancellation', () => {
    expect(nextActions(study([timed(0, 'running', 0)], { maxTrials: 5 }, 1), T0).ask).toBe(0);
    expect(nextActions(study([timed(0, 'complete', 0, 1, 1)], { maxTrials: 5 }, 1), T0).ask).toBe(1);
    expect(nextActions(study([timed(0, 'running', 0)], { maxTrials: 5 }, 2, { cancelled: true }), T0)).toEqual({
      ask: 0,
      finalise: false,
      stopRunning: true,
      stopReason: 'cancelled',
      running: 1,
    });
  });

  it('refuses budgets that never end or make no sense', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(GenAutoMLError);
        return (e as GenAutoMLError).code;
      }
      return undefined;
    };
    expect(code(() => validateBudget({}, 1))).toBe('search.invalid_budget');
    expect(code(() => validateBudget({ maxTrials: 0 }, 1))).toBe('search.invalid_budget');
    expect(code(() => validateBudget({ maxTrials: 2.5 }, 1))).toBe('search.invalid_budget');
    expect(code(() => validateBudget({ maxWallSeconds: -1 }, 1))).toBe('search.invalid_budget');
    expect(code(() => validateBudget({ maxTrials: 3 }, 0))).toBe('search.invalid_budget');
    expect(code(() => nextActions(study([], {}), T0))).toBe('search.invalid_budget');
    expect(code(() => validateBudget({ maxTrials: 3, maxWallSeconds: 0.5 }, 2))).toBeUndefined();
  });
});

describe('asking trials', () => {
  const space = buildSpace({ architectures: [{ name: 'a', searchSpace: { k: [1, 2, 3] } }, { name: 'b' }] });

  it('numbers new trials after the highest used', () => {
    expect(nextTrialNumbers([], 2)).toEqual([0, 1]);
    expect(nextTrialNumbers([timed(0, 'complete', 0, 1), timed(4, 'failed', 0, 1)], 3)).toEqual([5, 6, 7]);
  });

  it('gives the same proposals whatever order trials finished in', () => {
    const history = [0, 1, 2, 3, 4].map((n) => ({ ...timed(n, 'complete', 0, 1, n), params: new RandomSampler().sample(space, [], Rng.forTrial(0, n)) }));
    const s1 = study(history, { maxTrials: 20 }, 4);
    const s2 = study([...history].reverse(), { maxTrials: 20 }, 4);
    const tpe = new TpeSampler({ nStartupTrials: 3 });
    const a = askTrials(s1, T0, tpe, space, 'seed-1');
    expect(a.map((t) => t.number)).toEqual([5, 6, 7, 8]);
    expect(askTrials(s2, T0, tpe, space, 'seed-1')).toEqual(a);
    // Asking one at a time gives the same trial 5 as asking four at once.
    expect(askTrials(study(history, { maxTrials: 20 }, 1), T0, tpe, space, 'seed-1')).toEqual(a.slice(0, 1));
    expect(askTrials(s1, T0, tpe, space, 'seed-2')).not.toEqual(a);
  });
});

describe('bestTrial and leaderboard', () => {
  const history = [
    timed(0, 'complete', 0, 1, 0.5, 'a'),
    timed(1, 'complete', 0, 1, 0.3, 'b'),
    timed(2, 'pruned', 0, 1, undefined, 'c'),
    timed(3, 'complete', 0, 1, 0.3, 'a'),
    timed(4, 'complete', 0, 1, Number.NaN, 'c'),
    timed(5, 'failed', 0, 1, undefined, 'd'),
    timed(6, 'complete', 0, 1, 0.4, 'b'),
    timed(7, 'running', 0, undefined, undefined, 'a'),
    { ...timed(8, 'pruned', 0, 1, undefined, 'a'), value: 0.01 },
  ];

  it('picks the lowest value, the earlier trial on ties, complete trials only', () => {
    expect(bestTrial(history)?.number).toBe(1);
    expect(bestTrial([...history].reverse())?.number).toBe(1);
    expect(bestTrial([timed(0, 'pruned', 0, 1), timed(1, 'failed', 0, 1)])).toBeUndefined();
  });

  it('ranks the best complete trial of each architecture', () => {
    const board = leaderboard(history);
    expect(board.map((r) => [r.rank, r.arch, r.trial.number, r.value])).toEqual([
      [1, 'b', 1, 0.3],
      [2, 'a', 3, 0.3],
    ]);
    expect(board[1]?.counts).toEqual({ complete: 2, pruned: 1, failed: 0, running: 1 });
  });
});

describe('eta', () => {
  it('estimates from mean trial duration, parallelism and running trials', () => {
    // Finished trials took 10 s each; 2 running started 4 s ago; 6 of 10 still to start.
    const trials = [timed(0, 'complete', 0, 10, 1), timed(1, 'pruned', 0, 10), timed(2, 'running', 6), timed(3, 'running', 6)];
    const s = study(trials, { maxTrials: 10 }, 2);
    expect(eta(s, T0 + 10_000)).toBeCloseTo((6 * 10 + 6 + 6) / 2, 6);
    // A wall-clock budget caps it.
    expect(eta(study(trials, { maxTrials: 10, maxWallSeconds: 20 }, 2), T0 + 10_000)).toBeCloseTo(10, 6);
  });

  it('is unknown before any trial finished, and zero when done', () => {
    expect(eta(study([timed(0, 'running', 0)], { maxTrials: 5 }), T0 + 1000)).toBeNull();
    expect(eta(study([], { maxWallSeconds: 100 }), T0 + 30_000)).toBeCloseTo(70, 6);
    expect(eta(study([timed(0, 'complete', 0, 5, 1)], { maxTrials: 1 }), T0 + 9000)).toBe(0);
    // Budget spent but a trial still running: the time that trial is expected to need.
    expect(eta(study([timed(0, 'complete', 0, 10, 1), timed(1, 'running', 5)], { maxTrials: 2 }), T0 + 12_000)).toBeCloseTo(3, 6);
  });

  it('summarises status in one call', () => {
    const s = summarize(study([timed(0, 'complete', 0, 10, 0.2), timed(1, 'running', 10)], { maxTrials: 4 }, 2), T0 + 12_000);
    expect(s.counts).toEqual({ complete: 1, pruned: 0, failed: 0, running: 1 });
    expect(s.best?.number).toBe(0);
    expect(s.actions.ask).toBe(1);
    expect(s.etaSeconds).toBeCloseTo((2 * 10 + 8) / 2, 6);
  });
});

describe('coverage before chance', () => {
  const space = buildSpace({ architectures: [{ name: 'a', searchSpace: { k: [1, 2, 3] } }, { name: 'b' }, { name: 'c', searchSpace: { w: [8, 16] } }] });

  it('asks one trial per untried candidate first, in coverage order, at default hyperparameters', () => {
    const s = study([], { maxTrials: 5 }, 2, { coverage: ['c', 'a', 'b'] });
    const asked = askTrials(s, T0, new RandomSampler(), space, 1);
    expect(asked.map((t) => [t.params.arch, t.coverage])).toEqual([
      ['c', true],
      ['a', true],
    ]);
    // No architecture parameter: the model's constructor defaults; the runner's default shared knobs.
    expect(asked[0]?.params).toEqual({ arch: 'c', lr: 1e-3, batch_size: 64, revin: true });
  });

  it('covers every candidate when the budget is exactly the number of candidates, then hands over to the sampler', () => {
    const order = ['b', 'c', 'a'];
    let trials: TrialRecord[] = [];
    for (let i = 0; i < 3; i++) {
      const [t] = askTrials(study(trials, { maxTrials: 3 }, 1, { coverage: order }), T0, new RandomSampler(), space, 1);
      trials = [...trials, { ...timed(t!.number, 'complete', 0, 1, 0.5), params: t!.params }];
    }
    expect(trials.map((t) => t.params.arch)).toEqual(order);
    expect(nextActions(study(trials, { maxTrials: 3 }, 1, { coverage: order }), T0).finalise).toBe(true);
    const next = askTrials(study(trials, { maxTrials: 4 }, 1, { coverage: order }), T0, new RandomSampler(), space, 1);
    expect(next[0]?.coverage).toBe(false);
  });

  it('gives a newcomer its coverage trial next, and a failed or running trial counts as tried', () => {
    const history = [{ ...timed(0, 'failed', 0, 1), params: { arch: 'a' } }, { ...timed(1, 'running', 0), params: { arch: 'b' } }];
    const asked = askTrials(study(history, { maxTrials: 10 }, 3, { coverage: ['c', 'a', 'b'] }), T0, new RandomSampler(), space, 1);
    expect(asked.map((t) => t.coverage)).toEqual([true, false]);
    expect(asked[0]?.params.arch).toBe('c');
  });

  it('does not finalise a held study whose trial budget is spent, but does on the wall clock', () => {
    const done = [timed(0, 'complete', 0, 1, 0.3)];
    expect(nextActions(study(done, { maxTrials: 1 }, 1, { held: true }), T0).finalise).toBe(false);
    expect(nextActions(study(done, { maxTrials: 1, maxWallSeconds: 10 }, 1, { held: true }), T0 + 11_000).finalise).toBe(true);
  });

  it('lists the candidates the ranking leaves out, with what became of them', () => {
    const history = [
      timed(0, 'complete', 0, 1, 0.5, 'a'),
      { ...timed(1, 'pruned', 0, 1, undefined, 'b'), value: 0.9 },
      timed(2, 'failed', 0, 1, undefined, 'c'),
    ];
    expect(unranked(history, ['a', 'b', 'c', 'd'])).toEqual([
      { arch: 'b', counts: { complete: 0, pruned: 1, failed: 0, running: 0 }, prunedValue: 0.9, trial: 1 },
      { arch: 'c', counts: { complete: 0, pruned: 0, failed: 1, running: 0 }, prunedValue: null, trial: 2 },
      { arch: 'd', counts: { complete: 0, pruned: 0, failed: 0, running: 0 }, prunedValue: null, trial: null },
    ]);
  });
});
