/** The prepared series as the host holds it for scoring (loaded by scoring.ts loadSeries). */
import type { PreparedMeta } from '../data/prepared.js';

/** The prepared values (float32 [rows, C]) as the host holds them. */
export interface Series {
  values: Float32Array;
  rows: number;
  C: number;
  meta: PreparedMeta;
  labels: Uint8Array | null;
  /** Prefix sums of rows with a non-finite value. */
  missing: Int32Array;
}
