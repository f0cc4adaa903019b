/**
 * Small numeric helpers shared by the EDA modules. Everything works in Float64: inputs arrive as
 * float32 z-scores, and statistics such as sums of squares lose too much precision in float32.
 */

/** Arithmetic mean of finite values; NaN when there are none. */
export function mean(x: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n === 0 ? NaN : s / n;
}

/** Variance with `ddof` degrees of freedom removed (two-pass, so large offsets do not cancel). */
export function variance(x: ArrayLike<number>, ddof = 1): number {
  const m = mean(x);
  let s = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) {
      s += (v - m) * (v - m);
      n++;
    }
  }
  return n - ddof <= 0 ? NaN : s / (n - ddof);
}

/**
 * Quantile of an ascending-sorted array with linear interpolation between order statistics
 * (Hyndman & Fan type 7, numpy's and pandas' default), so quartiles match what users see elsewhere.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (h - lo) * (b - a);
}

/** Finite values copied and sorted ascending. */
export function sortedFinite(x: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]!)) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) out[j++] = v;
  }
  return out.sort();
}

/**
 * erfc(x) to ~1e-15 relative accuracy: Taylor series of erf for small |x|, Lentz's continued
 * fraction for the tail. Written out rather than using a short rational approximation because
 * p-values are compared against statsmodels (scipy) to many digits.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum_k (-1)^k x^(2k+1) / (k! (2k+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let k = 1; k < 200; k++) {
      term *= -x2 / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** Standard normal cumulative distribution function. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Polynomial c[0] + c[1] x + c[2] x^2 + ... by Horner's rule. */
export function polyval(coefficients: readonly number[], x: number): number {
  let acc = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) acc = acc * x + coefficients[i]!;
  return acc;
}

/** The number if finite, otherwise null: JSON has no NaN or Infinity. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * Replaces NaN gaps by carrying the last value forward (and the first value backward), so that
 * tests which need a complete series still run; the count of filled points is reported.
 */
export function fillGaps(x: Float64Array): { values: Float64Array; filled: number } {
  let filled = 0;
  let first = -1;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!)) {
      first = i;
      break;
    }
  }
  if (first < 0) return { values: x, filled: 0 };
  const out = new Float64Array(x.length);
  let last = x[first]!;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) last = v;
    else filled++;
    out[i] = Number.isFinite(v) ? v : last;
  }
  return { values: out, filled };
}
