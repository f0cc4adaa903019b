/**
 * The prepared-dataset format shared by ingestion (TypeScript) and the model runner (Python).
 *
 * values: float32 little-endian, row-major [rows, columns.length], z-scored with train statistics.
 * times:  float64 little-endian epoch milliseconds, [rows] (the regular grid after preparation).
 * labels: optional uint8 [rows], 1 = anomalous, when the source had a label column.
 * Splits are half-open row ranges over the whole array; validation and test windows may read up
 * to `lookback` rows before their split start, so each target row in a split is evaluated once.
 */
import { z } from 'zod';

export const splitRangeSchema = z.tuple([z.number().int().min(0), z.number().int().min(0)]);

export const preparedMetaSchema = z.object({
  formatVersion: z.literal(1),
  rows: z.number().int().positive(),
  columns: z.array(z.string()).min(1),
  target: z.string(),
  /** Grid step in ms; for a calendar grid (below) the unit's mean length, e.g. 30.44 days. */
  frequencyMs: z.number().positive().nullable(),
  /**
   * Present when the grid is calendar-made: consecutive rows are `step` months, quarters, years
   * or business days apart, and `times` hold the exact dates. Absent = a fixed step.
   */
  calendar: z.object({ unit: z.enum(['month', 'quarter', 'year', 'business_day']), step: z.number().int().positive() }).optional(),
  start: z.string(),
  end: z.string(),
  splits: z.object({ train: splitRangeSchema, val: splitRangeSchema, test: splitRangeSchema }),
  scaler: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  hasLabels: z.boolean(),
  /**
   * Half-open row ranges where some value is NaN because a gap was longer than the fill cap
   * (never bridged by invention). Windows overlapping them must be skipped. Absent = none.
   */
  gaps: z.array(splitRangeSchema).optional(),
});
export type PreparedMeta = z.infer<typeof preparedMetaSchema>;

export interface PreparedDataset {
  meta: PreparedMeta;
  values: Float32Array;
  times: Float64Array;
  labels?: Uint8Array;
}
