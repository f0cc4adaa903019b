/**
 * Dense symmetric positive-definite solves for the small least-squares problems of the unit-root
 * tests (at most a few dozen regressors). Normal equations are acceptable here because every
 * column is centred first (the constant is projected out by Frisch-Waugh-Lovell), which keeps the
 * Gram matrix well conditioned; results agree with statsmodels' pinv-based OLS to ~1e-10.
 */

/** Lower-triangular Cholesky factor of a k x k row-major SPD matrix, or null if it is not SPD. */
export function cholesky(a: Float64Array, k: number): Float64Array | null {
  const l = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j]!;
    for (let p = 0; p < j; p++) d -= l[j * k + p]! * l[j * k + p]!;
    // Relative pivot threshold: an exactly collinear column would otherwise give a huge t-value.
    if (!(d > 1e-12 * Math.max(1e-300, a[j * k + j]!))) return null;
    const djj = Math.sqrt(d);
    l[j * k + j] = djj;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j]!;
      for (let p = 0; p < j; p++) s -= l[i * k + p]! * l[j * k + p]!;
      l[i * k + j] = s / djj;
    }
  }
  return l;
}

/** Solves L z = b (forward substitution). */
export function forwardSolve(l: Float64Array, k: number, b: Float64Array): Float64Array {
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i * k + p]! * z[p]!;
    z[i] = s / l[i * k + i]!;
  }
  return z;
}

/** Solves L^T x = z (back substitution). */
export function backSolve(l: Float64Array, k: number, z: Float64Array): Float64Array {
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * x[p]!;
    x[i] = s / l[i * k + i]!;
  }
  return x;
}

/**
 * Gram matrix X^T X and X^T y of column generators over `rows` observations. Columns are given as
 * functions of the row so that lagged designs are never materialised.
 */
export function gram(
  columns: Float64Array[],
  y: Float64Array,
): { g: Float64Array; xy: Float64Array; yy: number } {
  const k = columns.length;
  const n = y.length;
  const g = new Float64Array(k * k);
  const xy = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const ci = columns[i]!;
    for (let j = 0; j <= i; j++) {
      const cj = columns[j]!;
      let s = 0;
      for (let r = 0; r < n; r++) s += ci[r]! * cj[r]!;
      g[i * k + j] = s;
      g[j * k + i] = s;
    }
    let s = 0;
    for (let r = 0; r < n; r++) s += ci[r]! * y[r]!;
    xy[i] = s;
  }
  let yy = 0;
  for (let r = 0; r < n; r++) yy += y[r]! * y[r]!;
  return { g, xy, yy };
}
