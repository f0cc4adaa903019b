/**
 * Host-side baselines: fitted on training rows only, scored per row, thresholds from validation;
 * each finds the fault shape it should on the labelled synthetic suite, and the protocol never
 * lets test labels move a threshold.
 */
import { describe, expect, it } from 'vitest';
import { BASELINES, baselineScores } from '../../../engine/anomaly/baselines.js';
import { symmetricEigen } from '../../../engine/anomaly/eigen.js';
import { reportDetector, seriesBuffer, validationLabels } from '../../../engine/anomaly/evaluate.js';
import { chooseThreshold } from '../../../engine/anomaly/metrics.js';
import { labelledSeries, toSeries } from '../../../engine/anomaly/suite.js';

describe('symmetricEigen', () => {
  it('diagonalises a symmetric matrix: A v = λ v with orthonormal v', () => {
    const D = 6;
    const a = new Float64Array(D * D);
    for (let i = 0; i < D; i++) for (let j = i; j < D; j++) a[i * D + j] = a[j * D + i] = Math.sin(1 + i * 7 + j * 3) + (i === j ? 3 : 0);
    const { values, vectors } = symmetricEigen(a, D);
    for (let k = 0; k < D; k++) {
      for (let i = 0; i < D; i++) {
        let av = 0;
        for (let j = 0; j < D; j++) av += a[i * D + j]! * vectors[j * D + k]!;
        expect(av).toBeCloseTo(values[k]! * vectors[i * D + k]!, 9);
      }
      for (let l = 0; l < D; l++) {
        let dot = 0;
        for (let i = 0; i < D; i++) dot += vectors[i * D + k]! * vectors[i * D + l]!;
        expect(dot).toBeCloseTo(k === l ? 1 : 0, 9);
      }
    }
    // The trace is kept.
    expect(values.reduce((p, q) => p + q, 0)).toBeCloseTo(Array.from({ length: D }, (_, i) => a[i * D + i]!).reduce((p, q) => p + q, 0), 9);
  });
});

describe('baselines', () => {
  it('z-score is the squared distance from the training mean in training deviations', () => {
    const ls = labelledSeries('z', 3, { rows: 1000, channels: 1, shapes: ['spike'] });
    const s = toSeries(ls);
    const out = baselineScores('zscore', s, s, 24);
    const [va] = s.meta.splits.val;
    // The series is z-scored by training statistics, so the score is just the value squared.
    expect(out.val[5]).toBeCloseTo(s.values[va + 5]! ** 2, 4);
    expect(out.fitted).toBe(2);
  });

  it.each([
    ['zscore', 'level_shift'],
    ['rolling_zscore', 'spike'],
    ['pca', 'spike'],
    ['nn_distance', 'stuck'],
  ] as const)('%s finds %s faults well above the no-skill level', (name, shape) => {
    const ls = labelledSeries(shape, 17, { rows: 3000, channels: 2, shapes: [shape], testFaults: 4 });
    const s = toSeries(ls);
    const out = baselineScores(name, s, s, seriesBuffer(s));
    const [ta, tb] = s.meta.splits.test;
    expect(out.test.length).toBe(tb - ta);
    const r = reportDetector(out.val, validationLabels(s), out.test, s.labels!.subarray(ta, tb), seriesBuffer(s));
    expect(r.threshold.rule).toBe('val_best_f1');
    expect(r.prAuc!).toBeGreaterThan(2 * r.noSkill.prAuc!);
    expect(r.vusPr!).toBeGreaterThan(r.noSkill.vusPr!);
    expect(r.rocAuc!).toBeGreaterThan(0.75);
  });

  it('test labels never move the threshold; without validation labels it is the validation quantile', () => {
    const ls = labelledSeries('m', 5, { rows: 2000, channels: 2, shapes: ['level_shift', 'spike'] });
    const s = toSeries(ls, false);
    const [ta, tb] = s.meta.splits.test;
    for (const name of BASELINES) {
      const out = baselineScores(name, s, s, 24);
      const a = reportDetector(out.val, null, out.test, ls.labels.subarray(ta, tb), 24);
      const flipped = Uint8Array.from(ls.labels.subarray(ta, tb), (v) => 1 - v);
      const b = reportDetector(out.val, null, out.test, flipped, 24);
      expect(b.threshold).toEqual(a.threshold);
      expect(a.threshold).toEqual(chooseThreshold(out.val, null, 0.99));
      expect(a.threshold.rule).toBe('val_quantile');
    }
  });

  it('rows with a missing value score NaN and are never flagged', () => {
    const ls = labelledSeries('gap', 9, { rows: 1200, channels: 1, shapes: ['spike'] });
    const s = toSeries(ls);
    const [ta] = s.meta.splits.test;
    s.values[ta + 10] = NaN;
    for (let t = 0; t < s.rows; t++) s.missing[t + 1] = s.missing[t]! + (Number.isFinite(s.values[t]!) ? 0 : 1);
    for (const name of BASELINES) {
      const out = baselineScores(name, s, s, 24);
      expect(Number.isNaN(out.test[10]!), name).toBe(true);
      expect(Number.isFinite(out.test[100]!), name).toBe(true);
    }
  });
});
