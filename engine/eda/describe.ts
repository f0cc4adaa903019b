/** Descriptive statistics, volatility, outliers and the Pearson correlation matrix. */
import { quantileSorted, sortedFinite } from './numeric.js';

export interface Descriptive {
  count: number;
  missing: number;
  mean: number;
  std: number;
  min: number;
  q25: number;
  median: number;
  q75: number;
  max: number;
  skewness: number;
  kurtosis: number;
}

/**
 * count/mean/std/quantiles like pandas' describe (std with ddof = 1, quantiles by linear
 * interpolation); skewness g1 = m3 / m2^1.5 and excess kurtosis g2 = m4 / m2² - 3 from population
 * central moments (scipy.stats' defaults), so they do not depend on sample-size corrections.
 */
export function describe(x: Float64Array, missingOverride?: number): Descriptive {
  const sorted = sortedFinite(x);
  const n = sorted.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += sorted[i]!;
  m /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const ss = m2;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return {
    count: n,
    missing: missingOverride ?? x.length - n,
    mean: n > 0 ? m : NaN,
    std: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN,
    min: n > 0 ? sorted[0]! : NaN,
    q25: quantileSorted(sorted, 0.25),
    median: quantileSorted(sorted, 0.5),
    q75: quantileSorted(sorted, 0.75),
    max: n > 0 ? sorted[n - 1]! : NaN,
    skewness: m2 > 0 ? m3 / Math.pow(m2, 1.5) : NaN,
    kurtosis: m2 > 0 ? m4 / (m2 * m2) - 3 : NaN,
  };
}

export interface Volatility {
  /** Standard deviation of first differences, in the feature's units. */
  diffStd: number;
  /** std(Δx) / std(x): scale-free; ≈0 for a smooth series, ≈√2 for white noise. */
  ratio: number;
  /** std(Δx) / |mean(x)| (coefficient of variation of the changes); null when the mean is ~0. */
  cv: number | null;
}

export function volatility(x: Float64Array, d: Descriptive): Volatility {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let i = 1; i < x.length; i++) {
    const v = x[i]! - x[i - 1]!;
    if (!Number.isFinite(v)) continue;
    s += v;
    s2 += v * v;
    n++;
  }
  const diffStd = n > 1 ? Math.sqrt(Math.max(0, (s2 - (s * s) / n) / (n - 1))) : NaN;
  const meanSmall = !(Math.abs(d.mean) > 1e-9 * Math.max(1, d.std));
  return {
    diffStd,
    ratio: d.std > 0 ? diffStd / d.std : NaN,
    cv: meanSmall ? null : diffStd / Math.abs(d.mean),
  };
}

export interface OutlierPoint {
  index: number;
  value: number;
  robustZ: number;
}

export interface Outliers {
  /** Modified z-score 0.6745 (x - median) / MAD (Iglewicz & Hoaglin), flagged above the threshold. */
  robustZ: { threshold: number; count: number; mad: number };
  /** Tukey fences q25 - k·IQR and q75 + k·IQR. */
  iqr: { k: number; lower: number; upper: number; count: number };
  /** Most extreme points by |robust z|, largest first. */
  top: OutlierPoint[];
}

export function outliers(x: Float64Array, d: Descriptive, options: { threshold?: number; iqrK?: number; topK?: number } = {}): Outliers {
  const threshold = options.threshold ?? 3.5;
  const k = options.iqrK ?? 1.5;
  const topK = options.topK ?? 5;
  const dev = new Float64Array(x.length);
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) dev[n++] = Math.abs(v - d.median);
  }
  const devSorted = dev.subarray(0, n).sort();
  let mad = quantileSorted(devSorted, 0.5);
  // A MAD of zero (more than half the points equal) would flag every other value; fall back to
  // the mean absolute deviation scaled to the same normal-consistency (IBM's convention).
  let scale = 0.6745 / mad;
  if (!(mad > 0)) {
    let s = 0;
    for (let i = 0; i < n; i++) s += devSorted[i]!;
    mad = s / Math.max(1, n);
    scale = mad > 0 ? 1 / (1.253314 * mad) : 0;
  }
  const iqr = d.q75 - d.q25;
  const lower = d.q25 - k * iqr;
  const upper = d.q75 + k * iqr;
  let zCount = 0;
  let iqrCount = 0;
  const candidates: OutlierPoint[] = [];
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) continue;
    const z = (v - d.median) * scale;
    if (Math.abs(z) > threshold) zCount++;
    if (v < lower || v > upper) iqrCount++;
    if (Math.abs(z) > threshold || v < lower || v > upper) candidates.push({ index: i, value: v, robustZ: z });
  }
  candidates.sort((a, b) => Math.abs(b.robustZ) - Math.abs(a.robustZ) || a.index - b.index);
  return {
    robustZ: { threshold, count: zCount, mad },
    iqr: { k, lower, upper, count: iqrCount },
    top: candidates.slice(0, topK),
  };
}

/**
 * Pearson correlation matrix over rows where both features are finite. Columns are centred by
 * their means first so the sums of products do not cancel catastrophically.
 */
export function correlationMatrix(columns: Float64Array[]): number[][] {
  const C = columns.length;
  const means = columns.map((c) => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < c.length; i++) {
      if (Number.isFinite(c[i]!)) {
        s += c[i]!;
        n++;
      }
    }
    return n > 0 ? s / n : 0;
  });
  const out: number[][] = Array.from({ length: C }, () => new Array<number>(C).fill(NaN));
  for (let a = 0; a < C; a++) {
    const xa = columns[a]!;
    const ma = means[a]!;
    for (let b = a; b < C; b++) {
      const xb = columns[b]!;
      const mb = means[b]!;
      let sab = 0;
      let saa = 0;
      let sbb = 0;
      for (let i = 0; i < xa.length; i++) {
        const u = xa[i]! - ma;
        const v = xb[i]! - mb;
        if (!Number.isFinite(u) || !Number.isFinite(v)) continue;
        sab += u * v;
        saa += u * u;
        sbb += v * v;
      }
      const r = saa > 0 && sbb > 0 ? Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb))) : NaN;
      out[a]![b] = r;
      out[b]![a] = r;
    }
  }
  return out;
}
