/**
 * Simple anomaly detectors, run by the host on the same rows and under the same protocol as the
 * searched models: fitted on the training rows only, threshold from validation, test read once.
 * They are the bar the deep models must clear (TSB-AD finds such baselines often win):
 *   zscore          distance from the training mean in training standard deviations;
 *   rolling_zscore  distance from the mean of the previous `window` rows in their own deviation;
 *   pca             reconstruction error of a sub-sequence from the training windows' principal
 *                   components (90% of variance);
 *   nn_distance     distance of a sub-sequence to its nearest training sub-sequence.
 * Scores are per row; window scores are averaged over every window covering a row. A row with a
 * missing value, or covered by no complete window, scores NaN (ranked last, never flagged).
 */
import type { Series } from '../runner/scoring.js';
import { symmetricEigen } from './eigen.js';

export const BASELINES = ['zscore', 'rolling_zscore', 'pca', 'nn_distance'] as const;
export type BaselineName = (typeof BASELINES)[number];

/** Sub-sequence length cap: window × channels stays ≤ this, so PCA and NN stay cheap. */
const MAX_DIM = 192;
/** Training windows kept as nearest-neighbour references (evenly strided). */
const MAX_REFERENCES = 1000;
/** Training windows used to fit PCA (evenly strided). */
const MAX_FIT_WINDOWS = 5000;

export interface BaselineScores {
  val: Float64Array;
  test: Float64Array;
  /** Numbers fitted on the training rows (means, deviations, components, references). */
  fitted: number;
}

/** The sub-sequence length the window detectors use, given a period-like `window`. */
export function subsequenceLength(window: number, channels: number): number {
  return Math.max(2, Math.min(Math.floor(window), Math.floor(MAX_DIM / Math.max(1, channels))));
}

/**
 * Scores of one baseline on the validation rows of `clean` and the test rows of `test` (the same
 * series, possibly with faults injected into its test rows). `window` sets the rolling length and
 * the sub-sequence length.
 */
export function baselineScores(name: BaselineName, clean: Series, test: Series, window: number): BaselineScores {
  const [ta, tb] = clean.meta.splits.train;
  const [va, vb] = clean.meta.splits.val;
  const [sa, sb] = clean.meta.splits.test;
  if (name === 'zscore') {
    const { mean, sd } = channelStats(clean, ta, tb);
    const score = (s: Series, a: number, b: number): Float64Array => rowMap(s, a, b, (t) => meanSq(s, t, (c, x) => (x - mean[c]!) / sd[c]!));
    return { val: score(clean, va, vb), test: score(test, sa, sb), fitted: 2 * clean.C };
  }
  if (name === 'rolling_zscore') {
    const w = Math.max(2, Math.floor(window));
    const { sd } = channelStats(clean, ta, tb);
    return { val: rolling(clean, va, vb, w, sd), test: rolling(test, sa, sb, w, sd), fitted: clean.C };
  }
  const m = subsequenceLength(window, clean.C);
  const fitStarts = strided(windowsIn(clean, ta, tb, m), name === 'pca' ? MAX_FIT_WINDOWS : MAX_REFERENCES);
  if (fitStarts.length < 2) throw new Error(`too few complete training windows of ${m} rows for ${name}`);
  const w = name === 'pca' ? pcaScorer(clean, fitStarts, m) : nnScorer(clean, fitStarts, m);
  return { val: perRow(clean, va, vb, m, w.score), test: perRow(test, sa, sb, m, w.score), fitted: w.fitted };
}

function channelStats(s: Series, a: number, b: number): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(s.C);
  const sd = new Float64Array(s.C);
  for (let c = 0; c < s.C; c++) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (let t = a; t < b; t++) {
      const x = s.values[t * s.C + c]!;
      if (!Number.isFinite(x)) continue;
      n++;
      sum += x;
      sq += x * x;
    }
    mean[c] = n ? sum / n : 0;
    const v = n ? sq / n - mean[c]! * mean[c]! : 0;
    // A constant training channel gets unit deviation: any change then scores as its size.
    sd[c] = v > 1e-12 ? Math.sqrt(v) : 1;
  }
  return { mean, sd };
}

function rowMap(s: Series, a: number, b: number, f: (t: number) => number): Float64Array {
  const out = new Float64Array(b - a);
  for (let t = a; t < b; t++) out[t - a] = f(t);
  return out;
}

/** Mean over channels of z², NaN if any value of the row is missing. */
function meanSq(s: Series, t: number, z: (c: number, x: number) => number): number {
  let e = 0;
  for (let c = 0; c < s.C; c++) {
    const x = s.values[t * s.C + c]!;
    if (!Number.isFinite(x)) return NaN;
    const v = z(c, x);
    e += v * v;
  }
  return e / s.C;
}

/** Causal rolling z-score: each row against the previous w rows (which may lie in earlier splits). */
function rolling(s: Series, a: number, b: number, w: number, trainSd: Float64Array): Float64Array {
  const out = new Float64Array(b - a).fill(NaN);
  for (let t = Math.max(a, w); t < b; t++) {
    let e = 0;
    let ok = true;
    for (let c = 0; c < s.C && ok; c++) {
      let sum = 0;
      let sq = 0;
      for (let k = t - w; k < t; k++) {
        const x = s.values[k * s.C + c]!;
        if (!Number.isFinite(x)) ok = false;
        sum += x;
        sq += x * x;
      }
      const mu = sum / w;
      // Floor the deviation at 1% of the training one, so a flat stretch does not divide by zero.
      const sd = Math.max(Math.sqrt(Math.max(0, sq / w - mu * mu)), 0.01 * trainSd[c]!);
      const x = s.values[t * s.C + c]!;
      if (!Number.isFinite(x)) ok = false;
      const z = (x - mu) / sd;
      e += z * z;
    }
    if (ok) out[t - a] = e / s.C;
  }
  return out;
}

/** Starts of the complete (no missing value) windows of m rows inside rows [a, b). */
function windowsIn(s: Series, a: number, b: number, m: number): number[] {
  const out: number[] = [];
  for (let t = a; t + m <= b; t++) if (s.missing[t + m]! - s.missing[t]! === 0) out.push(t);
  return out;
}

function strided(xs: number[], max: number): number[] {
  if (xs.length <= max) return xs;
  const step = xs.length / max;
  return Array.from({ length: max }, (_, i) => xs[Math.floor(i * step)]!);
}

/**
 * Row scores over [a, b): the mean score of the complete windows of m rows that cover each row and
 * end before b (windows may start before a: they read earlier, already-seen rows).
 */
function perRow(s: Series, a: number, b: number, m: number, score: (s: Series, start: number) => number): Float64Array {
  const sum = new Float64Array(b - a);
  const count = new Int32Array(b - a);
  for (const st of windowsIn(s, Math.max(0, a - m + 1), b, m)) {
    const e = score(s, st);
    for (let t = Math.max(st, a); t < st + m; t++) {
      sum[t - a] = sum[t - a]! + e;
      count[t - a] = count[t - a]! + 1;
    }
  }
  return Float64Array.from(sum, (v, i) => (count[i] ? v / count[i]! : NaN));
}

function pcaScorer(s: Series, starts: number[], m: number): { score: (s: Series, start: number) => number; fitted: number } {
  const D = m * s.C;
  const mean = new Float64Array(D);
  for (const st of starts) for (let j = 0; j < D; j++) mean[j] = mean[j]! + s.values[st * s.C + j]!;
  for (let j = 0; j < D; j++) mean[j] = mean[j]! / starts.length;
  const cov = new Float64Array(D * D);
  const x = new Float64Array(D);
  for (const st of starts) {
    for (let j = 0; j < D; j++) x[j] = s.values[st * s.C + j]! - mean[j]!;
    for (let i = 0; i < D; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      for (let j = i; j < D; j++) cov[i * D + j] = cov[i * D + j]! + xi * x[j]!;
    }
  }
  for (let i = 0; i < D; i++) for (let j = i; j < D; j++) cov[j * D + i] = cov[i * D + j] = cov[i * D + j]! / starts.length;
  const { values, vectors } = symmetricEigen(cov, D);
  // Components by descending variance until 90% of it is explained (at most D − 1).
  const order = Array.from({ length: D }, (_, i) => i).sort((p, q) => values[q]! - values[p]!);
  const total = Array.from(values).reduce((p, q) => p + Math.max(0, q), 0);
  const keep: number[] = [];
  let acc = 0;
  for (const i of order) {
    if (keep.length >= D - 1 || (total > 0 && acc >= 0.9 * total)) break;
    keep.push(i);
    acc += Math.max(0, values[i]!);
  }
  const comps = keep.map((i) => Float64Array.from({ length: D }, (_, r) => vectors[r * D + i]!));
  return {
    fitted: D + comps.length * D,
    score: (ser, st) => {
      for (let j = 0; j < D; j++) x[j] = ser.values[st * ser.C + j]! - mean[j]!;
      let total2 = 0;
      for (let j = 0; j < D; j++) total2 += x[j]! * x[j]!;
      let explained = 0;
      for (const v of comps) {
        let p = 0;
        for (let j = 0; j < D; j++) p += v[j]! * x[j]!;
        explained += p * p;
      }
      return Math.max(0, total2 - explained) / D;
    },
  };
}

function nnScorer(s: Series, starts: number[], m: number): { score: (s: Series, start: number) => number; fitted: number } {
  const D = m * s.C;
  const refs = starts.map((st) => s.values.slice(st * s.C, st * s.C + D));
  return {
    fitted: refs.length * D,
    score: (ser, st) => {
      const base = st * ser.C;
      let best = Infinity;
      for (const r of refs) {
        let d = 0;
        // Early abandoning: stop summing once this reference is already farther than the best.
        for (let j = 0; j < D && d < best; j++) {
          const e = ser.values[base + j]! - r[j]!;
          d += e * e;
        }
        if (d < best) best = d;
      }
      return best / D;
    },
  };
}
