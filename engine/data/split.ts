/**
 * Chronological splits, missing-value filling and z-scoring, in the order that keeps the test
 * split honest: boundaries first, then filling that never lets validation or test see the future
 * (forward fill only), then statistics from the training rows alone.
 */
import { GenAutoMLError } from '../errors.js';

export type SplitSpec = 'ett' | { train: number; val: number; test: number };
export type Range = [number, number];
export interface Splits {
  train: Range;
  val: Range;
  test: Range;
}

const DAY_MS = 86_400_000;

/**
 * Ratios: train = floor(n·train), test = floor(n·test), validation the rest (the split used by
 * the long-horizon forecasting literature). `ett`: 12/4/4 months of 30 days counted in rows of
 * the frequency (ETTh1: 8640/2880/2880); rows after the 20 months belong to no split.
 */
export function computeSplits(rows: number, frequencyMs: number, spec: SplitSpec): Splits {
  if (spec === 'ett') {
    const month = Math.round((30 * DAY_MS) / frequencyMs);
    const need = 20 * month;
    if (month < 1 || rows < need) {
      throw new GenAutoMLError('data.split_too_short', `The ett split needs 20 months of 30 days (${need} rows at this frequency); the series has ${rows}.`, {
        hint: 'Use ratio splits (e.g. 0.7/0.1/0.2) for shorter series.',
        details: { rows, needed: need },
      });
    }
    return { train: [0, 12 * month], val: [12 * month, 16 * month], test: [16 * month, 20 * month] };
  }
  const nTrain = Math.floor(rows * spec.train);
  const nTest = Math.floor(rows * spec.test);
  const nVal = rows - nTrain - nTest;
  if (nTrain < 1 || (spec.val > 0 && nVal < 1) || (spec.test > 0 && nTest < 1)) {
    throw new GenAutoMLError('data.split_too_short', `${rows} rows are too few for a ${spec.train}/${spec.val}/${spec.test} split.`, {
      hint: 'Load a longer series, or change the split ratios.',
      details: { rows },
    });
  }
  return { train: [0, nTrain], val: [nTrain, nTrain + nVal], test: [nTrain + nVal, rows] };
}

export interface FillReport {
  /** Missing cells before filling. */
  missing: number;
  filled: number;
  /** Cells left missing because their run of missing rows was longer than the cap. */
  remaining: number;
}

/**
 * Fills one column in place. A run of `r` missing rows spans r+1 intervals between known values;
 * it is filled only when r+1 <= maxGapMultiple, so long outages are never bridged by invented
 * values. Train: linear interpolation inside, nearest value at its edges. After train: forward
 * fill only, which may carry train's last value into validation (it is in the past).
 */
export function fillColumn(col: Float64Array, splits: Splits, maxGapMultiple: number): FillReport {
  const n = col.length;
  let missing = 0;
  for (let i = 0; i < n; i++) if (Number.isNaN(col[i] as number)) missing++;
  if (missing === 0) return { missing: 0, filled: 0, remaining: 0 };
  const fillable = (run: number): boolean => run + 1 <= maxGapMultiple;
  const [t0, t1] = splits.train;
  let filled = 0;
  let i = t0;
  while (i < t1) {
    if (!Number.isNaN(col[i] as number)) {
      i++;
      continue;
    }
    let j = i;
    while (j < t1 && Number.isNaN(col[j] as number)) j++;
    const run = j - i;
    if (fillable(run)) {
      const left = i > t0 ? (col[i - 1] as number) : NaN;
      const right = j < t1 ? (col[j] as number) : NaN;
      for (let k = i; k < j; k++) {
        let v: number;
        if (!Number.isNaN(left) && !Number.isNaN(right)) v = left + ((right - left) * (k - i + 1)) / (run + 1);
        else v = Number.isNaN(left) ? right : left;
        if (!Number.isNaN(v)) {
          col[k] = v;
          filled++;
        }
      }
    }
    i = j;
  }
  // Everything after train (validation, test and any rows beyond the last split): causal only.
  let last = t1 > 0 ? (col[t1 - 1] as number) : NaN;
  let k = t1;
  while (k < n) {
    if (!Number.isNaN(col[k] as number)) {
      last = col[k] as number;
      k++;
      continue;
    }
    let j = k;
    while (j < n && Number.isNaN(col[j] as number)) j++;
    // The run length decides only whether to fill, never which value: no future value leaks in.
    if (fillable(j - k) && !Number.isNaN(last)) {
      for (let q = k; q < j; q++) col[q] = last;
      filled += j - k;
    }
    k = j;
  }
  return { missing, filled, remaining: missing - filled };
}

export interface Scaler {
  mean: number[];
  std: number[];
}

/** Mean and population std (ddof 0, as StandardScaler) of each column over the train rows. */
export function fitScaler(columns: Float64Array[], names: string[], train: Range, warnings: string[]): Scaler {
  const mean: number[] = [];
  const std: number[] = [];
  columns.forEach((col, c) => {
    let sum = 0;
    let count = 0;
    for (let i = train[0]; i < train[1]; i++) {
      const v = col[i] as number;
      if (!Number.isNaN(v)) {
        sum += v;
        count++;
      }
    }
    if (count === 0) {
      throw new GenAutoMLError('data.train_empty_column', `Column ${names[c]} has no values in the training split.`, {
        hint: 'Drop the column with features, or use a split whose training part covers it.',
      });
    }
    const m = sum / count;
    let ss = 0;
    for (let i = train[0]; i < train[1]; i++) {
      const v = col[i] as number;
      if (!Number.isNaN(v)) ss += (v - m) * (v - m);
    }
    let s = Math.sqrt(ss / count);
    if (!(s > 0) || !Number.isFinite(s)) {
      warnings.push(`Column ${names[c]} is constant in the training split; its scale was set to 1 (values are only centred).`);
      s = 1;
    }
    mean.push(m);
    std.push(s);
  });
  return { mean, std };
}

/** Row-major float32 [rows, columns], z-scored; NaN (unfilled long gaps) stays NaN. */
export function scaleToFloat32(columns: Float64Array[], scaler: Scaler, rows: number): Float32Array {
  const w = columns.length;
  const out = new Float32Array(rows * w);
  const mean = Float64Array.from(scaler.mean);
  const inv = Float64Array.from(scaler.std, (s) => 1 / s);
  // Rows outer, columns inner: the output is written sequentially, which is what big arrays need.
  for (let i = 0, o = 0; i < rows; i++) {
    for (let c = 0; c < w; c++, o++) out[o] = (((columns[c] as Float64Array)[i] as number) - (mean[c] as number)) * (inv[c] as number);
  }
  return out;
}
