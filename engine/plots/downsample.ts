/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the visual shape of a line, peaks
 * included, with a fixed number of points, so a chart of a million rows costs the same as one of
 * a thousand.
 */
export function lttb(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): number[] {
  const n = Math.min(x.length, y.length);
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket: the third vertex of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(n, Math.floor((i + 2) * every) + 1);
    let ax = 0;
    let ay = 0;
    let cnt = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      const yj = y[j]!;
      if (!Number.isFinite(yj)) continue;
      ax += x[j]!;
      ay += yj;
      cnt++;
    }
    if (cnt > 0) {
      ax /= cnt;
      ay /= cnt;
    } else {
      ax = x[Math.min(n - 1, nextStart)]!;
      ay = y[a]!;
    }
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const px = x[a]!;
    const py = y[a]!;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const yj = y[j]!;
      if (!Number.isFinite(yj)) continue;
      const area = Math.abs((px - ax) * (yj - py) - (px - x[j]!) * (ay - py));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}
