/**
 * Eigen-decomposition of a small dense symmetric matrix by cyclic Jacobi rotations: slow for big
 * matrices but exact to rounding and without dependencies; PCA baselines use D ≤ 192.
 */

/** Eigenvalues and eigenvectors (column i of `vectors`, row-major D×D) of symmetric `a` (D×D, row-major). */
export function symmetricEigen(a: Float64Array, D: number, maxSweeps = 60): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(D * D);
  for (let i = 0; i < D; i++) V[i * D + i] = 1;
  let scale = 0;
  for (let i = 0; i < D * D; i++) scale += A[i]! * A[i]!;
  const tol = 1e-22 * Math.max(scale, 1e-300);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < D; p++) for (let q = p + 1; q < D; q++) off += A[p * D + q]! * A[p * D + q]!;
    if (off <= tol) break;
    for (let p = 0; p < D; p++) {
      for (let q = p + 1; q < D; q++) {
        const apq = A[p * D + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = A[p * D + p]!;
        const aqq = A[q * D + q]!;
        // Rotation angle that zeroes A[p][q] (the smaller root, for stability).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < D; k++) {
          const akp = A[k * D + p]!;
          const akq = A[k * D + q]!;
          A[k * D + p] = c * akp - s * akq;
          A[k * D + q] = s * akp + c * akq;
        }
        for (let k = 0; k < D; k++) {
          const apk = A[p * D + k]!;
          const aqk = A[q * D + k]!;
          A[p * D + k] = c * apk - s * aqk;
          A[q * D + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < D; k++) {
          const vkp = V[k * D + p]!;
          const vkq = V[k * D + q]!;
          V[k * D + p] = c * vkp - s * vkq;
          V[k * D + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(D);
  for (let i = 0; i < D; i++) values[i] = A[i * D + i]!;
  return { values, vectors: V };
}
