import { describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { AshaPruner, MedianPruner, NopPruner, PRUNERS, createPruner, percentile } from '../../../engine/search/index.js';
import type { TrialRecord } from '../../../engine/search/index.js';
import { trial } from './helpers.js';

const completed: TrialRecord[] = [
  trial(0, 'complete', {}, 0.6, [1.0, 0.8, 0.6]),
  trial(1, 'complete', {}, 0.7, [1.2, 0.9, 0.7]),
  trial(2, 'complete', {}, 0.5, [0.9, 0.7, 0.5]),
  trial(3, 'complete', {}, 0.9, [1.1, 1.0, 0.9]),
  trial(4, 'complete', {}, 1.0, [1.3, 1.1, 1.0]),
];
// Medians at steps 0, 1, 2: 1.1, 0.9, 0.7.

describe('MedianPruner', () => {
  const pruner = new MedianPruner();
  const judge = (intermediate: number[], history: readonly TrialRecord[] = completed) =>
    pruner.shouldPrune({ number: 99, intermediate }, history);

  it('prunes when the best value so far is worse than the median at the same step', () => {
    expect(judge([1.15])).toBe(true);
    expect(judge([1.1])).toBe(false); // equal to the median is not worse
    expect(judge([1.05])).toBe(false);
    expect(judge([1.05, 0.95])).toBe(true);
    expect(judge([1.0, 1.2])).toBe(true); // best so far 1.0 > 0.9
    expect(judge([0.85, 1.2])).toBe(false); // an earlier good epoch protects a noisy one
    expect(judge([0.8, 0.8, 0.71])).toBe(true);
    expect(judge([0.8, 0.8, 0.7])).toBe(false);
    expect(judge([])).toBe(false);
  });

  it('waits for n_startup_trials completed trials and ignores non-complete ones', () => {
    const four = completed.slice(0, 4);
    const noise = [trial(10, 'pruned', {}, undefined, [0.01]), trial(11, 'running', {}, undefined, [0.01]), trial(12, 'failed', {}, undefined, [0.01])];
    expect(judge([5], [...four, ...noise])).toBe(false);
    expect(judge([1.15], [...completed, ...noise])).toBe(true);
    // With 4 completed and startup 4, the median of an even count interpolates: 1.05 at step 0.
    const p4 = new MedianPruner({ nStartupTrials: 4 });
    expect(p4.shouldPrune({ number: 99, intermediate: [1.06] }, four)).toBe(true);
    expect(p4.shouldPrune({ number: 99, intermediate: [1.05] }, four)).toBe(false);
  });

  it('respects warm-up and interval steps, and steps no completed trial reached', () => {
    const warm = new MedianPruner({ nWarmupSteps: 2 });
    expect(warm.shouldPrune({ number: 99, intermediate: [9, 9] }, completed)).toBe(false);
    expect(warm.shouldPrune({ number: 99, intermediate: [9, 9, 9] }, completed)).toBe(true);
    const every2 = new MedianPruner({ intervalSteps: 2 });
    expect(every2.shouldPrune({ number: 99, intermediate: [9] }, completed)).toBe(true);
    expect(every2.shouldPrune({ number: 99, intermediate: [9, 9] }, completed)).toBe(false);
    expect(every2.shouldPrune({ number: 99, intermediate: [9, 9, 9] }, completed)).toBe(true);
    expect(judge([0.1, 0.1, 0.1, 9])).toBe(false); // step 3: no completed trial has it
  });

  it('prunes a trial that produced only NaN, and skips NaN in others', () => {
    expect(judge([Number.NaN])).toBe(true);
    expect(judge([1.0, Number.NaN])).toBe(true); // best so far 1.0 > 0.9
    expect(judge([0.5, Number.NaN])).toBe(false);
    const withNaN = [...completed, trial(5, 'complete', {}, 1, [Number.NaN])];
    expect(judge([1.15], withNaN)).toBe(true);
  });

  it('computes numpy-style percentiles', () => {
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([4, 1, 2, 3], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 25)).toBe(2);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });
});

describe('AshaPruner', () => {
  // Rungs at 1, 3, 9 epochs (min_resource 1, reduction factor 3).
  const history: TrialRecord[] = [
    trial(0, 'complete', {}, 0.3, [0.5, 0.4, 0.3]),
    trial(1, 'complete', {}, 0.45, [0.6, 0.5, 0.45]),
    trial(2, 'pruned', {}, undefined, [0.7]),
    trial(3, 'complete', {}, 0.2, [0.4, 0.35, 0.2]),
    trial(4, 'pruned', {}, undefined, [0.8]),
    trial(5, 'running', {}, undefined, [0.55, 0.5]),
    trial(6, 'failed', {}, undefined, [Number.NaN]),
  ];
  const asha = new AshaPruner();
  const judge = (intermediate: number[], h: readonly TrialRecord[] = history) => asha.shouldPrune({ number: 99, intermediate }, h);

  it('places rungs at min_resource * rf^k', () => {
    expect([1, 2, 3, 4, 9, 27, 28].map((e) => asha.rungAt(e))).toEqual([0, -1, 1, -1, 2, 3, -1]);
    const a = new AshaPruner({ minResource: 2, reductionFactor: 2, minEarlyStoppingRate: 1 });
    expect([2, 4, 8].map((e) => a.rungAt(e))).toEqual([-1, 0, 1]);
  });

  it('keeps only the top 1/rf of the trials that reached the rung', () => {
    // Rung 1 epoch: 0.5 0.6 0.7 0.4 0.8 0.55 (NaN skipped) plus own → 7 values, keep best 2: 0.4, 0.5.
    expect(judge([0.58])).toBe(true);
    expect(judge([0.5])).toBe(false);
    expect(judge([0.45])).toBe(false);
    // Not a rung: never pruned, however bad.
    expect(judge([0.45, 100])).toBe(false);
    // Rung 3 epochs: 0.3 0.45 0.2 plus own → 4 values, keep the single best.
    expect(judge([0.4, 0.4, 0.25])).toBe(true);
    expect(judge([0.4, 0.4, 0.15])).toBe(false);
    expect(judge([0.4, 0.4, 0.2])).toBe(false); // ties with the best go on
  });

  it('promotes the first arrival at a rung and needs to be the best of two', () => {
    expect(judge([5.0], [])).toBe(false);
    expect(judge([0.9], [trial(0, 'complete', {}, 0.5, [0.5])])).toBe(true);
    expect(judge([0.4], [trial(0, 'complete', {}, 0.5, [0.5])])).toBe(false);
    // The trial's own record in history is not counted twice.
    expect(asha.shouldPrune({ number: 0, intermediate: [0.5] }, [trial(0, 'running', {}, undefined, [0.5])])).toBe(false);
  });

  it('prunes NaN at a rung', () => {
    expect(judge([Number.NaN])).toBe(true);
    expect(judge([0.1, Number.NaN])).toBe(false); // not a rung
  });
});

describe('pruner registry', () => {
  it('creates by name and validates options', () => {
    expect(Object.keys(PRUNERS).sort()).toEqual(['asha', 'median', 'none']);
    expect(createPruner('none')).toBeInstanceOf(NopPruner);
    expect(createPruner('none').shouldPrune({ number: 0, intermediate: [Number.NaN] }, [])).toBe(false);
    expect((createPruner('median', { nStartupTrials: 2 }) as MedianPruner).options.nStartupTrials).toBe(2);
    expect((createPruner('asha') as AshaPruner).options).toEqual({ minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 0 });
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(GenAutoMLError);
        return (e as GenAutoMLError).code;
      }
      return undefined;
    };
    expect(code(() => createPruner('hyperband'))).toBe('search.unknown_pruner');
    expect(code(() => createPruner('asha', { reductionFactor: 1 }))).toBe('search.invalid_pruner');
    expect(code(() => createPruner('median', { nWarmup: 3 }))).toBe('search.invalid_pruner');
    expect(code(() => createPruner('none', { x: 1 }))).toBe('search.invalid_pruner');
  });
});
