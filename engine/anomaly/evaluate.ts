/**
 * One detector's anomaly report under the protocol every detector shares (models and baselines):
 * per-row scores on the validation and test rows, a threshold fixed from validation only, then
 * the test rows read once. A model's score of a row is its squared prediction error, averaged over
 * channels and over every window whose horizon covers the row, in two forms: the scaled units the
 * model sees (z-scored by training statistics, channels weighted equally) and the original units
 * (channels weighted by their own variance, what a level shift in a large channel looks like).
 */
import type { Series } from '../runner/series.js';
import type { AnomalyMetrics } from '../runner/types.js';
import { lttb } from '../plots/downsample.js';
import { averagePrecision, events, chooseThreshold, oracleF1, rocAuc, scoreDetector, vusBuffer, type DetectorScores } from './metrics.js';

/** Default alarm quantile of validation scores when validation has no labelled events. */
export const VAL_QUANTILE = 0.99;

export interface RowScores {
  /** Scaled units. NaN where no window covers the row (ranked last, never flagged). */
  normalised: Float64Array;
  original: Float64Array;
}

/** Per-row squared errors over rows [a, b) of `s`, averaged over the windows covering each row. */
export function errorRows(s: Series, starts: readonly number[], L: number, H: number, pred: Float32Array, a: number, b: number): RowScores {
  const C = s.C;
  const std = s.meta.scaler.std;
  const n = b - a;
  const sumN = new Float64Array(n);
  const sumO = new Float64Array(n);
  const cover = new Int32Array(n);
  for (let w = 0; w < starts.length; w++) {
    for (let h = 0; h < H; h++) {
      const row = starts[w]! + L + h;
      if (row < a || row >= b) continue;
      let eN = 0;
      let eO = 0;
      for (let c = 0; c < C; c++) {
        const d = pred[(w * H + h) * C + c]! - s.values[row * C + c]!;
        eN += d * d;
        eO += d * d * (std[c] ?? 1) * (std[c] ?? 1);
      }
      sumN[row - a] = sumN[row - a]! + eN / C;
      sumO[row - a] = sumO[row - a]! + eO / C;
      cover[row - a] = cover[row - a]! + 1;
    }
  }
  const normalised = new Float64Array(n);
  const original = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    normalised[i] = cover[i] ? sumN[i]! / cover[i]! : NaN;
    original[i] = cover[i] ? sumO[i]! / cover[i]! : NaN;
  }
  return { normalised, original };
}

/** The VUS buffer of a series: TSB-AD's period rule on the training rows of the target channel. */
export function seriesBuffer(s: Series): number {
  const [a, b] = s.meta.splits.train;
  const c = Math.max(0, s.meta.columns.indexOf(s.meta.target));
  const x = new Float64Array(b - a);
  for (let t = a; t < b; t++) x[t - a] = s.values[t * s.C + c]!;
  return vusBuffer(x);
}

/** Validation labels when the dataset has labelled events there; null otherwise (quantile rule). */
export function validationLabels(s: Series): Uint8Array | null {
  if (!s.labels) return null;
  const [a, b] = s.meta.splits.val;
  const v = s.labels.subarray(a, b);
  return v.some((x) => x !== 0) ? v : null;
}

/** Threshold from validation, then every metric on the test rows. */
export function reportDetector(val: ArrayLike<number>, valLabels: Uint8Array | null, test: ArrayLike<number>, testLabels: ArrayLike<number>, buffer: number, quantile = VAL_QUANTILE): DetectorScores {
  return scoreDetector(test, testLabels, chooseThreshold(val, valLabels, quantile), buffer);
}

export interface ReportInput {
  /** Test-row scores: the primary (scaled) form and, for models, the original-unit form. */
  test: { normalised: ArrayLike<number>; original?: ArrayLike<number> };
  /** 0/1 per test row. */
  labels: Uint8Array;
  kind: 'injected' | 'dataset';
  faults: AnomalyMetrics['faults'];
  /** Validation-row scores (same forms) and labels; null: no honest report (older callers). */
  validation: { normalised: ArrayLike<number>; original?: ArrayLike<number>; labels: Uint8Array | null; buffer: number } | null;
}

/**
 * The stored anomaly metrics of one detector. `ratio` (mean score of anomalous rows over that of
 * clean rows, the "discrimination gap") is kept as a plain ratio: a large one says the anomalous
 * rows score higher on average, not that a threshold separates them; `scores` says whether one does.
 */
export function anomalyReport(r: ReportInput): AnomalyMetrics {
  const sc = r.test.normalised;
  let cleanSum = 0;
  let cleanN = 0;
  let anomSum = 0;
  let anomN = 0;
  for (let i = 0; i < sc.length; i++) {
    const v = sc[i]!;
    if (!Number.isFinite(v)) continue;
    if (r.labels[i]) {
      anomSum += v;
      anomN++;
    } else {
      cleanSum += v;
      cleanN++;
    }
  }
  const clean = cleanN ? cleanSum / cleanN : NaN;
  const anom = anomN ? anomSum / anomN : null;
  const oracle = oracleF1(sc, r.labels);
  const v = r.validation;
  return {
    task: 'anomaly',
    labels: r.kind,
    cleanMse: clean,
    anomalousMse: anom,
    ratio: anom !== null && clean > 0 ? anom / clean : null,
    rocAuc: rocAuc(sc, r.labels),
    prAuc: averagePrecision(sc, r.labels),
    bestF1: oracle?.f1 ?? null,
    bestThreshold: oracle?.threshold ?? null,
    ...(v ? { scores: reportDetector(v.normalised, v.labels, sc, r.labels, v.buffer) } : {}),
    ...(v?.original && r.test.original ? { scoresOriginal: reportDetector(v.original, v.labels, r.test.original, r.labels, v.buffer) } : {}),
    trace: trace(sc, r.labels),
    anomalousRows: r.labels.reduce((n, x) => n + (x ? 1 : 0), 0),
    rows: sc.length,
    faults: r.faults,
  };
}

/** Points kept for the score chart: the shape-preserving downsample of the finite scores. */
const TRACE_POINTS = 1500;

function trace(scores: ArrayLike<number>, labels: Uint8Array): NonNullable<AnomalyMetrics['trace']> {
  const rows: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (Number.isFinite(scores[i]!)) {
      rows.push(i);
      vals.push(scores[i]!);
    }
  }
  const keep = lttb(rows, vals, TRACE_POINTS);
  return { x: keep.map((k) => rows[k]!), scores: keep.map((k) => vals[k]!), windows: events(labels).slice(0, 10_000) };
}
