/**
 * A labelled synthetic anomaly suite: seasonal series with noise, and labelled windows of the
 * four fault shapes real sensors show (level shifts, drifts, spikes, stuck readings), placed in
 * the validation and test rows and never in the training rows. Deterministic for a seed.
 */
import type { PreparedMeta } from '../data/prepared.js';
import type { Series } from '../runner/scoring.js';

export type FaultShape = 'level_shift' | 'drift' | 'spike' | 'stuck';
export const FAULT_SHAPES: readonly FaultShape[] = ['level_shift', 'drift', 'spike', 'stuck'];

export interface LabelledSeries {
  name: string;
  /** Row-major [rows, channels]. */
  values: Float64Array;
  rows: number;
  channels: number;
  labels: Uint8Array;
  /** Label windows as inclusive [start, end] rows. */
  windows: Array<{ shape: FaultShape; channel: number; start: number; end: number }>;
  /** Split boundaries (70/10/20). */
  splits: { train: [number, number]; val: [number, number]; test: [number, number] };
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LENGTH: Record<FaultShape, [number, number]> = { level_shift: [40, 80], drift: [50, 100], spike: [1, 3], stuck: [30, 60] };

/**
 * One series of `rows` rows and `channels` channels (daily and weekly cycles on an hourly grid,
 * Gaussian noise) with `shapes` faults in the test rows and one of each listed shape in validation.
 */
export function labelledSeries(name: string, seed: number, opts: { rows?: number; channels?: number; shapes: readonly FaultShape[]; testFaults?: number; valFaults?: boolean }): LabelledSeries {
  const rows = opts.rows ?? 3000;
  const C = opts.channels ?? 2;
  const r = prng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const values = new Float64Array(rows * C);
  for (let c = 0; c < C; c++) {
    const phase = r() * 24;
    const amp = 1 + r();
    const level = 10 * c;
    for (let t = 0; t < rows; t++) {
      values[t * C + c] = level + amp * Math.sin((2 * Math.PI * (t + phase)) / 24) + 0.4 * Math.sin((2 * Math.PI * t) / 168) + 0.25 * gauss();
    }
  }
  const trainEnd = Math.floor(rows * 0.7);
  const valEnd = Math.floor(rows * 0.8);
  const labels = new Uint8Array(rows);
  const windows: LabelledSeries['windows'] = [];
  const place = (shape: FaultShape, lo: number, hi: number): void => {
    const [a, b] = LENGTH[shape];
    const len = a + Math.floor(r() * (b - a + 1));
    for (let tries = 0; tries < 100; tries++) {
      const st = lo + Math.floor(r() * Math.max(1, hi - lo - len));
      let clash = false;
      for (let k = Math.max(lo, st - 30); k < Math.min(hi, st + len + 30); k++) if (labels[k]) clash = true;
      if (clash || st + len > hi) continue;
      const c = Math.floor(r() * C);
      const sign = r() < 0.5 ? -1 : 1;
      const at = (k: number): number => (st + k) * C + c;
      if (shape === 'level_shift') for (let k = 0; k < len; k++) values[at(k)] = values[at(k)]! + sign * 2.5;
      else if (shape === 'drift') for (let k = 0; k < len; k++) values[at(k)] = values[at(k)]! + (sign * 3 * k) / Math.max(1, len - 1);
      else if (shape === 'spike') for (let k = 0; k < len; k++) values[at(k)] = values[at(k)]! + sign * 5;
      else {
        const v = values[at(0)]!;
        for (let k = 0; k < len; k++) values[at(k)] = v;
      }
      labels.fill(1, st, st + len);
      windows.push({ shape, channel: c, start: st, end: st + len - 1 });
      return;
    }
  };
  if (opts.valFaults ?? true) for (const s of opts.shapes) place(s, trainEnd, valEnd);
  const n = opts.testFaults ?? 2 * opts.shapes.length;
  for (let i = 0; i < n; i++) place(opts.shapes[i % opts.shapes.length]!, valEnd, rows);
  return { name, values, rows, channels: C, labels, windows, splits: { train: [0, trainEnd], val: [trainEnd, valEnd], test: [valEnd, rows] } };
}

/** The suite: one series per fault shape, plus one with all four mixed. */
export function anomalySuite(seed = 0): LabelledSeries[] {
  return [
    ...FAULT_SHAPES.map((s, i) => labelledSeries(s, seed * 101 + i + 1, { shapes: [s] })),
    labelledSeries('mixed', seed * 101 + 9, { shapes: FAULT_SHAPES, testFaults: 8 }),
  ];
}

/**
 * The series as the host holds a prepared dataset (float32, z-scored by training statistics,
 * labels attached when `withLabels`), for the scoring and baseline code.
 */
export function toSeries(ls: LabelledSeries, withLabels = true): Series {
  const C = ls.channels;
  const [, trainEnd] = ls.splits.train;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < C; c++) {
    let s = 0;
    let q = 0;
    for (let t = 0; t < trainEnd; t++) {
      s += ls.values[t * C + c]!;
      q += ls.values[t * C + c]! ** 2;
    }
    mean.push(s / trainEnd);
    std.push(Math.sqrt(Math.max(1e-12, q / trainEnd - (s / trainEnd) ** 2)));
  }
  const values = new Float32Array(ls.rows * C);
  for (let t = 0; t < ls.rows; t++) for (let c = 0; c < C; c++) values[t * C + c] = (ls.values[t * C + c]! - mean[c]!) / std[c]!;
  const meta: PreparedMeta = {
    formatVersion: 1,
    rows: ls.rows,
    columns: Array.from({ length: C }, (_, c) => `x${c}`),
    target: 'x0',
    frequencyMs: 3_600_000,
    start: '2020-01-01T00:00:00.000Z',
    end: new Date(Date.UTC(2020, 0, 1) + (ls.rows - 1) * 3_600_000).toISOString(),
    splits: ls.splits,
    scaler: { mean, std },
    hasLabels: withLabels,
  };
  return { values, rows: ls.rows, C, meta, labels: withLabels ? ls.labels : null, missing: new Int32Array(ls.rows + 1) };
}
