/**
 * What the runner returns, as the TypeScript side accepts it. Every reply from the Python
 * process is parsed with these schemas (untrusted input: it ran model code).
 */
import { z } from 'zod';
import { detectorScoresSchema } from '../anomaly/schema.js';
import type { PreparedMeta } from '../data/prepared.js';

export const taskSchema = z.enum(['forecasting', 'anomaly']);
export type Task = z.infer<typeof taskSchema>;

/** Shapes a model is built and checked against. */
export const modelDimsSchema = z.object({
  task: taskSchema,
  lookback: z.number().int().positive(),
  horizon: z.number().int().positive(),
  nFeatures: z.number().int().positive(),
  /**
   * The dataset's period in rows (the EDA's dominant period, or the user's): the modulus of the
   * `cycle_index` extra input and the value of a `cycle_len` constructor parameter the search did
   * not pick (docs/model-contract.md, "Extra inputs"). Absent: none known.
   */
  period: z.number().int().min(1).max(1_000_000).optional(),
});
export type ModelDims = z.infer<typeof modelDimsSchema>;

export const policyViolationSchema = z.object({
  line: z.number().int(),
  col: z.number().int(),
  rule: z.string(),
  message: z.string(),
});
export type PolicyViolation = z.infer<typeof policyViolationSchema>;

export const validationStageSchema = z.enum([
  'policy', // static AST policy refused the source
  'syntax', // the source does not parse
  'load', // executing the module failed, or no `class Model`
  'construct', // Model(...) raised
  'forward', // forward raised
  'shape', // output not (B, H, C) and not mappable
  'finite', // NaN/Inf in output or loss
  'gradient', // some trainable parameter got no gradient, or no parameters
  'budget', // parameter count over budget
  'search_space', // SEARCH_SPACE is not a valid literal space
  'timeout', // wall clock or CPU limit hit
  'resource', // memory, file size or process limits hit
  'ok',
]);

export const validationReportSchema = z.object({
  ok: z.boolean(),
  stage: validationStageSchema,
  message: z.string(),
  violations: z.array(policyViolationSchema).max(200),
  /** Trimmed to the model's own frames. */
  traceback: z.string().max(20_000).nullable(),
  errorLine: z.number().int().nullable(),
  expectedShape: z.array(z.number().int()),
  outputShape: z.array(z.number().int()).nullable(),
  projection: z.object({ kind: z.string(), detail: z.string() }).nullable(),
  params: z.number().int().nullable(),
  latencyMs: z.number().nullable(),
  searchSpace: z.record(z.string(), z.array(z.unknown())).nullable(),
  durationMs: z.number(),
  /** false when the operator allowed running without bubblewrap; absent from older runners. */
  sandboxed: z.boolean().optional(),
});
export type ValidationReport = z.infer<typeof validationReportSchema>;

/** The seam the architect and the tools validate through; the runner client implements it. */
export interface Validator {
  /** `admission`: a tool call may be refused with runner.busy when every runner slot is taken; a job waits. */
  validate(code: string, dims: ModelDims, options?: { paramBudget?: number; signal?: AbortSignal; admission?: 'call' | 'job' }): Promise<ValidationReport>;
}

// ---------------------------------------------------------------------------------------------
// Training, evaluation, latency and export: what callers pass in and what the runner returns.
// ---------------------------------------------------------------------------------------------

export const deviceSchema = z.enum(['auto', 'cpu', 'cuda']);
export type Device = z.infer<typeof deviceSchema>;

/** A hyperparameter value: SEARCH_SPACE entries and constructor arguments are scalars only. */
export const scalarSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof scalarSchema>;

/** Dyn-RevIN switch: off, on (affine), or on with an explicit affine choice. */
export const revinSchema = z.union([z.boolean(), z.object({ affine: z.boolean() })]);
export type RevinOption = z.infer<typeof revinSchema>;

/** One model as the runner builds it: the source, the shapes, constructor overrides and wrappers. */
export interface ModelSpec {
  code: string;
  dims: ModelDims;
  /** Constructor arguments by name (SEARCH_SPACE picks); unknown names are an error. */
  hyper?: Record<string, Scalar>;
  revin?: RevinOption;
}

/**
 * A prepared dataset on disk (engine/data/prepared.ts): `valuesPath` holds float32 LE
 * [rows, columns] z-scored values; `labelsPath` optional uint8 [rows]. The directory of each file
 * is bound read-only into the sandbox.
 */
export interface DataRef {
  valuesPath: string;
  labelsPath?: string;
  meta: PreparedMeta;
  /** For metadata.json of exports. */
  name?: string;
}

export const trainOptionsSchema = z.object({
  epochs: z.number().int().min(1).max(10_000).default(30),
  batchSize: z.number().int().min(1).max(65_536).default(64),
  lr: z.number().positive().default(1e-3),
  weightDecay: z.number().min(0).default(1e-4),
  /** Early-stopping patience in epochs (best weights are restored). */
  patience: z.number().int().min(1).default(5),
  plateauPatience: z.number().int().min(0).default(3),
  plateauFactor: z.number().positive().max(1).default(0.5),
  /** Default: MAE for forecasting, MSE for anomaly detection. */
  loss: z.enum(['mae', 'mse']).optional(),
  seed: z.number().int().min(0).default(0),
  /** Subsample training windows per epoch (large datasets, quick trials). */
  maxTrainWindows: z.number().int().positive().optional(),
  /** Stop after the epoch that crosses this many seconds of training. */
  timeBudgetS: z.number().positive().optional(),
});
export type TrainOptions = z.input<typeof trainOptionsSchema>;

export interface RunOptions {
  /** Torch device; defaults to the client's. */
  device?: Device;
  /** torch.set_num_threads; defaults to the client's. */
  threads?: number;
  /** Overrides the client's wall-clock limit for this call. */
  timeoutS?: number;
  signal?: AbortSignal;
}

export interface TrainSpec extends ModelSpec {
  data: DataRef;
  /** Host directory the runner may write (weights.pt, build.json); created if missing. */
  workDir: string;
  train?: TrainOptions;
}

export const projectionSchema = z.object({ kind: z.string().max(100), detail: z.string().max(2000) });
export type Projection = z.infer<typeof projectionSchema>;

/** Streamed once per epoch while training. */
export const epochEventSchema = z.object({
  type: z.literal('event'),
  event: z.literal('epoch'),
  epoch: z.number().int(),
  train_loss: z.number().nullable(),
  val_loss: z.number().nullable(),
  val_mse: z.number().nullable(),
  lr: z.number(),
  elapsed: z.number(),
  best: z.boolean(),
});
export type EpochEvent = z.infer<typeof epochEventSchema>;

/** Other progress notes the runner streams (model built, data windows, warnings). */
export const infoEventSchema = z.object({
  type: z.literal('event'),
  event: z.literal('info'),
  message: z.string().max(10_000),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type InfoEvent = z.infer<typeof infoEventSchema>;
/** Causal evaluation: one window's prediction, float32 [1, H, C] in base64. */
export const predEventSchema = z.object({ type: z.literal('event'), event: z.literal('pred'), seq: z.number().int(), y: z.string().max(8 * 1024 * 1024) });
export type PredEvent = z.infer<typeof predEventSchema>;
export type RunnerEvent = EpochEvent | InfoEvent | PredEvent;

export const trainResultSchema = z.object({
  epochs: z.number().int(),
  bestEpoch: z.number().int(),
  bestValLoss: z.number().nullable(),
  /** Why training ended. */
  stopReason: z.enum(['early_stopping', 'pruned', 'max_epochs', 'time_budget']),
  trainTimeS: z.number(),
  /**
   * Seconds of the epoch loop (training, validation, the host's scoring) as the host saw them, from
   * the trainer's start event to its last epoch; set by the host, never read from the runner.
   */
  loopS: z.number().nullable().optional(),
  /** Training windows per second, averaged over epochs (throughput). */
  samplesPerS: z.number(),
  params: z.number().int(),
  projection: projectionSchema.nullable(),
  device: z.string(),
  weightsPath: z.string(),
  history: z.array(z.object({ epoch: z.number().int(), train_loss: z.number().nullable(), val_loss: z.number().nullable(), lr: z.number() })).max(10_000),
  sandboxed: z.boolean(),
});
export type TrainResult = z.infer<typeof trainResultSchema>;

export interface EvaluateSpec extends ModelSpec {
  data: DataRef;
  /** weights.pt written by train. */
  weightsPath: string;
  /** Anomaly detection: fault injection seed and fault count (default: one per 200 test rows, at least 5). */
  anomaly?: { seed?: number; faults?: number };
  batchSize?: number;
}

export const forecastMetricsSchema = z.object({
  task: z.literal('forecasting'),
  mse: z.number(),
  mae: z.number(),
  rmse: z.number(),
  maeOriginal: z.number(),
  rmseOriginal: z.number(),
  /** Original-unit errors of the target column only. */
  targetMaeOriginal: z.number().nullable(),
  targetRmseOriginal: z.number().nullable(),
  windows: z.number().int(),
  /** Scaled MSE at each horizon step 1..H, averaged over channels and windows. */
  horizonMse: z.array(z.number()).max(100_000).optional(),
  /**
   * The last test window in original units (forecast-vs-truth plots): the target channel, plus
   * every channel ([channel][step]) when that is small enough to store.
   */
  sample: z
    .object({
      channel: z.number().int(),
      start: z.number().int(),
      history: z.array(z.number()).max(100_000),
      truth: z.array(z.number()).max(100_000),
      prediction: z.array(z.number()).max(100_000),
      channels: z.object({ history: z.array(z.array(z.number())), truth: z.array(z.array(z.number())), prediction: z.array(z.array(z.number())) }).optional(),
    })
    .optional(),
});
export const anomalyMetricsSchema = z.object({
  task: z.literal('anomaly'),
  labels: z.enum(['injected', 'dataset']),
  cleanMse: z.number(),
  anomalousMse: z.number().nullable(),
  ratio: z.number().nullable(),
  rocAuc: z.number().nullable(),
  prAuc: z.number().nullable(),
  /** Oracle F1: the best over thresholds chosen on the test rows themselves (optimistic; for reference only). */
  bestF1: z.number().nullable(),
  bestThreshold: z.number().nullable(),
  /**
   * Honest scores (absent in older reports): threshold from validation only, VUS-PR, point-wise F1
   * without adjustment, event recall, no-skill values; of the error in scaled units and in original units.
   */
  scores: detectorScoresSchema.optional(),
  scoresOriginal: detectorScoresSchema.optional(),
  /** Test-row scores for the score-over-time chart: downsampled points (row offsets, scores) and the labelled windows. */
  trace: z
    .object({
      x: z.array(z.number().int()).max(5000),
      scores: z.array(z.number()).max(5000),
      windows: z.array(z.tuple([z.number().int(), z.number().int()])).max(10_000),
    })
    .optional(),
  anomalousRows: z.number().int(),
  rows: z.number().int(),
  faults: z.array(z.object({ kind: z.string(), channel: z.number().int(), start: z.number().int(), length: z.number().int() })).max(10_000),
});
export const evaluateResultSchema = z.object({
  metrics: z.discriminatedUnion('task', [forecastMetricsSchema, anomalyMetricsSchema]),
  /** Causal validation score (host-computed), what a study selects by; loss is MAE (forecasting) or MSE (anomaly). */
  validation: z.object({ loss: z.number().nullable(), mae: z.number().nullable(), mse: z.number().nullable(), windows: z.number().int() }).optional(),
  params: z.number().int(),
  evalTimeS: z.number(),
  device: z.string(),
  sandboxed: z.boolean(),
});
export type ForecastMetrics = z.infer<typeof forecastMetricsSchema>;
export type AnomalyMetrics = z.infer<typeof anomalyMetricsSchema>;
export type EvaluateResult = z.infer<typeof evaluateResultSchema>;

export interface LatencySpec extends ModelSpec {
  /** Optional trained weights; latency does not depend on them, but this proves they load. */
  weightsPath?: string;
  batchSize?: number;
  repeats?: number;
}
export const latencyResultSchema = z.object({
  batch1MsPerSample: z.number(),
  batchedMsPerSample: z.number(),
  batchSize: z.number().int(),
  params: z.number().int(),
  device: z.string(),
  sandboxed: z.boolean(),
});
export type LatencyResult = z.infer<typeof latencyResultSchema>;

export interface ExportSpec extends ModelSpec {
  weightsPath: string;
  /** Host directory to write the model directory into (created; must be empty or missing). */
  outDir: string;
  /** Dataset facts for metadata.json. */
  data: { name?: string; meta: PreparedMeta };
  metrics?: Record<string, unknown>;
  /** ONNX opset, default 17 (>= 13). */
  opset?: number;
}
/**
 * A weighted ensemble of trained trials, run as one module (python ensemble.py): each member sees
 * the last `lookback` rows of the ensemble's window (the longest member lookback).
 */
export interface EnsembleSpec {
  members: Array<ModelSpec & { weightsPath: string }>;
  /** One weight per member (the host's Caruana selection: non-negative, summing to 1). */
  weights: number[];
}

export interface EnsembleExportSpec extends EnsembleSpec {
  outDir: string;
  data: { name?: string; meta: PreparedMeta };
  metrics?: Record<string, unknown>;
  /** Who the members are, for metadata.json and USAGE.md (arch and trial of each). */
  describe: Array<{ arch: string; trial: number }>;
  opset?: number;
}

export const exportFileSchema = z.object({ name: z.string().max(200), bytes: z.number().int() });
export const exportResultSchema = z.object({
  dir: z.string(),
  files: z.array(exportFileSchema).max(50),
  roundTrip: z.object({
    /** Reloaded through genautoml_wrapper.py; null for an ensemble, which ships no wrapper. */
    stateDictMaxAbsDiff: z.number().nullable(),
    torchscriptMaxAbsDiff: z.number().nullable(),
    onnxMaxAbsDiff: z.number().nullable(),
    torchscriptMode: z.enum(['trace', 'script']).nullable(),
    onnxChecked: z.boolean(),
    ok: z.boolean(),
  }),
  errors: z.array(z.string().max(5000)).max(20),
  sandboxed: z.boolean(),
});
export type ExportResult = z.infer<typeof exportResultSchema>;

export const environmentInfoSchema = z.object({
  python: z.string(),
  pythonVersion: z.string().nullable(),
  torchVersion: z.string().nullable(),
  numpyVersion: z.string().nullable(),
  onnxVersion: z.string().nullable(),
  cudaAvailable: z.boolean(),
  cudaDevice: z.string().nullable(),
  device: z.string(),
  bwrap: z.string().nullable(),
  sandbox: z.enum(['bwrap', 'unsandboxed', 'unavailable']),
  /** The seccomp filter as the probe found it: "on", "off" (operator opt-out) or null (not probed). */
  seccomp: z.string().max(200).nullable().optional(),
  error: z.string().nullable(),
});
export type EnvironmentInfo = z.infer<typeof environmentInfoSchema>;
