/**
 * Putting a series on a regular time grid. Input columns are Float64Array (NaN = missing), one
 * per feature, aligned with `times`. A series that is already regular is returned as is (the
 * common case, and the fast one); otherwise rows are placed into bins of the frequency and
 * averaged. Bins with no data stay NaN here; whether they may be filled is decided in split.ts.
 */
import { GenAutoMLError } from '../errors.js';

export interface Series {
  times: Float64Array;
  columns: Float64Array[];
  /** 0/1 per row when the source had a label column; aggregated by max (any anomaly marks the bin). */
  labels?: Float64Array | undefined;
}

export interface OrderReport {
  /** The input was not in time order and was sorted. */
  sorted: boolean;
  /** Rows merged into another row with the same timestamp (their values averaged). */
  duplicates: number;
}

/** Sorts by time (stable) when needed and merges rows that share a timestamp (mean unless told). */
export function sortAndDedupe(series: Series, aggregate: 'mean' | 'sum' | 'last' = 'mean'): { series: Series; report: OrderReport } {
  const { times } = series;
  const n = times.length;
  let sorted = true;
  for (let i = 1; i < n; i++) if ((times[i] as number) < (times[i - 1] as number)) {
    sorted = false;
    break;
  }
  let s = series;
  if (!sorted) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Stable (ties keep file order), so later aggregation is deterministic.
    const idx = Array.from(order).sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
    const take = (arr: Float64Array): Float64Array => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = arr[idx[i] as number] as number;
      return out;
    };
    s = { times: take(times), columns: series.columns.map(take), labels: series.labels && take(series.labels) };
  }
  let dups = 0;
  for (let i = 1; i < n; i++) if (s.times[i] === s.times[i - 1]) dups++;
  if (dups === 0) return { series: s, report: { sorted: !sorted, duplicates: 0 } };
  const m = n - dups;
  const outTimes = new Float64Array(m);
  const outCols = s.columns.map(() => new Float64Array(m));
  const outLabels = s.labels ? new Float64Array(m) : undefined;
  const sums = new Float64Array(s.columns.length);
  const counts = new Uint32Array(s.columns.length);
  let o = 0;
  let i = 0;
  while (i < n) {
    const t = s.times[i] as number;
    sums.fill(0);
    counts.fill(0);
    let label = 0;
    let j = i;
    for (; j < n && s.times[j] === t; j++) {
      for (let c = 0; c < s.columns.length; c++) {
        const v = (s.columns[c] as Float64Array)[j] as number;
        if (!Number.isNaN(v)) {
          sums[c] = aggregate === 'last' ? v : (sums[c] as number) + v;
          counts[c] = (counts[c] as number) + 1;
        }
      }
      if (s.labels) label = Math.max(label, (s.labels[j] as number) || 0);
    }
    outTimes[o] = t;
    for (let c = 0; c < s.columns.length; c++) {
      const k = counts[c] as number;
      (outCols[c] as Float64Array)[o] = k === 0 ? NaN : aggregate === 'mean' ? (sums[c] as number) / k : (sums[c] as number);
    }
    if (outLabels) outLabels[o] = label;
    o++;
    i = j;
  }
  return { series: { times: outTimes, columns: outCols, labels: outLabels }, report: { sorted: !sorted, duplicates: dups } };
}

/**
 * The grid step for sorted, unique times, chosen to keep data: the most common step when nearly
 * every step is it; otherwise the finest step that every step is a whole multiple of (hourly
 * counts with gaps stay hourly, with the gaps marked, instead of being averaged into 3 hours),
 * as long as that grid is not mostly empty; otherwise the most common step when it covers half;
 * and only for jittery clocks, where no exact step repeats, the median snapped to a round step.
 */
export function modalInterval(times: Float64Array): number | undefined {
  const mode = exactMode(times);
  const n = times.length;
  if (mode === undefined || mode.count >= (n - 1) * 0.9) return mode?.step;
  const g = stepGcd(times);
  const span = (times[n - 1] as number) - (times[0] as number);
  if (g !== undefined && span / g + 1 <= 3 * n) return g;
  if (mode.count >= (n - 1) / 2) return mode.step;
  const diffs: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const d = (times[i] as number) - (times[i - 1] as number);
    if (d > 0) diffs.push(d);
  }
  diffs.sort((a, b) => a - b);
  const median = diffs[diffs.length >> 1] as number;
  let best = median;
  let bestErr = Infinity;
  for (const step of ROUND_STEPS) {
    const err = Math.abs(Math.log(step / median));
    if (err < bestErr) [best, bestErr] = [step, err];
  }
  // Only snap when a round step is within 10%; otherwise the data's own median is more honest.
  return bestErr < Math.log(1.1) ? best : Math.round(median);
}

/** Greatest common divisor of the (whole-millisecond) steps; undefined for fractional times. */
function stepGcd(times: Float64Array): number | undefined {
  const gcd = (a: number, b: number): number => {
    while (b > 0) [a, b] = [b, a % b];
    return a;
  };
  let g = 0;
  for (let i = 1; i < times.length; i++) {
    const d = (times[i] as number) - (times[i - 1] as number);
    if (!Number.isInteger(d) || d <= 0) return undefined;
    g = gcd(d, g);
    if (g === 1) break;
  }
  return g > 0 ? g : undefined;
}

const S = 1000;
const ROUND_STEPS = [
  1, 10, 100, 500,
  S, 2 * S, 5 * S, 10 * S, 15 * S, 20 * S, 30 * S,
  60 * S, 120 * S, 300 * S, 600 * S, 900 * S, 1200 * S, 1800 * S,
  3600 * S, 7200 * S, 10800 * S, 14400 * S, 21600 * S, 43200 * S,
  86400 * S, 7 * 86400 * S,
];

function exactMode(times: Float64Array): { step: number; count: number } | undefined {
  const counts = new Map<number, number>();
  let prevDiff = NaN;
  let run = 0;
  // Runs of equal steps are counted in one go: regular series touch the map once.
  for (let i = 1; i < times.length; i++) {
    const d = (times[i] as number) - (times[i - 1] as number);
    if (d === prevDiff) run++;
    else {
      if (run > 0) counts.set(prevDiff, (counts.get(prevDiff) ?? 0) + run);
      prevDiff = d;
      run = 1;
    }
  }
  if (run > 0) counts.set(prevDiff, (counts.get(prevDiff) ?? 0) + run);
  let best: number | undefined;
  let bestCount = 0;
  for (const [d, c] of counts) if (d > 0 && (c > bestCount || (c === bestCount && d < (best ?? Infinity)))) [best, bestCount] = [d, c];
  return best === undefined ? undefined : { step: best, count: bestCount };
}

export interface GapReport {
  start: number;
  end: number;
  /** Grid rows with no source data. */
  rows: number;
}

export interface GridReport {
  frequencyMs: number;
  /** The series was already on the grid: no row was moved, merged or inserted. */
  regular: boolean;
  /** Source rows merged into a bin that already had data (irregular or coarser grid). */
  binnedRows: number;
  /** Runs of grid rows with no source row at all, oldest first. */
  gaps: GapReport[];
}

/**
 * Places a sorted, de-duplicated series on a grid of `frequencyMs`. Without a forced grid the
 * first timestamp is the anchor and each row goes to the nearest grid point, which tolerates
 * clock jitter; a forced grid is anchored on multiples of its step since the epoch (10min bins
 * start at :00, :10, ...) and each bin takes the rows in [start, start + step), as pandas does.
 */
export function toGrid(series: Series, frequencyMs: number, forced: boolean, maxRows: number): { series: Series; report: GridReport } {
  const { times } = series;
  const n = times.length;
  const t0 = times[0] as number;
  const anchor = forced ? Math.floor(t0 / frequencyMs) * frequencyMs : t0;
  let regular = true;
  for (let i = 0; i < n && regular; i++) {
    if ((times[i] as number) !== anchor + i * frequencyMs) regular = false;
  }
  if (regular) return { series, report: { frequencyMs, regular: true, binnedRows: 0, gaps: [] } };

  const bin = (t: number): number => (forced ? Math.floor((t - anchor) / frequencyMs) : Math.round((t - anchor) / frequencyMs));
  const bins = bin(times[n - 1] as number) + 1;
  if (bins > maxRows) {
    throw new GenAutoMLError('data.grid_too_large', `Putting ${n} rows on a ${frequencyMs} ms grid would need ${bins} rows.`, {
      hint: 'The series has very long gaps or a very fine step; choose a coarser frequency, or load the part without the gap.',
      details: { rows: n, gridRows: bins, limit: maxRows },
    });
  }
  return placeOnSlots(series, bins, bin, (b) => anchor + b * frequencyMs, frequencyMs);
}

/**
 * Averages rows into `bins` grid slots (`slotOf` a time → its slot, `timeOf` a slot → its time)
 * and reports the slots no row reached as gaps. Shared by the fixed and the calendar grids.
 */
export function placeOnSlots(
  series: Series,
  bins: number,
  slotOf: (t: number) => number,
  timeOf: (slot: number) => number,
  frequencyMs: number,
): { series: Series; report: GridReport } {
  const { times } = series;
  const n = times.length;
  const cols = series.columns.map(() => new Float64Array(bins));
  const counts = series.columns.map(() => new Uint32Array(bins));
  const hit = new Uint8Array(bins);
  const labels = series.labels ? new Float64Array(bins) : undefined;
  let binnedRows = 0;
  for (let i = 0; i < n; i++) {
    const b = slotOf(times[i] as number);
    if (hit[b]) binnedRows++;
    hit[b] = 1;
    for (let c = 0; c < cols.length; c++) {
      const v = (series.columns[c] as Float64Array)[i] as number;
      if (!Number.isNaN(v)) {
        (cols[c] as Float64Array)[b] = ((cols[c] as Float64Array)[b] as number) + v;
        (counts[c] as Uint32Array)[b] = ((counts[c] as Uint32Array)[b] as number) + 1;
      }
    }
    if (labels && series.labels) labels[b] = Math.max(labels[b] as number, (series.labels[i] as number) || 0);
  }
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c] as Float64Array;
    const cnt = counts[c] as Uint32Array;
    for (let b = 0; b < bins; b++) col[b] = cnt[b] ? (col[b] as number) / (cnt[b] as number) : NaN;
  }
  const gridTimes = new Float64Array(bins);
  for (let b = 0; b < bins; b++) gridTimes[b] = timeOf(b);
  const gaps: GapReport[] = [];
  for (let b = 0; b < bins; b++) {
    if (hit[b]) continue;
    let e = b;
    while (e + 1 < bins && !hit[e + 1]) e++;
    gaps.push({ start: gridTimes[b] as number, end: gridTimes[e] as number, rows: e - b + 1 });
    b = e;
  }
  return { series: { times: gridTimes, columns: cols, labels }, report: { frequencyMs, regular: false, binnedRows, gaps } };
}
