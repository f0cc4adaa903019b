/**
 * Greedy ensemble selection in the host: weights from validation only, members matched by forecast
 * origin across lookbacks, the cross-fitted score, and the test metrics of the chosen weights.
 */
import { describe, expect, it } from 'vitest';
import { buildEnsemble, greedySelect, type MemberPredictions } from '../../../engine/search/ensemble.js';
import { forecastMetrics, windowStarts, type Series } from '../../../engine/runner/scoring.js';

const ROWS = 400;
const C = 2;
const H = 4;

function series(): Series {
  const values = new Float32Array(ROWS * C);
  for (let t = 0; t < ROWS; t++) for (let c = 0; c < C; c++) values[t * C + c] = Math.sin(t / 7 + c) + 0.1 * Math.cos(t * 1.3);
  return {
    values,
    rows: ROWS,
    C,
    labels: null,
    missing: new Int32Array(ROWS + 1),
    meta: {
      formatVersion: 1,
      rows: ROWS,
      columns: ['a', 'b'],
      target: 'a',
      frequencyMs: 3_600_000,
      start: '2020-01-01T00:00:00Z',
      end: '2020-01-17T15:00:00Z',
      splits: { train: [0, 200], val: [200, 300], test: [300, 400] },
      scaler: { mean: [0, 0], std: [1, 1] },
      hasLabels: false,
    },
  };
}

/** A member whose predictions are the truth plus `bias(origin, k)` at every element. */
function member(s: Series, L: number, bias: (origin: number, k: number) => number): MemberPredictions {
  const split = (name: 'val' | 'test') => {
    const starts = windowStarts(s, name, L, H);
    const pred = new Float32Array(starts.length * H * C);
    starts.forEach((st, w) => {
      for (let k = 0; k < H * C; k++) pred[w * H * C + k] = s.values[(st + L) * C + k]! + bias(st + L, k);
    });
    return { starts, pred };
  };
  return { lookback: L, val: split('val'), test: split('test') };
}

describe('greedy ensemble selection', () => {
  it('weighs two members with opposite errors equally and scores the test split with those weights', () => {
    const s = series();
    const a = member(s, 8, () => 0.5);
    const b = member(s, 8, () => -0.5);
    const { ensemble, why } = buildEnsemble(s, H, [a, b]);
    expect(why).toBeNull();
    expect(ensemble!.weights[0]).toBeCloseTo(0.5, 6);
    expect(ensemble!.weights[1]).toBeCloseTo(0.5, 6);
    expect(ensemble!.fitValLoss).toBeLessThan(1e-6);
    expect(ensemble!.heldOutValLoss).toBeLessThan(1e-6);
    expect(ensemble!.test.mse).toBeLessThan(1e-10);
    expect(ensemble!.test.windows).toBe(a.test.starts.length);
  });

  it('keeps a single model when mixing in the other only hurts', () => {
    const s = series();
    const { ensemble, why } = buildEnsemble(s, H, [member(s, 8, () => 0.1), member(s, 8, () => 0.9)]);
    expect(ensemble).toBeNull();
    expect(why).toMatch(/single model/);
  });

  it('matches members of different lookbacks by forecast origin and scores only the origins all of them have', () => {
    const s = series();
    const short = member(s, 8, () => 0.3);
    const long = member(s, 40, () => -0.3);
    const { ensemble } = buildEnsemble(s, H, [short, long]);
    expect(ensemble!.weights[0]).toBeCloseTo(0.5, 6);
    expect(ensemble!.weights[1]).toBeCloseTo(0.5, 6);
    // Validation and test windows start lookback rows before their split, so every origin of
    // the split is shared; the ensemble is reported on the longest lookback's windows.
    expect(ensemble!.test.windows).toBe(long.test.starts.length);
    expect(ensemble!.test.mse).toBeLessThan(1e-3);
  });

  it('scores the test split from the chosen weights exactly as a single model would be scored', () => {
    const s = series();
    // Errors that depend on the origin: the weights are not a trivial half.
    const a = member(s, 8, (o) => 0.4 * Math.sin(o));
    const b = member(s, 8, (o) => 0.2 + 0.1 * Math.cos(o));
    const { ensemble } = buildEnsemble(s, H, [a, b]);
    expect(ensemble).not.toBeNull();
    const [wa, wb] = ensemble!.weights as [number, number];
    const mixed = a.test.pred.map((v, i) => wa * v + wb * b.test.pred[i]!);
    const direct = forecastMetrics(s, a.test.starts, 8, H, Float32Array.from(mixed));
    expect(ensemble!.test.mse).toBeCloseTo(direct.mse, 6);
    expect(ensemble!.test.mae).toBeCloseTo(direct.mae, 6);
  });

  it('cross-fits: an ensemble that only fits validation noise scores worse held out than in sample', () => {
    const s = series();
    // Member errors are independent noise: any weighting fits the fitting half's noise.
    const noise = (seed: number) => (o: number, k: number) => Math.sin(o * 12.9898 + k * 78.233 + seed) * 0.5;
    const { ensemble } = buildEnsemble(s, H, [member(s, 8, noise(1)), member(s, 8, noise(2)), member(s, 8, noise(3))]);
    expect(ensemble).not.toBeNull();
    expect(ensemble!.heldOutValLoss).toBeGreaterThan(ensemble!.fitValLoss);
  });

  it('greedySelect keeps the best round: a member that only hurts is never picked, one that offsets is picked in proportion', () => {
    const target = new Float32Array([0, 0, 0, 0]);
    const good = new Float32Array([0.1, 0.1, 0.1, 0.1]);
    const worse = new Float32Array([1, 1, 1, 1]);
    const alone = greedySelect([worse, good], target, 0, 4, 10);
    expect(alone.counts).toEqual([0, 1]);
    expect(alone.loss).toBeCloseTo(0.1, 6);
    // 3 x 0.1 + 1 x -0.3 = 0: the best round has picked good three times and offset once.
    const offset = greedySelect([new Float32Array([-0.3, -0.3, -0.3, -0.3]), good], target, 0, 4, 10);
    expect(offset.counts).toEqual([1, 3]);
    expect(offset.loss).toBeLessThan(1e-6);
  });

  it('says why there is no ensemble for one member or a validation split too short to cross-fit', () => {
    const s = series();
    expect(buildEnsemble(s, H, [member(s, 8, () => 0)]).why).toMatch(/fewer than two/);
    const tiny = { ...s, meta: { ...s.meta, splits: { train: [0, 380], val: [380, 390], test: [390, 400] } as Series['meta']['splits'] } };
    expect(buildEnsemble(tiny, H, [member(tiny, 8, () => 0.5), member(tiny, 8, () => -0.5)]).why).toMatch(/cross-fitting/);
  });
});
