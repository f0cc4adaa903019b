/**
 * Trusted scoring: every number used for pruning, selection, the leaderboard and the test report
 * is computed here, in the host, from predictions the sandbox returned and targets the sandbox
 * never held. Window arithmetic mirrors python/genautoml_runner/data.py (windows start `lookback`
 * rows before a validation/test split, windows touching a missing row are skipped).
 */
import { readFile } from 'node:fs/promises';
import type { PreparedMeta } from '../data/prepared.js';
import type { Series } from './series.js';
import { anomalyReport, errorRows, seriesBuffer, validationLabels } from '../anomaly/evaluate.js';
import type { AnomalyMetrics, ForecastMetrics } from './types.js';

export type { Series } from './series.js';

export async function loadSeries(valuesPath: string, meta: PreparedMeta, labelsPath?: string): Promise<Series> {
  const buf = await readFile(valuesPath);
  const C = meta.columns.length;
  if (buf.length !== meta.rows * C * 4) throw new Error(`values file has ${buf.length} bytes; meta says ${meta.rows} x ${C} x 4`);
  const values = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  const missing = new Int32Array(meta.rows + 1);
  for (let t = 0; t < meta.rows; t++) {
    let bad = 0;
    for (let c = 0; c < C; c++) if (!Number.isFinite(values[t * C + c]!)) bad = 1;
    missing[t + 1] = missing[t]! + bad;
  }
  const labels = labelsPath ? new Uint8Array(await readFile(labelsPath)) : null;
  return { values, rows: meta.rows, C, meta, labels, missing };
}

/** The first rows of the series up to `end` (exclusive) as bytes: what a trainer gets. */
export function cutRows(s: Series, end: number): Buffer {
  return Buffer.from(s.values.buffer, s.values.byteOffset, end * s.C * 4);
}

/** Window starts of a split (data.py Dataset.starts). */
export function windowStarts(s: Series, split: 'train' | 'val' | 'test', L: number, H: number, stride = 1): number[] {
  const [a, b] = s.meta.splits[split];
  const lo = split === 'train' ? a : Math.max(0, a - L);
  const hi = b - L - H;
  const out: number[] = [];
  if (hi < lo) return out;
  for (let t = lo; t <= hi; t += stride) out.push(t);
  if (stride > 1 && out[out.length - 1] !== hi) out.push(hi);
  return out.filter((t) => s.missing[t + L + H]! - s.missing[t]! === 0);
}

export function windowInput(s: Series, start: number, L: number): Float32Array {
  return s.values.subarray(start * s.C, (start + L) * s.C);
}

/** MAE and MSE over windows' horizons, in scaled units, float64 sums. */
export function scoreWindows(s: Series, starts: number[], L: number, H: number, pred: Float32Array): { mae: number; mse: number } {
  const C = s.C;
  let ae = 0;
  let se = 0;
  let n = 0;
  for (let w = 0; w < starts.length; w++) {
    const base = (starts[w]! + L) * C;
    const pb = w * H * C;
    for (let k = 0; k < H * C; k++) {
      const d = pred[pb + k]! - s.values[base + k]!;
      ae += Math.abs(d);
      se += d * d;
      n++;
    }
  }
  return { mae: n ? ae / n : NaN, mse: n ? se / n : NaN };
}

const SAMPLE_ALL_CHANNELS_MAX = 100_000;

export function forecastMetrics(s: Series, starts: number[], L: number, H: number, pred: Float32Array): ForecastMetrics {
  const C = s.C;
  const ae = new Float64Array(C);
  const se = new Float64Array(C);
  const seH = new Float64Array(H);
  for (let w = 0; w < starts.length; w++) {
    const base = (starts[w]! + L) * C;
    for (let h = 0; h < H; h++) {
      for (let c = 0; c < C; c++) {
        const d = pred[(w * H + h) * C + c]! - s.values[base + h * C + c]!;
        ae[c] = ae[c]! + Math.abs(d);
        se[c] = se[c]! + d * d;
        seH[h] = seH[h]! + d * d;
      }
    }
  }
  const count = starts.length * H;
  const std = s.meta.scaler.std;
  const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((x, y) => x + y, 0) / a.length;
  const aeC = Array.from(ae, (v) => v / count);
  const seC = Array.from(se, (v) => v / count);
  const maeO = aeC.map((v, c) => v * std[c]!);
  const mseO = seC.map((v, c) => v * std[c]! * std[c]!);
  const t = s.meta.columns.indexOf(s.meta.target);
  const tIdx = t >= 0 ? t : null;
  const last = starts.length - 1;
  const ch = tIdx ?? 0;
  const back = (row: number, c: number): number => s.values[row * C + c]! * std[c]! + s.meta.scaler.mean[c]!;
  const series = (from: number, len: number, c: number): number[] => Array.from({ length: len }, (_, i) => back(from + i, c));
  const predBack = (c: number): number[] => Array.from({ length: H }, (_, h) => pred[(last * H + h) * C + c]! * std[c]! + s.meta.scaler.mean[c]!);
  const st = starts[last]!;
  const sample: NonNullable<ForecastMetrics['sample']> = { channel: ch, start: st, history: series(st, L, ch), truth: series(st + L, H, ch), prediction: predBack(ch) };
  if (C * (L + H) <= SAMPLE_ALL_CHANNELS_MAX) {
    const all = Array.from({ length: C }, (_, c) => c);
    sample.channels = { history: all.map((c) => series(st, L, c)), truth: all.map((c) => series(st + L, H, c)), prediction: all.map(predBack) };
  }
  return {
    task: 'forecasting',
    mse: mean(seC),
    mae: mean(aeC),
    rmse: Math.sqrt(mean(seC)),
    maeOriginal: mean(maeO),
    rmseOriginal: Math.sqrt(mean(mseO)),
    targetMaeOriginal: tIdx === null ? null : maeO[tIdx]!,
    targetRmseOriginal: tIdx === null ? null : Math.sqrt(mseO[tIdx]!),
    windows: starts.length,
    horizonMse: Array.from(seH, (v) => v / (starts.length * C)),
    sample,
  };
}

// ---------------------------------------------------------------------------------------------
// Anomaly detection: faults injected by the host into its own copy of the test rows.
// ---------------------------------------------------------------------------------------------

const FAULT_KINDS = ['spike', 'level_shift', 'drift', 'stuck', 'noise_burst'] as const;
const LENGTHS: Record<(typeof FAULT_KINDS)[number], [number, number]> = { spike: [1, 3], level_shift: [20, 50], drift: [30, 80], stuck: [20, 50], noise_burst: [10, 30] };

/** Deterministic PRNG (mulberry32) for seeded fault injection. */
function rng(seed: number): { next(): number; int(lo: number, hi: number): number; uniform(lo: number, hi: number): number; normal(sd: number): number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo)),
    uniform: (lo, hi) => lo + next() * (hi - lo),
    normal: (sd) => sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

/** Faults injected when the caller names no count: one per 200 test rows, at least 5. */
export function defaultFaultCount(testRows: number): number {
  return Math.max(5, Math.floor(testRows / 200));
}

/** Injects non-overlapping faults into rows [a, b) of a copy of the series (z-scored units). */
export function injectFaults(s: Series, seed: number, nFaults: number): { series: Series; labels: Uint8Array; faults: AnomalyMetrics['faults'] } {
  const [a, b] = s.meta.splits.test;
  const n = b - a;
  const C = s.C;
  const values = new Float32Array(s.values);
  const labels = new Uint8Array(n);
  const faults: AnomalyMetrics['faults'] = [];
  const r = rng(seed);
  for (let i = 0; i < nFaults; i++) {
    const kind = FAULT_KINDS[i % FAULT_KINDS.length]!;
    const [lo, hi] = LENGTHS[kind];
    const length = Math.min(r.int(lo, hi + 1), Math.max(1, Math.floor(n / 10)));
    let start = -1;
    for (let tries = 0; tries < 50; tries++) {
      const st = r.int(0, Math.max(1, n - length + 1));
      let clash = false;
      for (let k = Math.max(0, st - 5); k < Math.min(n, st + length + 5); k++) if (labels[k]) clash = true;
      if (!clash) {
        start = st;
        break;
      }
    }
    if (start < 0) continue;
    const c = r.int(0, C);
    const sign = r.next() < 0.5 ? 1 : -1;
    const at = (k: number): number => (a + start + k) * C + c;
    if (kind === 'spike') {
      const m = sign * r.uniform(4, 6);
      for (let k = 0; k < length; k++) values[at(k)] = values[at(k)]! + m;
    } else if (kind === 'level_shift') {
      const m = sign * r.uniform(2, 3);
      for (let k = 0; k < length; k++) values[at(k)] = values[at(k)]! + m;
    } else if (kind === 'drift') {
      const top = r.uniform(2.5, 4);
      for (let k = 0; k < length; k++) values[at(k)] = values[at(k)]! + sign * (length > 1 ? (top * k) / (length - 1) : 0);
    } else if (kind === 'stuck') {
      const v = values[at(0)]!;
      for (let k = 0; k < length; k++) values[at(k)] = v;
    } else {
      const sd = r.uniform(1.5, 2.5);
      for (let k = 0; k < length; k++) values[at(k)] = values[at(k)]! + r.normal(sd);
    }
    labels.fill(1, start, start + length);
    faults.push({ kind, channel: c, start, length });
  }
  return { series: { ...s, values }, labels, faults };
}

/** Validation-side inputs of an anomaly report: the clean series' validation windows and predictions. */
export interface AnomalyValidation {
  series: Series;
  starts: number[];
  pred: Float32Array;
}

/**
 * Per-row squared prediction errors over the test split (mean over channels and over the windows
 * covering each row), scored against the labels: the threshold-free numbers, the oracle F1 kept
 * for reference, and the honest report (engine/anomaly) with its threshold from validation only.
 */
export function anomalyMetrics(
  s: Series,
  starts: number[],
  L: number,
  H: number,
  pred: Float32Array,
  kind: 'injected' | 'dataset',
  labels: Uint8Array,
  faults: AnomalyMetrics['faults'],
  val?: AnomalyValidation,
): AnomalyMetrics {
  const [a, b] = s.meta.splits.test;
  const test = errorRows(s, starts, L, H, pred, a, b);
  let validation: Parameters<typeof anomalyReport>[0]['validation'] = null;
  if (val) {
    const [va, vb] = val.series.meta.splits.val;
    const v = errorRows(val.series, val.starts, L, H, val.pred, va, vb);
    validation = { normalised: v.normalised, original: v.original, labels: validationLabels(val.series), buffer: seriesBuffer(val.series) };
  }
  return anomalyReport({ test, labels, kind, faults, validation });
}
