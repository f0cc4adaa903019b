/**
 * Long tables (`id, timestamp, value`: one row per series and time) to wide (one column per id).
 * Ids become columns in order of first appearance; a time missing for an id is NaN, and several
 * rows for the same (id, time) are averaged and counted.
 */
export interface Pivoted {
  times: Float64Array;
  names: string[];
  columns: Float64Array[];
  /** Rows merged because the same id and time appeared more than once. */
  duplicates: number;
}

export function pivotLong(times: Float64Array, ids: string[], values: Float64Array): Pivoted {
  const n = times.length;
  const idIndex = new Map<string, number>();
  const idOf = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const key = (ids[i] as string).trim();
    let k = idIndex.get(key);
    if (k === undefined) {
      k = idIndex.size;
      idIndex.set(key, k);
    }
    idOf[i] = k;
  }
  const unique = Float64Array.from(new Set(times)).sort();
  const rowOf = new Map<number, number>();
  unique.forEach((t, r) => rowOf.set(t, r));
  const w = idIndex.size;
  const sums = Array.from({ length: w }, () => new Float64Array(unique.length));
  const counts = Array.from({ length: w }, () => new Uint32Array(unique.length));
  const seen = Array.from({ length: w }, () => new Uint8Array(unique.length));
  let duplicates = 0;
  for (let i = 0; i < n; i++) {
    const r = rowOf.get(times[i] as number) as number;
    const k = idOf[i] as number;
    const seenK = seen[k] as Uint8Array;
    if (seenK[r]) duplicates++;
    seenK[r] = 1;
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    (sums[k] as Float64Array)[r] = ((sums[k] as Float64Array)[r] as number) + v;
    (counts[k] as Uint32Array)[r] = ((counts[k] as Uint32Array)[r] as number) + 1;
  }
  const columns = sums.map((s, k) => {
    const c = counts[k] as Uint32Array;
    for (let r = 0; r < s.length; r++) s[r] = c[r] ? (s[r] as number) / (c[r] as number) : NaN;
    return s;
  });
  return { times: unique, names: [...idIndex.keys()], columns, duplicates };
}
