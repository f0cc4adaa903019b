/**
 * Greedy forward-selection ensembles (Caruana et al., 2004) over the top trials' causal validation
 * predictions, all in the host: weights are chosen on the validation split only, the test split is
 * scored once with the chosen weights, and nothing is asked of the models again.
 *
 * Members may have different lookbacks: windows are matched by their forecast origin (the first
 * forecast row), which is the same for every lookback, and only origins every member predicted are
 * used (a window touching a missing row is skipped per lookback).
 *
 * The score that selects between the ensemble and single models is cross-fitted: weights fitted on
 * the first half of the validation origins are scored on the second half and vice versa, with a
 * horizon-long gap between the halves so that no target row is in both. A single model's
 * validation loss is not fitted to the validation split; an ensemble's in-sample loss is, and
 * would win every comparison by construction.
 */
import type { SplitPredictions } from '../runner/operations/evaluate.js';
import { forecastMetrics, type Series } from '../runner/scoring.js';
import type { ForecastMetrics } from '../runner/types.js';

export interface MemberPredictions {
  lookback: number;
  val: SplitPredictions;
  test: SplitPredictions;
}

export interface Ensemble {
  /** One weight per member in the order given, summing to 1 (zero for members never picked). */
  weights: number[];
  /** Selection rounds (picks, with replacement) the weights come from. */
  picks: number;
  /** Validation MAE of the weights fitted on the whole validation split (in-sample). */
  fitValLoss: number;
  /** Cross-fitted validation MAE (see above): what the study compares with single models. */
  heldOutValLoss: number;
  test: ForecastMetrics;
}

/** Rounds of greedy selection: enough for weights in steps of 1/25 (Caruana's libraries use 20-50). */
export const DEFAULT_ROUNDS = 25;

/** The members' predictions at the origins they all have, member-major, [origins, H * C] each. */
interface Aligned {
  origins: number[];
  preds: Float32Array[];
  /** The targets at those origins, [origins, H * C]. */
  target: Float32Array;
}

function align(series: Series, H: number, splits: Array<{ lookback: number; split: SplitPredictions }>): Aligned {
  const C = series.C;
  const HC = H * C;
  const maps = splits.map(({ lookback, split }) => new Map(split.starts.map((s, i) => [s + lookback, i] as const)));
  const origins = [...(maps[0]?.keys() ?? [])].filter((o) => maps.every((m) => m.has(o))).sort((a, b) => a - b);
  const preds = splits.map(({ split }, k) => {
    const out = new Float32Array(origins.length * HC);
    origins.forEach((o, w) => out.set(split.pred.subarray(maps[k]!.get(o)! * HC, (maps[k]!.get(o)! + 1) * HC), w * HC));
    return out;
  });
  const target = new Float32Array(origins.length * HC);
  // Rows o..o+H-1 are contiguous in the row-major series: one copy per origin.
  origins.forEach((o, w) => target.set(series.values.subarray(o * C, (o + H) * C), w * HC));
  return { origins, preds, target };
}

/** Mean absolute error of sum_k counts_k * preds_k / n over elements [from, to). */
function maeOf(sum: Float64Array, n: number, target: Float32Array, from: number, to: number, extra?: Float32Array): number {
  const d = extra ? n + 1 : n;
  let ae = 0;
  for (let i = from; i < to; i++) ae += Math.abs((sum[i]! + (extra ? extra[i]! : 0)) / d - target[i]!);
  return ae / (to - from);
}

/**
 * Caruana's selection with replacement over elements [from, to): each round adds the member that
 * lowers the ensemble's MAE most; the best round's counts are kept (fewest picks on a tie).
 */
export function greedySelect(preds: Float32Array[], target: Float32Array, from: number, to: number, rounds = DEFAULT_ROUNDS): { counts: number[]; loss: number } {
  const counts = preds.map(() => 0);
  const sum = new Float64Array(target.length);
  let best = { counts: [...counts], loss: Number.POSITIVE_INFINITY };
  for (let r = 0; r < rounds; r++) {
    let pick = -1;
    let pickLoss = Number.POSITIVE_INFINITY;
    preds.forEach((p, k) => {
      const loss = maeOf(sum, r, target, from, to, p);
      if (loss < pickLoss) [pick, pickLoss] = [k, loss];
    });
    if (pick < 0) break;
    counts[pick] = counts[pick]! + 1;
    const p = preds[pick]!;
    for (let i = from; i < to; i++) sum[i] = sum[i]! + p[i]!;
    if (pickLoss < best.loss) best = { counts: [...counts], loss: pickLoss };
  }
  return best;
}

function weighted(preds: Float32Array[], weights: number[], from = 0, to = preds[0]?.length ?? 0): Float32Array {
  const out = new Float32Array(to - from);
  preds.forEach((p, k) => {
    const w = weights[k]!;
    if (w === 0) return;
    for (let i = from; i < to; i++) out[i - from] = out[i - from]! + w * p[i]!;
  });
  return out;
}

function mae(pred: Float32Array, target: Float32Array, from: number, to: number): number {
  let ae = 0;
  for (let i = from; i < to; i++) ae += Math.abs(pred[i - from]! - target[i]!);
  return ae / (to - from);
}

const normalise = (counts: number[]): number[] => {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (n ? c / n : 0));
};

/**
 * The ensemble of `members` (forecasting; validation and test predictions from the causal
 * evaluation), or null when there is nothing to ensemble: fewer than two members, too few
 * validation origins to cross-fit, or a selection that keeps a single member.
 */
export function buildEnsemble(series: Series, H: number, members: MemberPredictions[], rounds = DEFAULT_ROUNDS): { ensemble: Ensemble | null; why: string | null } {
  if (members.length < 2) return { ensemble: null, why: 'fewer than two evaluated models' };
  const HC = H * series.C;
  const val = align(series, H, members.map((m) => ({ lookback: m.lookback, split: m.val })));
  const n = val.origins.length;
  // Two halves with a gap of H origins, each at least H origins long.
  const half = Math.floor((n - H) / 2);
  if (half < H) return { ensemble: null, why: `the validation split has ${n} common windows; cross-fitting needs at least ${3 * H}` };
  const a: [number, number] = [0, half * HC];
  const b: [number, number] = [(half + H) * HC, n * HC];
  let heldOut = 0;
  for (const [fit, score] of [
    [a, b],
    [b, a],
  ] as const) {
    const w = normalise(greedySelect(val.preds, val.target, fit[0], fit[1], rounds).counts);
    heldOut += mae(weighted(val.preds, w, score[0], score[1]), val.target, score[0], score[1]) * (score[1] - score[0]);
  }
  heldOut /= a[1] - a[0] + (b[1] - b[0]);
  const full = greedySelect(val.preds, val.target, 0, n * HC, rounds);
  const weights = normalise(full.counts);
  if (weights.filter((w) => w > 0).length < 2) return { ensemble: null, why: 'greedy selection on validation kept a single model' };
  const metrics = scoreEnsemble(series, H, members, weights);
  if (!metrics) return { ensemble: null, why: 'the members share no test window' };
  return { ensemble: { weights, picks: full.counts.reduce((x, y) => x + y, 0), fitValLoss: full.loss, heldOutValLoss: heldOut, test: metrics }, why: null };
}

/**
 * Test metrics of the members' test predictions mixed with fixed weights, on the origins every
 * member predicted (reported on the longest lookback's windows); null when they share none.
 */
export function scoreEnsemble(series: Series, H: number, members: MemberPredictions[], weights: number[]): ForecastMetrics | null {
  const test = align(series, H, members.map((m) => ({ lookback: m.lookback, split: m.test })));
  if (test.origins.length === 0) return null;
  const L = Math.max(...members.map((m) => m.lookback));
  return forecastMetrics(series, test.origins.map((o) => o - L), L, H, weighted(test.preds, weights));
}
