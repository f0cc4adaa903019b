/**
 * What the runner returns, as the TypeScript side accepts it. Every reply from the Python
 * process is parsed with these schemas (untrusted input: it ran model code).
 */
import { z } from 'zod';

export const taskSchema = z.enum(['forecasting', 'anomaly']);
export type Task = z.infer<typeof taskSchema>;

/** Shapes a model is built and checked against. */
export const modelDimsSchema = z.object({
  task: taskSchema,
  lookback: z.number().int().positive(),
  horizon: z.number().int().positive(),
  nFeatures: z.number().int().positive(),
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
});
export type ValidationReport = z.infer<typeof validationReportSchema>;

/** The seam the architect and the tools validate through; the runner client implements it. */
export interface Validator {
  validate(code: string, dims: ModelDims, options?: { paramBudget?: number; signal?: AbortSignal }): Promise<ValidationReport>;
}
