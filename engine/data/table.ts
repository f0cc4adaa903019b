/**
 * The column table every parser produces and every later stage reads. Numeric columns are
 * Float64Array with NaN for missing cells, so the hot path never allocates per cell; text columns
 * keep their strings because they are either timestamps (parsed once, later) or get dropped.
 * Parquet timestamps arrive already as epoch milliseconds and are marked `time`.
 */
import type { RawText } from './timestamps.js';

export type Column =
  | { name: string; kind: 'number'; values: Float64Array; /** non-empty cells that did not parse */ invalid: number }
  | { name: string; kind: 'text'; values: string[]; /** byte offsets into the file (CSV fast path) */ raw?: RawText }
  | { name: string; kind: 'time'; values: Float64Array };

export interface ColumnTable {
  columns: Column[];
  rows: number;
  /** Repairs and oddities noticed while parsing, in words. */
  warnings: string[];
}

export type SourceFormat = 'csv' | 'parquet' | 'json';
