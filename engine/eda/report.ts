/**
 * The EDA report: plain JSON (no NaN; undefined numbers are null) so it can be stored as an
 * artefact, returned over MCP and fed to an LLM. The zod schema is the contract for all three.
 */
import { z } from 'zod';
import { splitLabelCountsSchema } from '../data/label-windows.js';

const num = z.number().nullable();

export const stationarityVerdictSchema = z.enum([
  'stationary',
  'unit-root',
  'trend-stationary',
  'difference-stationary',
  'constant',
  'too-short',
]);
export type StationarityVerdict = z.infer<typeof stationarityVerdictSchema>;

export const periodSchema = z.object({
  /** Period in samples (snapped to an integer when within 2%). */
  steps: z.number(),
  /** Period in milliseconds; null when the dataset has no regular frequency. */
  ms: z.number().nullable(),
  /** Human form, e.g. `24 h`, `7 d`, `12 months`, or `12 steps` without a frequency. */
  label: z.string(),
  /** Share of the detrended variance near this spectral peak and its harmonics (0..1). */
  powerShare: z.number(),
  /**
   * Peak power over the median of its spectral neighbourhood; ≥ 20 to be reported. 0 for a cycle
   * with too few repeats for a spectral peak, found by fitting instead (`source: "fit"`).
   */
  prominence: z.number(),
  /** Share of the detrended variance a cycle of this period (with harmonics) explains; periods are ranked by it. */
  explainedVariance: z.number().optional(),
  /** How it was found: a spectral peak, or a sinusoid fit for cycles with few repeats. */
  source: z.enum(['spectrum', 'fit']).optional(),
});
export type Period = z.infer<typeof periodSchema>;

export const featureEdaSchema = z.object({
  name: z.string(),
  stats: z.object({
    count: z.number().int(),
    missing: z.number().int(),
    mean: num,
    std: num,
    min: num,
    q25: num,
    median: num,
    q75: num,
    max: num,
    skewness: num,
    kurtosis: num,
  }),
  volatility: z.object({ diffStd: num, ratio: num, cv: num }),
  stationarity: z.object({
    /** Points the tests ran on (the last `points` of the analysed range). */
    points: z.number().int(),
    adf: z
      .object({
        statistic: z.number(),
        pValue: z.number(),
        usedLag: z.number().int(),
        nobs: z.number().int(),
        criticalValues: z.object({ '1%': z.number(), '5%': z.number(), '10%': z.number() }),
      })
      .nullable(),
    kpss: z
      .object({
        statistic: z.number(),
        pValue: z.number(),
        pValueBound: z.enum(['above', 'below']).nullable(),
        lags: z.number().int(),
      })
      .nullable(),
    verdict: stationarityVerdictSchema,
    explanation: z.string(),
  }),
  seasonality: z.object({
    dominantPeriods: z.array(periodSchema),
    /** ACF at lags 0..acf.length-1. */
    acf: z.array(z.number()),
    /** Bartlett 95% half-width per lag (0 at lag 0). */
    acfBand: z.array(z.number()),
    trendStrength: num,
    seasonalStrength: num,
    /** Period (samples) used for the decomposition behind the strengths. */
    decompositionPeriod: z.number().int().nullable(),
  }),
  outliers: z.object({
    robustZ: z.object({ threshold: z.number(), count: z.number().int(), mad: num }),
    iqr: z.object({ k: z.number(), lower: num, upper: num, count: z.number().int() }),
    top: z.array(z.object({ index: z.number().int(), time: z.string().nullable(), value: z.number(), robustZ: z.number() })),
  }),
});
export type FeatureEda = z.infer<typeof featureEdaSchema>;

export const correlationPairSchema = z.object({ a: z.string(), b: z.string(), r: z.number() });
export type CorrelationPair = z.infer<typeof correlationPairSchema>;

export const edaReportSchema = z.object({
  version: z.literal(1),
  dataset: z.object({
    rows: z.number().int(),
    columns: z.array(z.string()),
    target: z.string(),
    frequencyMs: z.number().nullable(),
    frequencyLabel: z.string().nullable(),
    start: z.string(),
    end: z.string(),
    /** Which rows were analysed: every split, or the training split only. */
    scope: z.enum(['all', 'train']),
    range: z.tuple([z.number().int(), z.number().int()]),
    /** Anomaly-labelled rows and events (runs of labelled rows) per split; absent when unlabelled. */
    labels: splitLabelCountsSchema.optional(),
  }),
  features: z.array(featureEdaSchema),
  correlation: z.object({
    columns: z.array(z.string()),
    matrix: z.array(z.array(num)),
    /** Off-diagonal pairs by |r|, strongest first (at most 10). */
    topPairs: z.array(correlationPairSchema),
  }),
  /** Short paragraph describing the data for the LLM architect's prompt. */
  context: z.string(),
  /** Where the analysis was capped or approximated, in words. */
  notes: z.array(z.string()),
});
export type EdaReport = z.infer<typeof edaReportSchema>;
