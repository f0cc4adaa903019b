/** Stored form of a detector's anomaly scores (engine/anomaly/metrics.ts DetectorScores). */
import { z } from 'zod';

const n = z.number().nullable();
export const detectorScoresSchema = z.object({
  rows: z.number().int(),
  labelledRows: z.number().int(),
  events: z.number().int(),
  labelRate: z.number(),
  prAuc: n,
  rocAuc: n,
  vusPr: n,
  vusRoc: n,
  vusBuffer: z.number().int(),
  threshold: z.object({ value: z.number(), rule: z.enum(['val_best_f1', 'val_quantile']), quantile: n }),
  f1: n,
  precision: n,
  recall: n,
  eventRecall: n,
  flaggedRows: z.number().int(),
  noSkill: z.object({ prAuc: n, rocAuc: n, vusPr: n, f1: n }),
});
export type StoredDetectorScores = z.infer<typeof detectorScoresSchema>;
