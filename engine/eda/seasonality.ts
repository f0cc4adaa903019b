/**
 * Autocorrelation, periodogram, dominant periods and trend/seasonal strength. All spectral work
 * goes through one zero-padded radix-2 FFT, so a long series costs O(n log n).
 */
import { fft, nextPow2 } from './fft.js';

/**
 * Sample autocorrelation r_k = c_k / c_0 with the biased autocovariance c_k = Σ (x_t - x̄)(x_{t+k} - x̄) / n
 * (statsmodels' `acf(adjusted=False)`), via |FFT|² of the series padded to ≥ 2n so the circular
 * correlation equals the linear one.
 */
export function acf(x: Float64Array, maxLag: number): Float64Array {
  const n = x.length;
  const lags = Math.max(0, Math.min(maxLag, n - 1));
  const size = nextPow2(2 * n);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]!;
  m /= n;
  for (let i = 0; i < n; i++) re[i] = x[i]! - m;
  fft(re, im);
  for (let i = 0; i < size; i++) {
    re[i] = re[i]! * re[i]! + im[i]! * im[i]!;
    im[i] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(lags + 1);
  const c0 = re[0]!;
  for (let k = 0; k <= lags; k++) out[k] = c0 > 0 ? re[k]! / c0 : k === 0 ? 1 : 0;
  return out;
}

/**
 * Bartlett's large-lag standard errors for the ACF (as statsmodels' `acf(alpha=...)`):
 * se_1 = 1/√n, se_k = √((1 + 2 Σ_{j<k} r_j²)/n). The 95% band is ±1.96 se_k.
 */
export function bartlettBand(r: Float64Array, n: number, z = 1.959963984540054): Float64Array {
  const band = new Float64Array(r.length);
  let cum = 0;
  for (let k = 1; k < r.length; k++) {
    if (k >= 2) cum += r[k - 1]! * r[k - 1]!;
    band[k] = z * Math.sqrt((1 + 2 * cum) / n);
  }
  return band;
}

export interface Periodogram {
  /** FFT size after zero padding. */
  size: number;
  /** Power at bins 0..size/2 (bin k has period size/k samples). */
  power: Float64Array;
}

/**
 * Periodogram of the linearly detrended, Hann-tapered series. Removing the least-squares line
 * keeps a trend's leakage out of the low frequencies, and the taper keeps a strong cycle's
 * sidelobes (which decay only as 1/f without it) from posing as extra peaks.
 */
export function periodogram(x: Float64Array): Periodogram {
  const n = x.length;
  const size = nextPow2(n);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const tMean = (n - 1) / 2;
  let xm = 0;
  for (let i = 0; i < n; i++) xm += x[i]!;
  xm /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - tMean) * (x[i]! - xm);
    sxx += (i - tMean) * (i - tMean);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const w = n > 1 ? (2 * Math.PI) / (n - 1) : 0;
  for (let i = 0; i < n; i++) re[i] = (x[i]! - xm - slope * (i - tMean)) * (0.5 - 0.5 * Math.cos(w * i));
  fft(re, im);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) power[k] = (re[k]! * re[k]! + im[k]! * im[k]!) / n;
  return { size, power };
}

export interface DominantPeriod {
  /** Period in samples (refined by parabolic interpolation of the spectral peak). */
  periodSteps: number;
  /** Share of the detrended variance near the peak and its harmonics (0..1). */
  powerShare: number;
  /** Peak power over the median power of the surrounding band (2/3 to 3/2 of its frequency). */
  prominence: number;
}

/** Peaks less prominent than this are what the periodogram of pure noise produces by chance. */
const MIN_PROMINENCE = 20;
/** Candidates considered for harmonic grouping (the most prominent ones). */
const MAX_CANDIDATES = 40;
/** Highest harmonic order merged into its fundamental. */
const MAX_HARMONIC = 12;

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Up to `count` spectral peaks with periods between 2 samples and n/3 (at least three full
 * cycles). Peaks are ranked by prominence over the local spectral background, not by raw power:
 * slow drifts and red noise put most power at low frequencies without being cycles, whereas a
 * real season (a daily cycle in hourly data) stands far above its neighbours. Peaks within 10% of
 * a stronger one's period are merged, which also drops the duplicate bins zero padding creates.
 */
export function dominantPeriods(x: Float64Array, count = 3): DominantPeriod[] {
  const n = x.length;
  if (n < 8) return [];
  const { size, power } = periodogram(x);
  let total = 0;
  for (let k = 1; k < power.length; k++) total += power[k]!;
  if (!(total > 0)) return [];
  const kMin = Math.max(1, Math.ceil((3 * size) / n));
  const kMax = Math.floor(size / 2);
  // Padding spreads a peak over size/n bins; a neighbourhood of that half-width holds its power.
  const halfWidth = Math.max(1, Math.round(size / n));
  // Cheap pre-filter: the geometric mean of the band (prefix sums of log power) is about 0.8 x
  // its median for a noise spectrum, so only peaks that clear a quarter of the threshold get
  // the exact median; there are thousands of local maxima in a long series.
  const logPrefix = new Float64Array(power.length + 1);
  for (let k = 0; k < power.length; k++) logPrefix[k + 1] = logPrefix[k]! + Math.log(Math.max(power[k]!, 1e-300));
  const peaks: { k: number; prominence: number }[] = [];
  for (let k = kMin; k < kMax; k++) {
    const p = power[k]!;
    if (!(p > power[k - 1]! && p >= power[k + 1]!)) continue;
    const gLo = Math.max(1, Math.floor(k / 1.5));
    const gHi = Math.min(kMax, Math.ceil(k * 1.5));
    const geo = Math.exp((logPrefix[gHi + 1]! - logPrefix[gLo]!) / (gHi - gLo + 1));
    if (p < 0.25 * MIN_PROMINENCE * geo) continue;
    const lo = Math.max(1, Math.floor(k / 1.5));
    const hi = Math.min(kMax, Math.ceil(k * 1.5));
    // At most ~64 evenly spaced bins: the median of a wide band needs no more, and sorting the
    // whole band for each of thousands of local maxima would dominate the run time.
    const stride = Math.max(1, Math.floor((hi - lo + 1) / 64));
    const band: number[] = [];
    for (let j = lo; j <= hi; j += stride) if (Math.abs(j - k) > 2 * halfWidth) band.push(power[j]!);
    if (band.length < 4) continue;
    const background = median(band);
    const prominence = background > 0 ? p / background : Infinity;
    if (prominence >= MIN_PROMINENCE) peaks.push({ k, prominence });
  }
  // Every qualifying peak, with its refined period and the power share of its neighbourhood.
  const found = peaks.map(({ k, prominence }) => {
    const a = power[k - 1]!;
    const b = power[k]!;
    const c = power[k + 1]!;
    const denom = a - 2 * b + c;
    const offset = denom !== 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : 0;
    let share = 0;
    for (let j = Math.max(1, k - halfWidth); j <= Math.min(kMax, k + halfWidth); j++) share += power[j]!;
    return { periodSteps: size / (k + offset), powerShare: share / total, prominence: Number.isFinite(prominence) ? prominence : 1e12 };
  });
  // A non-sinusoidal cycle (a daily load curve) shows up as its fundamental plus harmonics at
  // P/2, P/3, ...; these are one season, not several. Group each candidate fundamental with the
  // qualifying peaks at its harmonics, pick the group with the most power, remove it, repeat.
  const tolerance = 0.015;
  const isHarmonic = (fundamental: number, p: number): boolean => {
    const m = Math.round(fundamental / p);
    return m >= 1 && m <= MAX_HARMONIC && Math.abs(fundamental / m - p) / p < tolerance;
  };
  // A harmonic of a real cycle is weaker than its fundamental. A stronger peak at P/m is a season
  // of its own (a daily cycle under a weaker weekly one: 24 h = 168 h / 7), not a harmonic.
  const absorbs = (f: { periodSteps: number; powerShare: number }, q: { periodSteps: number; powerShare: number }): boolean =>
    isHarmonic(f.periodSteps, q.periodSteps) && (q === f || q.powerShare <= f.powerShare);
  const pool = found
    .filter((f) => f.periodSteps >= 2)
    .sort((a, b) => b.prominence - a.prominence)
    .slice(0, MAX_CANDIDATES);
  const chosen: DominantPeriod[] = [];
  while (pool.length > 0 && chosen.length < count) {
    let best = -1;
    let bestPower = -Infinity;
    for (let i = 0; i < pool.length; i++) {
      let groupPower = 0;
      for (const q of pool) if (absorbs(pool[i]!, q)) groupPower += q.powerShare;
      if (groupPower > bestPower) {
        bestPower = groupPower;
        best = i;
      }
    }
    const fundamental = pool[best]!;
    chosen.push({ ...fundamental, powerShare: bestPower });
    for (let i = pool.length - 1; i >= 0; i--) {
      const q = pool[i]!.periodSteps;
      // Also drop near-duplicates of the fundamental (within 10%) and of its harmonics (within
      // 5%), which leakage around a very strong peak produces.
      const m = Math.max(1, Math.round(fundamental.periodSteps / q));
      const near = Math.abs(fundamental.periodSteps / m - q) / q < (m === 1 ? 0.1 : 0.05);
      if (absorbs(fundamental, pool[i]!) || (near && pool[i]!.powerShare <= fundamental.powerShare)) pool.splice(i, 1);
    }
  }
  return chosen;
}

/**
 * Centred moving average of odd length w (or a 2 x w MA for even w, as in classical
 * decomposition); NaN where the window does not fit.
 */
export function centredMovingAverage(x: Float64Array, w: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n).fill(NaN);
  if (w < 2 || w > n) return out;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + x[i]!;
  if (w % 2 === 1) {
    const h = (w - 1) / 2;
    for (let t = h; t < n - h; t++) out[t] = (prefix[t + h + 1]! - prefix[t - h]!) / w;
  } else {
    // Average of two adjacent length-w windows, so the result is centred on an observation.
    const h = w / 2;
    for (let t = h; t < n - h; t++) {
      const left = (prefix[t + h]! - prefix[t - h]!) / w;
      const right = (prefix[t + h + 1]! - prefix[t - h + 1]!) / w;
      out[t] = (left + right) / 2;
    }
  }
  return out;
}

export interface Strength {
  /** Wang, Smith & Hyndman (2006) trend strength: max(0, 1 - var(R)/var(T+R)). */
  trend: number;
  /** Seasonal strength at `period`: max(0, 1 - var(R)/var(S+R)); null without a period. */
  seasonal: number | null;
  period: number | null;
}

function varianceOf(values: number[]): number {
  const n = values.length;
  if (n < 2) return NaN;
  let m = 0;
  for (const v of values) m += v;
  m /= n;
  let s = 0;
  for (const v of values) s += (v - m) * (v - m);
  return s / (n - 1);
}

/**
 * Classical additive decomposition (a stand-in for STL): trend = centred MA over one period,
 * seasonal = per-phase mean of the detrended series (centred), remainder = the rest. Without a
 * usable period the trend is a MA over ~n/20 samples and there is no seasonal component.
 */
export function decompositionStrength(x: Float64Array, period: number | null): Strength {
  const n = x.length;
  const p = period !== null && period >= 2 && period * 2 <= n ? Math.round(period) : null;
  const w = p ?? Math.max(3, Math.min(n - 1, Math.round(n / 20)) | 1);
  const trend = centredMovingAverage(x, w);
  const seasonal = new Float64Array(n);
  if (p !== null) {
    const sums = new Float64Array(p);
    const counts = new Float64Array(p);
    for (let t = 0; t < n; t++) {
      const tr = trend[t]!;
      if (Number.isNaN(tr)) continue;
      sums[t % p] = sums[t % p]! + (x[t]! - tr);
      counts[t % p] = counts[t % p]! + 1;
    }
    let m = 0;
    for (let i = 0; i < p; i++) m += counts[i]! > 0 ? sums[i]! / counts[i]! : 0;
    m /= p;
    for (let t = 0; t < n; t++) {
      const c = counts[t % p]!;
      seasonal[t] = (c > 0 ? sums[t % p]! / c : 0) - m;
    }
  }
  const r: number[] = [];
  const tr: number[] = [];
  const sr: number[] = [];
  for (let t = 0; t < n; t++) {
    const tt = trend[t]!;
    if (Number.isNaN(tt)) continue;
    const rem = x[t]! - tt - seasonal[t]!;
    r.push(rem);
    tr.push(tt + rem);
    sr.push(seasonal[t]! + rem);
  }
  const vr = varianceOf(r);
  const strength = (v: number): number => (v > 0 && Number.isFinite(vr) ? Math.max(0, 1 - vr / v) : 0);
  return { trend: strength(varianceOf(tr)), seasonal: p === null ? null : strength(varianceOf(sr)), period: p };
}

/** Least squares of y on the given regressors (normal equations, tiny systems); returns β. */
function leastSquares(cols: Float64Array[], y: Float64Array): Float64Array | undefined {
  const p = cols.length;
  const a = new Float64Array(p * (p + 1));
  for (let i = 0; i < p; i++) {
    const ci = cols[i]!;
    for (let j = i; j < p; j++) {
      const cj = cols[j]!;
      let s = 0;
      for (let t = 0; t < y.length; t++) s += ci[t]! * cj[t]!;
      a[i * (p + 1) + j] = s;
      a[j * (p + 1) + i] = s;
    }
    let s = 0;
    for (let t = 0; t < y.length; t++) s += ci[t]! * y[t]!;
    a[i * (p + 1) + p] = s;
  }
  // Gauss-Jordan with partial pivoting on the augmented matrix.
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r * (p + 1) + c]!) > Math.abs(a[piv * (p + 1) + c]!)) piv = r;
    if (Math.abs(a[piv * (p + 1) + c]!) < 1e-12) return undefined;
    if (piv !== c) for (let k = 0; k <= p; k++) [a[c * (p + 1) + k], a[piv * (p + 1) + k]] = [a[piv * (p + 1) + k]!, a[c * (p + 1) + k]!];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = a[r * (p + 1) + c]! / a[c * (p + 1) + c]!;
      if (f !== 0) for (let k = c; k <= p; k++) a[r * (p + 1) + k] = a[r * (p + 1) + k]! - f * a[c * (p + 1) + k]!;
    }
  }
  return Float64Array.from({ length: p }, (_, i) => a[i * (p + 1) + p]! / a[i * (p + 1) + i]!);
}

function detrended(x: Float64Array): Float64Array {
  const n = x.length;
  const tMean = (n - 1) / 2;
  let xm = 0;
  for (let i = 0; i < n; i++) xm += x[i]!;
  xm /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - tMean) * (x[i]! - xm);
    sxx += (i - tMean) * (i - tMean);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return Float64Array.from(x, (v, i) => v - xm - slope * (i - tMean));
}

/** Sum of squares of the fit of y (mean zero) on cos/sin of `period` and its harmonics, and β. */
function cycleFit(y: Float64Array, period: number, harmonics: number, from = 0, to = y.length): { explained: number; beta: Float64Array } | undefined {
  const m = to - from;
  const cols: Float64Array[] = [new Float64Array(m).fill(1)];
  for (let h = 1; h <= harmonics; h++) {
    const w = (2 * Math.PI * h) / period;
    cols.push(Float64Array.from({ length: m }, (_, t) => Math.cos(w * (from + t))), Float64Array.from({ length: m }, (_, t) => Math.sin(w * (from + t))));
  }
  const part = y.subarray(from, to);
  const beta = leastSquares(cols, part);
  if (!beta) return undefined;
  let ss = 0;
  for (let t = 0; t < m; t++) {
    let f = 0;
    for (let k = 0; k < cols.length; k++) f += beta[k]! * cols[k]![t]!;
    ss += (f - beta[0]!) * (f - beta[0]!);
  }
  return { explained: ss, beta };
}

/**
 * Share of the linearly detrended variance that a cycle of `period` samples (with its first
 * `harmonics` harmonics) explains: the ranking measure for periods, 0..1.
 */
export function explainedVariance(x: Float64Array, period: number, harmonics = 3): number {
  const y = detrended(x);
  let total = 0;
  for (let t = 0; t < y.length; t++) total += y[t]! * y[t]!;
  const maxH = Math.max(1, Math.min(harmonics, Math.floor(period / 2)));
  const fit = cycleFit(y, period, maxH);
  return fit && total > 0 ? Math.min(1, fit.explained / total) : 0;
}

/** Block means down to at most `max` points: long cycles survive, the fits get cheap. */
function blockMeans(x: Float64Array, max: number): { y: Float64Array; block: number } {
  const block = Math.max(1, Math.ceil(x.length / max));
  if (block === 1) return { y: x, block };
  const m = Math.floor(x.length / block);
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < block; j++) s += x[i * block + j]!;
    y[i] = s / block;
  }
  return { y, block };
}

export interface LongCycle {
  periodSteps: number;
  /** Share of the detrended variance the sinusoid at this period explains. */
  explained: number;
}

/** Least share of the detrended variance a long cycle must explain to be reported. */
const MIN_LONG_EXPLAINED = 0.3;

/**
 * Cycles with few repeats (2 to 12 full cycles in the series), which a periodogram cannot tell
 * from slow drift: a yearly cycle in four years of daily data. Each candidate period is fitted as
 * a sinusoid on the detrended series; a local best counts when it explains enough variance,
 * clearly more than the periods one cycle away, and both halves of the series agree on its phase
 * and amplitude — a random walk's slow wanders explain variance too, but not the same way twice.
 */
export function longCycles(x: Float64Array): LongCycle[] {
  if (x.length < 16) return [];
  const { y: raw, block } = blockMeans(x, 1024);
  const y = detrended(raw);
  const n = y.length;
  let total = 0;
  for (let t = 0; t < n; t++) total += y[t]! * y[t]!;
  if (!(total > 0)) return [];
  const score = (cycles: number): number => cycleFit(y, n / cycles, 1)?.explained ?? 0;
  const grid: { c: number; s: number }[] = [];
  const STEP = 0.1;
  for (let c = 2; c <= 12 + 1e-9; c += STEP) grid.push({ c, s: score(c) });
  const out: LongCycle[] = [];
  for (let i = 1; i < grid.length - 1; i++) {
    const { c, s } = grid[i]!;
    if (!(s >= grid[i - 1]!.s && s >= grid[i + 1]!.s) || s / total < MIN_LONG_EXPLAINED) continue;
    // Parabolic refinement of the peak in cycles.
    const a = grid[i - 1]!.s;
    const b = grid[i + 1]!.s;
    const denom = a - 2 * s + b;
    const cRef = denom !== 0 ? c + Math.max(-0.5, Math.min(0.5, (0.5 * (a - b)) / denom)) * STEP : c;
    // A cycle stands out from the periods one cycle longer and shorter; red noise and random
    // walks (power rising smoothly towards slow periods) do not.
    if (s < 4 * Math.max(score(cRef - 1), score(cRef + 1))) continue;
    const period = n / cRef;
    const half = Math.floor(n / 2);
    const first = cycleFit(y, period, 1, 0, half);
    const second = cycleFit(y, period, 1, half, n);
    if (!first || !second) continue;
    const [a1, b1] = [first.beta[1]!, first.beta[2]!];
    const [a2, b2] = [second.beta[1]!, second.beta[2]!];
    const r1 = Math.hypot(a1, b1);
    const r2 = Math.hypot(a2, b2);
    const cosine = (a1 * a2 + b1 * b2) / (r1 * r2 || 1);
    if (cosine < 0.8 || r1 / r2 > 2 || r2 / r1 > 2) continue;
    out.push({ periodSteps: period * block, explained: Math.min(1, s / total) });
  }
  return out.sort((p, q) => q.explained - p.explained);
}
