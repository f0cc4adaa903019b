/**
 * What an operation (train, evaluate, latency, export) may use of the runner client: the one
 * staged call every operation goes through, and the limits and defaults from the frozen config.
 */
import { GenAutoMLError } from '../../errors.js';
import type { AdmissionMode } from '../admission.js';
import type { RunnerProcess } from '../process.js';
import type { ReadyMessage } from '../protocol.js';
import type { ExpectedOutput, StagedInput } from '../staging.js';
import { modelDimsSchema, type Device, type ModelDims, type RevinOption, type RunOptions, type RunnerEvent, type Scalar } from '../types.js';

export type Kind = 'validate' | 'trial';

/** How a call waits for a runner slot: a tool call may be refused with runner.busy, a job waits. */
export interface AdmissionCallOptions {
  admission?: AdmissionMode;
}

/** The options of evaluate, latency and export. */
export type OperationOptions = RunOptions & AdmissionCallOptions & { policy?: boolean };

/** One sandboxed call: inputs in, a request, and the outputs the host expects copied out. */
export interface StagedCall {
  kind: Kind;
  what: string;
  inputs: StagedInput[];
  timeoutS: number;
  gpu: boolean;
  threads?: number;
  signal?: AbortSignal;
  onEvent?: (e: RunnerEvent, scratch: string) => void;
  attach?: (p: RunnerProcess) => void;
  request: (paths: string[], scratch: string) => Record<string, unknown>;
  outputs?: { expected: ExpectedOutput[]; dest: string };
  /** Awaited after the result, before outputs are copied and the scratch directory goes. */
  settle?: () => Promise<void>;
  /** How this call waits for a runner slot (default: a job, which always waits). */
  admission?: AdmissionMode;
}

export interface StagedResult {
  data: unknown;
  files: Array<{ name: string; bytes: number }>;
  sandboxed: boolean;
  ready: ReadyMessage;
}

/** The runner client as an operation sees it (RunnerClient builds one). */
export interface StagedRunner {
  staged(c: StagedCall, trusted?: boolean): Promise<StagedResult>;
  /** A caller may shorten a limit for one call, never lengthen it past the configured one. */
  timeout(kind: Kind, requested: number | undefined, cap?: number): number;
  usesGpu(device: Device | undefined): boolean;
  /** policy, device and threads of a request, the call's or the configured ones. */
  common(options: RunOptions & { policy?: boolean }): Record<string, unknown>;
  fsizeMb(kind: Kind): number;
  /** Reads one file the sandbox wrote into its scratch directory (staging.ts checks it). */
  readScratch(dir: string, expected: ExpectedOutput): Promise<Buffer | null>;
  readonly paramBudget: number;
  readonly device: Device;
  readonly threads: number;
}

export function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

export function modelFields(spec: { code: string; dims: ModelDims; hyper?: Record<string, Scalar>; revin?: RevinOption }): Record<string, unknown> {
  return { code: spec.code, dims: modelDimsSchema.parse(spec.dims), hyper: spec.hyper ?? {}, revin: spec.revin ?? false };
}

export function parseOrThrow<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, v: unknown, op: string): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new GenAutoMLError('runner.protocol', `invalid ${op} result from the runner: ${r.error.message.slice(0, 1500)}`);
  return r.data;
}
