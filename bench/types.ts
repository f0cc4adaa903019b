/** One measured row of `npm run bench`; every area's bench module returns a list of these. */
export interface BenchResult {
  /** Area and case, e.g. `ingest/etth1`. */
  name: string;
  /** Measured numbers with units in the key: `wall_s`, `rows_per_s`, `peak_rss_mb`, `test_mse`. */
  metrics: Record<string, number>;
  /** The target in words, e.g. `wall_s < 0.5`. */
  target?: string;
  /** Whether the target was met; absent when there is no target. */
  pass?: boolean;
  notes?: string;
}

export type BenchModule = () => Promise<BenchResult[]>;
