/**
 * RunnerClient: the TypeScript face of the Python runner. Validates models (the Validator seam),
 * trains with streamed epoch events, evaluates on the test split, measures latency and exports.
 * Every call runs in a fresh, sandboxed Python process; validations use a warm pool.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { withOsErrors } from '../ops/os-errors.js';
import { pythonPath, type Config } from '../config.js';
import { GenAutoMLError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { WarmPool } from './pool.js';
import { RunnerPool, defaultRunnerSlots, unboundedAdmission, type AdmissionMode, type KeepUntil, type RunnerAdmission } from './admission.js';
import { RunnerFailure, RunnerProcess, failureToError, type ProcessFailure } from './process.js';
import type { ReadyMessage, ResultMessage } from './protocol.js';
import { Environment } from './environment.js';
import { hasNvidiaDevice, planCommand, type Limits } from './sandbox.js';
import { buildRecordSchema, metadataJson, usageMarkdown, type ExportFacts } from './exportfiles.js';
import { Staging, watchScratch, type ExpectedOutput, type StagedInput } from './staging.js';
import { checkTensorFile } from './tensors.js';
import { anomalyMetrics, cutRows, defaultFaultCount, forecastMetrics, injectFaults, loadSeries, scoreWindows, windowInput, windowStarts } from './scoring.js';
import {
  environmentInfoSchema,
  evaluateResultSchema,
  exportResultSchema,
  latencyResultSchema,
  modelDimsSchema,
  trainOptionsSchema,
  trainResultSchema,
  validationReportSchema,
  type Device,
  type EnvironmentInfo,
  type EvaluateResult,
  type EvaluateSpec,
  type ExportResult,
  type ExportSpec,
  type LatencyResult,
  type LatencySpec,
  type ModelDims,
  type RevinOption,
  type RunOptions,
  type RunnerEvent,
  type Scalar,
  type TrainResult,
  type TrainSpec,
  type ValidationReport,
  type Validator,
} from './types.js';

/**
 * The settings a runner obeys, from the frozen configuration (engine/config.ts: defaults, bounds
 * and meaning live there and only there). python: the interpreter with torch (pythonPath resolves
 * an unset one); runnerMemoryMb: RLIMIT_AS per process (CPU only: CUDA reserves address space it
 * never uses); paramBudget: the default budget of validate and train; validatePoolSize: warm
 * validate processes (0: none).
 */
export type RunnerSettings = Pick<Config, 'python' | 'device' | 'allowUnsandboxed' | 'runnerMemoryMb' | 'validateTimeoutS' | 'trialTimeoutS' | 'paramBudget' | 'validatePoolSize'>;

/** The settings, and how this process runs its runners. */
export interface RunnerClientOptions extends RunnerSettings {
  /** torch threads for trials (cores / worker slots); validations use at most 2. Default: the cores. */
  threads?: number;
  logger?: Logger;
  /** Where per-process scratch directories go; default <os tmpdir>/genautoml-runner. */
  scratchRoot?: string;
  /** bwrap path; null forces running without it (still refused unless allowUnsandboxed). */
  bwrap?: string | null;
  /** Run the sandbox as nobody (65534); default: when this process is root. */
  runAsNobody?: boolean;
  maxLineBytes?: number;
  killGraceMs?: number;
  /** Extra variables for the runner (e.g. CUDA_VISIBLE_DEVICES); the parent environment is never passed. */
  extraEnv?: Record<string, string>;
  /** Slots every runner process takes first (admission.ts); default: no bound. */
  admission?: RunnerAdmission;
}

/** How a call waits for a runner slot: a tool call may be refused with runner.busy, a job waits. */
export interface AdmissionCallOptions {
  admission?: AdmissionMode;
}

export interface ValidateOptions extends AdmissionCallOptions {
  paramBudget?: number;
  signal?: AbortSignal;
  hyper?: Record<string, Scalar>;
  revin?: RevinOption;
  timeoutS?: number;
  /** Tests only: skip the static policy to prove the OS layer contains what it would refuse. */
  policy?: boolean;
}

export interface TrainCallOptions extends RunOptions, AdmissionCallOptions {
  onEvent?: (e: RunnerEvent) => void;
  paramBudget?: number;
  /** Tests only (see ValidateOptions.policy). */
  policy?: boolean;
}

/** A training run in flight: await it for the result; stop() prunes, cancel() kills. */
export class TrainRun implements PromiseLike<TrainResult> {
  private proc: RunnerProcess | null = null;
  private stopWanted = false;
  private readonly abort = new AbortController();

  constructor(start: (run: TrainRun, signal: AbortSignal) => Promise<TrainResult>) {
    this.promise = start(this, this.abort.signal);
    this.promise.catch(() => undefined);
  }

  readonly promise: Promise<TrainResult>;

  /** @internal */
  attach(p: RunnerProcess): void {
    this.proc = p;
    if (this.stopWanted) p.stop();
  }

  /** Finish the current epoch, keep the best weights, and resolve (stopReason 'pruned'). */
  stop(): void {
    this.stopWanted = true;
    this.proc?.stop();
  }

  /** Kill the run (SIGTERM, then SIGKILL); the promise rejects with runner.cancelled. */
  cancel(): void {
    this.abort.abort();
  }

  then<A = TrainResult, B = never>(ok?: ((v: TrainResult) => A | PromiseLike<A>) | null, err?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.promise.then(ok, err);
  }
}

type Kind = 'validate' | 'trial';

/** One sandboxed call: inputs in, a request, and the outputs the host expects copied out. */
interface StagedCall {
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

export class RunnerClient implements Validator {
  private readonly o: Required<Omit<RunnerClientOptions, 'python' | 'bwrap' | 'extraEnv' | 'runAsNobody' | 'admission'>> & {
    python: string;
    bwrap: string | null | undefined;
    extraEnv: Record<string, string>;
    runAsNobody: boolean;
  };
  private pool: WarmPool | null = null;
  /**
   * Where each validate process may write (its probe output), host side, and, once a caller holds
   * the process, when that caller has read the probe: the directory outlives the process until then.
   */
  private readonly validateScratch = new WeakMap<RunnerProcess, { dir: string; read: Promise<void> | null }>();
  private readonly log: Logger;
  private closed = false;
  private readonly cleanups = new Set<Promise<unknown>>();
  private readonly staging: Staging;
  private readonly env: Environment;
  /** Every runner process is started holding one of its slots (validate, staged). */
  readonly admission: RunnerAdmission;

  constructor(options: RunnerClientOptions) {
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    this.o = {
      python: pythonPath(options.python),
      device: options.device,
      allowUnsandboxed: options.allowUnsandboxed,
      runnerMemoryMb: options.runnerMemoryMb,
      validateTimeoutS: options.validateTimeoutS,
      trialTimeoutS: options.trialTimeoutS,
      paramBudget: options.paramBudget,
      threads: Math.max(1, options.threads ?? cores),
      validatePoolSize: options.validatePoolSize,
      logger: options.logger ?? silentLogger,
      scratchRoot: options.scratchRoot ?? path.join(os.tmpdir(), 'genautoml-runner'),
      bwrap: options.bwrap,
      runAsNobody: options.runAsNobody ?? process.getuid?.() === 0,
      maxLineBytes: options.maxLineBytes ?? 4 * 1024 * 1024,
      killGraceMs: options.killGraceMs ?? 2000,
      extraEnv: options.extraEnv ?? {},
    };
    this.admission = options.admission ?? unboundedAdmission;
    this.log = this.o.logger.child({ component: 'runner' });
    this.staging = new Staging(this.o.scratchRoot, this.o.runAsNobody);
    this.env = new Environment({ python: this.o.python, bwrap: this.o.bwrap, runAsNobody: this.o.runAsNobody, allowUnsandboxed: this.o.allowUnsandboxed, staging: this.staging, log: this.log });
  }

  /** Built from the frozen configuration (engine/config.ts); `threads` from the worker's slots; a runner pool of its own unless `extra.admission` is given. */
  static fromConfig(config: Config, extra: Partial<RunnerClientOptions> = {}): RunnerClient {
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    return new RunnerClient({
      python: config.python,
      device: config.device,
      allowUnsandboxed: config.allowUnsandboxed,
      runnerMemoryMb: config.runnerMemoryMb,
      validateTimeoutS: config.validateTimeoutS,
      trialTimeoutS: config.trialTimeoutS,
      paramBudget: config.paramBudget,
      validatePoolSize: config.validatePoolSize,
      threads: Math.max(1, Math.floor(cores / config.workerConcurrency)),
      ...(config.cudaVisibleDevices === undefined ? {} : { extraEnv: { CUDA_VISIBLE_DEVICES: config.cudaVisibleDevices } }),
      admission: extra.admission ?? runnerPoolFromConfig(config),
      ...extra,
    });
  }

  /** Torch version, device, CUDA, sandbox state: for the server_info tool. Never throws for a missing torch. */
  async probeEnvironment(): Promise<EnvironmentInfo> {
    const { info, setup } = await this.env.base();
    if (!setup) return info;
    try {
      const gpu = this.o.device !== 'cpu' && hasNvidiaDevice();
      // The probe runs no model code; it runs sandboxed when it can, which also proves the binds work.
      const { data, ready } = await this.staged({
        kind: 'validate',
        what: 'environment probe',
        inputs: [],
        timeoutS: 120,
        gpu,
        request: () => ({ op: 'probe', device: this.o.device }),
      }, true);
      const d = data as Record<string, unknown>;
      const cuda = d['cudaAvailable'] === true;
      return environmentInfoSchema.parse({
        ...info,
        pythonVersion: d['pythonVersion'] ?? info.pythonVersion,
        torchVersion: d['torchVersion'] ?? null,
        numpyVersion: d['numpyVersion'] ?? null,
        onnxVersion: d['onnxVersion'] ?? null,
        cudaAvailable: cuda,
        cudaDevice: d['cudaDevice'] ?? null,
        device: this.o.device === 'auto' ? (cuda ? 'cuda' : 'cpu') : this.o.device,
        seccomp: typeof ready.limits['seccomp'] === 'string' ? ready.limits['seccomp'] : null,
      });
    } catch (e) {
      return { ...info, error: e instanceof Error ? e.message : String(e) };
    }
  }

  // ------------------------------------------------------------------------------------------
  // Processes
  // ------------------------------------------------------------------------------------------

  private limits(kind: Kind, gpu: boolean, threads: number, timeoutS: number): Limits {
    return {
      ...(gpu ? {} : { asMb: this.o.runnerMemoryMb }),
      // CPU seconds across all threads, plus interpreter and torch start-up.
      cpuS: Math.ceil(timeoutS * Math.max(1, threads) + 30),
      nproc: 512,
      fsizeMb: this.fsizeMb(kind),
    };
  }

  private fsizeMb(kind: Kind): number {
    return kind === 'validate' ? 64 : 2048;
  }

  /** A caller may shorten a limit for one call, never lengthen it past the configured one. */
  private timeout(kind: Kind, requested: number | undefined, cap?: number): number {
    const configured = Math.min(kind === 'validate' ? this.o.validateTimeoutS : this.o.trialTimeoutS, cap ?? Infinity);
    return requested === undefined ? configured : Math.min(requested, configured);
  }

  private async spawn(kind: Kind, p: { readOnly: string[]; gpu: boolean; scratch: string; threads?: number; timeoutS: number; trusted?: boolean }): Promise<RunnerProcess> {
    if (this.closed) throw new GenAutoMLError('runner.closed', 'the runner client is closed');
    const s = await this.env.setup();
    if (s.mode === 'unavailable' && !p.trusted) {
      throw new GenAutoMLError('sandbox.unavailable', `refusing to run untrusted model code without a sandbox: ${s.bwrapError}`, {
        hint: 'Install bubblewrap (Debian: apt-get install bubblewrap) and allow unprivileged user namespaces, or set GENAUTOML_ALLOW_UNSANDBOXED=true to accept the risk.',
        details: { bwrapError: s.bwrapError },
      });
    }
    const threads = p.threads ?? (kind === 'validate' ? Math.min(2, this.o.threads) : this.o.threads);
    const plan = planCommand({
      layout: s.layout,
      bwrap: s.bwrap,
      scratch: p.scratch,
      readOnly: [...new Set(p.readOnly)].filter((d) => d !== p.scratch),
      limits: this.limits(kind, p.gpu, threads, p.timeoutS),
      gpu: p.gpu,
      asNobody: this.o.runAsNobody && s.bwrap !== null,
      threads,
      extraEnv: this.o.extraEnv,
      seccomp: this.o.allowUnsandboxed ? 'optional' : 'required',
    });
    const proc = new RunnerProcess(plan, this.log, this.o.killGraceMs, this.o.maxLineBytes);
    watchScratch(proc, p.scratch, kind === 'validate' ? 256 * 1024 * 1024 : 2 * this.fsizeMb(kind) * 1024 * 1024);
    return proc;
  }

  /** Removes a scratch directory once its process is gone (close() waits for these). */
  private removeAfter(proc: RunnerProcess | null, dir: string, until?: () => Promise<void> | null): Promise<void> {
    const cleanup = (proc ? proc.waitExit() : Promise.resolve())
      .then(() => until?.())
      .then(() => rm(dir, { recursive: true, force: true }).catch(() => undefined));
    this.cleanups.add(cleanup);
    void cleanup.then(() => this.cleanups.delete(cleanup));
    return cleanup;
  }

  private usesGpu(device: Device | undefined): boolean {
    const d = device ?? this.o.device;
    return d === 'cuda' || (d === 'auto' && hasNvidiaDevice());
  }

  private async spawnValidate(): Promise<RunnerProcess> {
    const scratch = await this.staging.scratch('v-');
    const proc = await this.spawn('validate', { readOnly: [], gpu: false, scratch, timeoutS: this.o.validateTimeoutS }).catch(async (e: unknown) => {
      await rm(scratch, { recursive: true, force: true });
      throw e;
    });
    const entry = { dir: scratch, read: null as Promise<void> | null };
    this.validateScratch.set(proc, entry);
    // A validation reads the probe after its process exits: removing the directory at exit raced
    // that read, and under load a valid model was refused as "wrote no output" (a forged verdict).
    void this.removeAfter(proc, scratch, () => entry.read);
    return proc;
  }

  private poolFor(): WarmPool | null {
    if (this.o.validatePoolSize <= 0) return null;
    this.pool ??= new WarmPool(this.o.validatePoolSize, () => this.spawnValidate(), (err) => this.log.debug('warm pool could not start a runner', { err }));
    return this.pool;
  }

  /** Validate processes started and waiting for a request (torch imported or importing). */
  get warmValidators(): number {
    return this.pool?.idleCount ?? 0;
  }

  /** Starts the warm pool (e.g. at server start) and resolves once a pooled process is ready. */
  async warmUp(): Promise<void> {
    await this.env.setup();
    await this.poolFor()?.whenReady();
  }

  /** Kills pooled processes; running calls keep their own processes until they finish. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
    await Promise.all([...this.cleanups]);
  }

  /**
   * Every operation but validate goes through here: stage the inputs read-only, give the
   * process a fresh scratch directory, send one request, wait for the process to end, and copy
   * out only the outputs the host expects (staging.ts). The scratch directory is removed after.
   */
  private staged(c: StagedCall, trusted = false): Promise<{ data: unknown; files: Array<{ name: string; bytes: number }>; sandboxed: boolean; ready: ReadyMessage }> {
    // The slot is held from before staging until the scratch directory is gone.
    return this.admission.run(c.what, () => this.stagedHolding(c, trusted), { mode: c.admission ?? 'job', ...(c.signal ? { signal: c.signal } : {}) });
  }

  private async stagedHolding(c: StagedCall, trusted: boolean): Promise<{ data: unknown; files: Array<{ name: string; bytes: number }>; sandboxed: boolean; ready: ReadyMessage }> {
    const inputs = await this.staging.inputs(c.inputs);
    const scratch = await this.staging.scratch(c.kind === 'validate' ? 'v-' : 't-');
    let proc: RunnerProcess | null = null;
    try {
      proc = await this.spawn(c.kind, { readOnly: inputs.readOnly, gpu: c.gpu, scratch, timeoutS: c.timeoutS, trusted, ...(c.threads ? { threads: c.threads } : {}) });
      c.attach?.(proc);
      const data = await this.call(proc, c.what, c.request(inputs.paths, scratch), c.timeoutS, c.signal, c.onEvent ? (e) => c.onEvent!(e, scratch) : undefined);
      await c.settle?.();
      // Nothing may still write while the outputs are copied.
      await proc.waitExit();
      const files = c.outputs ? await this.staging.copyOut(scratch, c.outputs.expected, c.outputs.dest) : [];
      return { data, files, sandboxed: proc.sandboxed, ready: await proc.ready };
    } finally {
      await inputs.cleanup();
      await this.removeAfter(proc, scratch);
    }
  }

// ------------------------------------------------------------------------------------------
  // validate
  // ------------------------------------------------------------------------------------------

  async validate(code: string, dims: ModelDims, options: ValidateOptions = {}): Promise<ValidationReport> {
    const d = modelDimsSchema.parse(dims);
    if (options.signal?.aborted) throw new GenAutoMLError('runner.cancelled', 'validation cancelled');
    return this.admission.run('validation', (keepUntil) => this.validateHolding(code, d, options, keepUntil), { mode: options.admission ?? 'job', ...(options.signal ? { signal: options.signal } : {}) });
  }

  private async validateHolding(code: string, d: ModelDims, options: ValidateOptions, keepUntil: KeepUntil): Promise<ValidationReport> {
    const started = performance.now();
    const pool = this.poolFor();
    const proc = pool ? await pool.acquire() : await this.spawnValidate();
    const scratch = this.validateScratch.get(proc);
    if (!scratch) throw new GenAutoMLError('runner.protocol', 'validation process has no scratch directory');
    let probeRead!: () => void;
    scratch.read = new Promise<void>((resolve) => (probeRead = resolve));
    try {
      return await this.validateOn(proc, scratch.dir, started, code, d, options, keepUntil);
    } finally {
      probeRead();
    }
  }

  private async validateOn(proc: RunnerProcess, scratch: string, started: number, code: string, d: ModelDims, options: ValidateOptions, keepUntil: KeepUntil): Promise<ValidationReport> {
    // The verdict on the output is the host's: the sandbox writes its forward output on a batch
    // of 3 under a name chosen here, and the host checks its size (the contract's shape) and values.
    const probe = { name: `probe-${randomBytes(8).toString('hex')}.f32`, seed: randomBytes(4).readUInt32LE(0) & 0x7fffffff };
    const timeoutS = this.timeout('validate', options.timeoutS);
    const empty = (stage: ValidationReport['stage'], message: string, traceback: string | null = null): ValidationReport => ({
      ok: false,
      stage,
      message,
      violations: [],
      traceback,
      errorLine: null,
      expectedShape: [2, d.horizon, d.nFeatures],
      outputShape: null,
      projection: null,
      params: null,
      latencyMs: null,
      searchSpace: null,
      durationMs: performance.now() - started,
      sandboxed: proc.sandboxed,
    });
    let res: ResultMessage;
    try {
      res = await proc.request(
        {
          op: 'validate',
          code,
          dims: d,
          hyper: options.hyper ?? {},
          revin: options.revin ?? false,
          paramBudget: options.paramBudget ?? this.o.paramBudget,
          policy: options.policy ?? true,
          device: 'cpu',
          sandboxed: proc.sandboxed,
          probeFile: probe.name,
          probeSeed: probe.seed,
        },
        { timeoutMs: timeoutS * 1000, ...(options.signal ? { signal: options.signal } : {}) },
      );
      // The slot is given back only once the process is gone (it exits by itself after its one
      // reply), but the answer need not wait for that. Reading the probe while the process may
      // still be alive gives it nothing: the probe is its own claim either way, and staging.read
      // refuses links, FIFOs, swaps and any size but the contract's.
      keepUntil(proc.waitExit());
    } catch (e) {
      await proc.waitExit();
      if (!(e instanceof RunnerFailure)) throw e;
      const f = e.failure;
      if (f.kind === 'cancelled') throw failureToError(f, 'validation');
      if (f.kind === 'spawn' || f.kind === 'sandbox') throw failureToError(f, 'validation');
      return empty(...failureStage(f, timeoutS));
    }
    if (!res.ok) {
      if (res.error.code === 'runner.model_error') {
        return { ...empty('load', res.error.message, res.error.traceback), errorLine: res.error.line };
      }
      throw new GenAutoMLError(res.error.code, `validation failed inside the runner: ${res.error.message}`, { details: { traceback: res.error.traceback } });
    }
    const parsed = validationReportSchema.safeParse(res.data);
    if (!parsed.success) throw new GenAutoMLError('runner.protocol', `invalid validation report from the runner: ${parsed.error.message.slice(0, 1000)}`);
    const report = { ...parsed.data, expectedShape: [2, d.horizon, d.nFeatures], durationMs: performance.now() - started, sandboxed: proc.sandboxed };
    if (!report.ok) return report;
    const verdict = await this.checkProbe(scratch, probe.name, d);
    return verdict ? { ...report, ...verdict, ok: false, latencyMs: null } : report;
  }

  /** null when the probe output is a finite [3, H, C] float32 tensor; otherwise the failed stage. */
  private async checkProbe(dir: string, name: string, d: ModelDims): Promise<Pick<ValidationReport, 'stage' | 'message'> | null> {
    const bytes = 3 * d.horizon * d.nFeatures * 4;
    let buf: Buffer | null;
    try {
      buf = await this.staging.read(dir, { name, maxBytes: bytes, exactBytes: bytes, optional: true });
    } catch (err) {
      if (!(err instanceof GenAutoMLError) || err.code !== 'runner.bad_output') throw err;
      return { stage: 'shape', message: `the runner said the model is fine, but its output on a batch of 3 was refused by the host: ${err.message}` };
    }
    if (!buf) return { stage: 'shape', message: 'the runner said the model is fine, but wrote no output for the host to check (a forged verdict?)' };
    const out = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    if (!out.every(Number.isFinite)) return { stage: 'finite', message: 'output contains NaN or Inf on a standard normal input (checked by the host)' };
    return null;
  }

  // ------------------------------------------------------------------------------------------
  // train / evaluate / latency / export
  // ------------------------------------------------------------------------------------------

  /**
   * Trains in a sandbox that never receives a test row (its data file ends with the validation
   * split). Each epoch the trainer writes its validation predictions to a host-named file; the
   * host scores them against its own targets (scoring.ts), and only those host values reach
   * onEvent, the history and bestValLoss. The trainer's own numbers are ignored.
   */
  train(spec: TrainSpec, options: TrainCallOptions = {}): TrainRun {
    return new TrainRun(async (run, internal) => {
      const dims = modelDimsSchema.parse(spec.dims);
      const train = trainOptionsSchema.parse(spec.train ?? {});
      const signal = options.signal ? AbortSignal.any([options.signal, internal]) : internal;
      const dest = path.resolve(spec.workDir);
      const series = await loadSeries(spec.data.valuesPath, spec.data.meta, spec.data.labelsPath);
      const valEnd = spec.data.meta.splits.val[1];
      const cutMeta = { ...spec.data.meta, rows: valEnd, splits: { ...spec.data.meta.splits, test: [valEnd, valEnd] as [number, number] } };
      const { lookback: L, horizon: H } = dims;
      const valStarts = windowStarts(series, 'val', L, H);
      const crit = train.loss ?? (dims.task === 'anomaly' ? 'mse' : 'mae');
      const scored = new Map<number, { loss: number; mse: number }>();
      let chain: Promise<void> = Promise.resolve();
      let fatal: unknown = null;
      let proc: RunnerProcess | null = null;
      const onEpoch = (e: RunnerEvent, scratch: string): void => {
        if (e.event !== 'epoch') {
          options.onEvent?.(e);
          return;
        }
        chain = chain.then(async () => {
          // Epochs come in order, once each; anything else is a forged line and is dropped.
          if (fatal || e.epoch !== scored.size + 1) return;
          let host: { loss: number; mse: number } | null = null;
          if (valStarts.length > 0) {
            const name = `val-${e.epoch}.f32`;
            const bytes = valStarts.length * H * series.C * 4;
            try {
              // No file yet: a line the model forged before the trainer finished this epoch.
              const buf = await this.staging.read(scratch, { name, maxBytes: bytes, exactBytes: bytes, optional: true });
              if (!buf) return;
              await rm(path.join(scratch, name), { force: true });
              const pred = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
              const m = scoreWindows(series, valStarts, L, H, pred);
              host = { loss: crit === 'mse' ? m.mse : m.mae, mse: m.mse };
            } catch (err) {
              fatal = err;
              proc?.kill('protocol', `validation predictions of epoch ${e.epoch} refused`);
              return;
            }
            scored.set(e.epoch, host);
          } else {
            scored.set(e.epoch, { loss: NaN, mse: NaN });
          }
          options.onEvent?.({ ...e, val_loss: finiteOrNull(host?.loss), val_mse: finiteOrNull(host?.mse) });
        });
      };
      const labels = series.labels;
      let data: unknown;
      let files: Array<{ name: string; bytes: number }>;
      try {
        ({ data, files } = await this.staged({
          kind: 'trial',
          what: 'training',
          ...(options.admission ? { admission: options.admission } : {}),
          inputs: [{ name: 'values.f32', bytes: cutRows(series, valEnd) }, ...(labels ? [{ name: 'labels.u8', bytes: Buffer.from(labels.subarray(0, valEnd)) }] : [])],
          timeoutS: this.timeout('trial', options.timeoutS),
          gpu: this.usesGpu(options.device),
          ...(options.threads ? { threads: options.threads } : {}),
          signal,
          onEvent: onEpoch,
          settle: () => chain,
          attach: (p) => {
            proc = p;
            run.attach(p);
          },
          request: (paths, scratch) => ({
            op: 'train',
            ...modelFields(spec),
            data: { valuesPath: paths[0], labelsPath: labels ? paths[1] : null, meta: cutMeta },
            workDir: scratch,
            train,
            paramBudget: options.paramBudget ?? this.o.paramBudget,
            policy: options.policy ?? true,
            device: options.device ?? this.o.device,
            threads: options.threads ?? this.o.threads,
          }),
          outputs: {
            dest,
            expected: [
              { name: WEIGHTS_FILE, maxBytes: this.fsizeMb('trial') * 1024 * 1024, verify: async (f) => void checkTensorFile(await readFile(f)) },
              { name: 'build.json', maxBytes: 1024 * 1024 },
            ],
          },
        }));
      } catch (e) {
        await chain;
        // A cancelled run's scratch directory is removed under the epoch reader (seen in CI: a
        // worker's SIGTERM recorded its trial as failed, not handed back). What the reader then
        // refuses follows from the cancellation; it is no verdict on the model.
        throw e instanceof GenAutoMLError && e.code === 'runner.cancelled' ? e : (fatal ?? e);
      }
      if (fatal) throw fatal;
      const result = parseOrThrow(trainResultSchema, data, 'train');
      const weightsPath = path.join(dest, WEIGHTS_FILE);
      if (!files.some((f) => f.name === WEIGHTS_FILE)) throw new GenAutoMLError('runner.bad_output', 'training wrote no weights');
      // History and best loss from the host's scores only; the reply's numbers are claims.
      const claimed = new Map(result.history.map((h) => [h.epoch, h]));
      const history = [...scored.entries()].map(([epoch, v]) => ({ epoch, train_loss: claimed.get(epoch)?.train_loss ?? null, val_loss: finiteOrNull(v.loss), lr: claimed.get(epoch)?.lr ?? 0 }));
      const finite = history.flatMap((h) => (h.val_loss === null ? [] : [h.val_loss]));
      const atBest = scored.get(result.bestEpoch)?.loss;
      const bestValLoss = finiteOrNull(atBest) ?? (finite.length ? Math.min(...finite) : null);
      return { ...result, epochs: history.length, history, bestValLoss, weightsPath };
    });
  }

  /**
   * Causal evaluation in a fresh sandbox that holds no data: the host sends the validation then
   * the test windows one at a time in time order, each only after the previous prediction came
   * back, and computes every metric itself (scoring.ts). Anomaly faults are injected by the host.
   */
  async evaluate(spec: EvaluateSpec, options: RunOptions & AdmissionCallOptions & { policy?: boolean } = {}): Promise<EvaluateResult> {
    const dims = modelDimsSchema.parse(spec.dims);
    const { lookback: L, horizon: H, nFeatures: C } = dims;
    const series = await loadSeries(spec.data.valuesPath, spec.data.meta, spec.data.labelsPath);
    const anomaly = dims.task === 'anomaly';
    const [ta, tb] = spec.data.meta.splits.test;
    const injected = anomaly && !series.labels ? injectFaults(series, spec.anomaly?.seed ?? 0, spec.anomaly?.faults ?? defaultFaultCount(tb - ta)) : null;
    const testSeries = injected ? injected.series : series;
    const valStarts = windowStarts(series, 'val', L, H, anomaly ? H : 1);
    const testStarts = windowStarts(testSeries, 'test', L, H, anomaly ? H : 1);
    if (testStarts.length === 0) throw new GenAutoMLError('runner.bad_request', `the test split is shorter than lookback + horizon (${L} + ${H}) rows`);
    const windows = [...valStarts.map((s) => ({ s, from: series })), ...testStarts.map((s) => ({ s, from: testSeries }))];
    const pred = new Float32Array(windows.length * H * C);
    let next = 0;
    let proc: RunnerProcess | null = null;
    const sendNext = (): void => {
      const w = windows[next];
      if (!w) return proc?.send({ type: 'done' });
      const x = Buffer.from(windowInput(w.from, w.s, L).slice().buffer);
      proc?.send({ type: 'window', seq: next, start: w.s, x: x.toString('base64') });
    };
    const { data } = await this.staged({
      kind: 'trial',
      what: 'evaluation',
      ...(options.admission ? { admission: options.admission } : {}),
      inputs: [spec.weightsPath],
      timeoutS: this.timeout('trial', options.timeoutS),
      gpu: this.usesGpu(options.device),
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      attach: (p) => {
        proc = p;
      },
      onEvent: (e) => {
        if (e.event === 'info' && e.message.startsWith('causal') && next === 0) return sendNext();
        if (e.event !== 'pred') return;
        const y = Buffer.from(e.y, 'base64');
        // One answer per window, for the window just sent; anything else ends the run.
        if (e.seq !== next || next >= windows.length || y.length !== H * C * 4) return proc?.kill('protocol', `evaluation answer ${e.seq} out of order or of the wrong size`);
        pred.set(new Float32Array(y.buffer.slice(y.byteOffset, y.byteOffset + y.length)), next * H * C);
        next++;
        sendNext();
      },
      request: (paths) => ({
        op: 'evaluate_causal',
        ...modelFields(spec),
        meta: spec.data.meta,
        weightsPath: paths[0],
        ...this.common(options),
      }),
    });
    if (next !== windows.length) throw new GenAutoMLError('runner.protocol', `evaluation ended after ${next} of ${windows.length} windows`);
    const info = parseOrThrow(causalResultSchema, data, 'evaluate');
    const valPred = pred.subarray(0, valStarts.length * H * C);
    const testPred = pred.subarray(valStarts.length * H * C);
    const v = valStarts.length ? scoreWindows(series, valStarts, L, H, valPred) : null;
    const metrics = anomaly
      ? anomalyMetrics(testSeries, testStarts, L, H, testPred, injected ? 'injected' : 'dataset', injected ? injected.labels : series.labels!.subarray(ta, tb), injected ? injected.faults : [], { series, starts: valStarts, pred: valPred })
      : forecastMetrics(series, testStarts, L, H, testPred);
    return evaluateResultSchema.parse({
      metrics,
      validation: { loss: v ? finiteOrNull(anomaly ? v.mse : v.mae) : null, mae: finiteOrNull(v?.mae), mse: finiteOrNull(v?.mse), windows: valStarts.length },
      params: info.params,
      evalTimeS: info.evalTimeS,
      device: info.device,
      sandboxed: info.sandboxed,
    });
  }

  async latency(spec: LatencySpec, options: RunOptions & AdmissionCallOptions & { policy?: boolean } = {}): Promise<LatencyResult> {
    const { data } = await this.staged({
      kind: 'trial',
      what: 'latency measurement',
      ...(options.admission ? { admission: options.admission } : {}),
      inputs: spec.weightsPath ? [spec.weightsPath] : [],
      timeoutS: this.timeout('trial', options.timeoutS, 600),
      gpu: this.usesGpu(options.device),
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      request: (paths) => ({
        op: 'latency',
        ...modelFields(spec),
        weightsPath: paths[0] ?? null,
        batchSize: spec.batchSize ?? 64,
        repeats: spec.repeats ?? 20,
        ...this.common(options),
      }),
    });
    return parseOrThrow(latencyResultSchema, data, 'latency');
  }

  private common(options: RunOptions & { policy?: boolean }): Record<string, unknown> {
    return { policy: options.policy ?? true, device: options.device ?? this.o.device, threads: options.threads ?? this.o.threads };
  }

  /**
   * The export directory, written in four steps so that only two files come from code that ran
   * the model (model.torchscript.pt and model.onnx, produced by tracing it): (1) the model's
   * sandbox traces it and writes its build record; (2) a trusted runner that loads no model code
   * turns the host-checked raw tensors into weights.pt and writes the wrapper from the runner's
   * own source; (3) the host writes model.py, metadata.json and USAGE.md; (4) a fresh sandbox
   * reloads the finished directory as a user would and compares predictions.
   */
  async export(spec: ExportSpec, options: RunOptions & AdmissionCallOptions & { policy?: boolean } = {}): Promise<ExportResult> {
    const outDir = path.resolve(spec.outDir);
    await withOsErrors('make the export directory', outDir, () => mkdir(outDir, { recursive: true }));
    if ((await readdir(outDir)).length > 0) {
      throw new GenAutoMLError('runner.export_exists', `export directory ${outDir} is not empty`, { hint: 'Export into a new directory.' });
    }
    checkTensorFile(await readFile(spec.weightsPath));
    const cap = this.fsizeMb('trial') * 1024 * 1024;
    const timeoutS = this.timeout('trial', options.timeoutS, 900);
    const base = { kind: 'trial' as const, timeoutS, gpu: false, ...(options.threads ? { threads: options.threads } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    const common = this.common({ ...options, device: 'cpu' });
    const traced = await this.staged({
      ...base,
      what: 'export',
      // Only the first step may be refused as busy; once started, the export finishes.
      ...(options.admission ? { admission: options.admission } : {}),
      inputs: [spec.weightsPath],
      request: (paths, scratch) => ({ op: 'export', ...modelFields(spec), weightsPath: paths[0], outDir: scratch, opset: spec.opset ?? 17, ...common }),
      outputs: {
        dest: outDir,
        expected: [
          { name: 'model.torchscript.pt', maxBytes: cap, optional: true },
          { name: 'model.onnx', maxBytes: cap, optional: true },
          { name: 'build.json', maxBytes: 1024 * 1024 },
        ],
      },
    });
    const tracedData = parseOrThrow(exportTraceSchema, traced.data, 'export');
    const buildPath = path.join(outDir, 'build.json');
    const build = buildRecordSchema.safeParse(JSON.parse(await readFile(buildPath, 'utf8').catch(() => 'null')));
    await rm(buildPath, { force: true });
    if (!build.success) throw new GenAutoMLError('runner.bad_output', `the export's build record was refused: ${build.error.message.slice(0, 500)}`);
    const packed = await this.staged(
      {
        ...base,
        what: 'export (weights)',
        inputs: [spec.weightsPath],
        request: (paths, scratch) => ({ op: 'pack', weightsPath: paths[0], outDir: scratch, device: 'cpu', threads: 1 }),
        outputs: { dest: outDir, expected: [{ name: 'weights.pt', maxBytes: cap }, { name: 'genautoml_wrapper.py', maxBytes: 1024 * 1024 }] },
      },
      true,
    );
    const facts: ExportFacts = {
      dims: modelDimsSchema.parse(spec.dims),
      hyper: spec.hyper ?? {},
      revin: spec.revin ?? false,
      data: spec.data,
      metrics: spec.metrics ?? {},
      opset: spec.opset ?? 17,
      torch: parseOrThrow(packResultSchema, packed.data, 'export (weights)').torch,
      build: build.data,
    };
    const names = [...traced.files.filter((f) => f.name !== 'build.json'), ...packed.files].map((f) => f.name).concat(['model.py', 'metadata.json', 'USAGE.md']).sort();
    await withOsErrors('write the export', outDir, async () => {
      await writeFile(path.join(outDir, 'model.py'), spec.code, { flag: 'wx' });
      await writeFile(path.join(outDir, 'metadata.json'), metadataJson(facts), { flag: 'wx' });
      await writeFile(path.join(outDir, 'USAGE.md'), usageMarkdown(facts, names), { flag: 'wx' });
    });
    const shipped = names.filter((n) => n !== 'USAGE.md');
    const checked = await this.staged({
      ...base,
      what: 'export round trip',
      inputs: [...shipped.map((name) => ({ name, from: path.join(outDir, name) })), { name: WEIGHTS_FILE, from: spec.weightsPath }],
      request: (paths) => ({ op: 'export_check', ...modelFields(spec), exportDir: path.dirname(paths[0]!), weightsPath: paths[paths.length - 1], ...common }),
    });
    const rt = parseOrThrow(exportCheckSchema, checked.data, 'export round trip');
    const files = await Promise.all(names.map(async (name) => ({ name, bytes: (await stat(path.join(outDir, name))).size })));
    return exportResultSchema.parse({
      dir: outDir,
      files,
      roundTrip: {
        stateDictMaxAbsDiff: rt.stateDictMaxAbsDiff,
        torchscriptMaxAbsDiff: rt.torchscriptMaxAbsDiff,
        onnxMaxAbsDiff: rt.onnxMaxAbsDiff,
        torchscriptMode: tracedData.torchscriptMode,
        onnxChecked: rt.onnxChecked,
        ok: rt.ok,
      },
      errors: [...tracedData.errors, ...rt.errors].slice(0, 20),
      sandboxed: traced.sandboxed && checked.sandboxed,
    });
  }

  private async call(
    proc: RunnerProcess,
    what: string,
    req: Record<string, unknown>,
    timeoutS: number,
    signal: AbortSignal | undefined,
    onEvent?: (e: RunnerEvent) => void,
  ): Promise<unknown> {
    let res: ResultMessage;
    try {
      res = await proc.request({ ...req, sandboxed: proc.sandboxed }, {
        timeoutMs: timeoutS * 1000,
        ...(signal ? { signal } : {}),
        ...(onEvent ? { onEvent } : {}),
      });
    } catch (e) {
      if (e instanceof RunnerFailure) throw failureToError(e.failure, what);
      throw e;
    }
    if (!res.ok) {
      const err = res.error;
      throw new GenAutoMLError(err.code, `${what} failed${err.stage ? ` (${err.stage})` : ''}: ${err.message}`, {
        details: { stage: err.stage, traceback: err.traceback, line: err.line, ...(err.dead ? { dead: err.dead } : {}), ...(err.violations ? { violations: err.violations } : {}) },
        hint: err.code === 'runner.model_error' ? 'The model code failed; validate it first and read details.traceback.' : 'This looks like a runner problem; details.traceback has the stack.',
      });
    }
    return { ...(res.data as Record<string, unknown>), sandboxed: proc.sandboxed };
  }
}

/** The process's runner pool from the frozen configuration (one per process; server/app.ts builds it). */
export function runnerPoolFromConfig(config: Config): RunnerPool {
  return new RunnerPool({ slots: defaultRunnerSlots(config), queue: config.runnerQueue, maxWaitS: config.runnerQueueWaitS });
}

/** The trained weights as a trainer leaves them and the host stores them (tensors.ts). */
export const WEIGHTS_FILE = 'weights.tensors';

const exportTraceSchema = z.object({ torchscriptMode: z.enum(['trace', 'script']).nullable(), errors: z.array(z.string().max(5000)).max(20) });
const packResultSchema = z.object({ torch: z.string().max(100) });
const causalResultSchema = z.object({ params: z.number().int(), evalTimeS: z.number(), device: z.string().max(100), sandboxed: z.boolean() });
const exportCheckSchema = z.object({
  stateDictMaxAbsDiff: z.number(),
  torchscriptMaxAbsDiff: z.number().nullable(),
  onnxMaxAbsDiff: z.number().nullable(),
  onnxChecked: z.boolean(),
  ok: z.boolean(),
  errors: z.array(z.string().max(5000)).max(20),
});

function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

function modelFields(spec: { code: string; dims: ModelDims; hyper?: Record<string, Scalar>; revin?: RevinOption }): Record<string, unknown> {
  return { code: spec.code, dims: modelDimsSchema.parse(spec.dims), hyper: spec.hyper ?? {}, revin: spec.revin ?? false };
}

function parseOrThrow<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, v: unknown, op: string): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new GenAutoMLError('runner.protocol', `invalid ${op} result from the runner: ${r.error.message.slice(0, 1500)}`);
  return r.data;
}

function failureStage(f: ProcessFailure, timeoutS: number): [ValidationReport['stage'], string, string | null] {
  const tail = f.stderr.trim() ? f.stderr.trim().split('\n').slice(-15).join('\n') : null;
  switch (f.kind) {
    case 'timeout':
      return ['timeout', `validation exceeded the ${timeoutS} s wall-clock limit and was killed (an endless loop or a very slow model?)`, null];
    case 'cpu_limit':
      return ['timeout', 'validation exceeded its CPU-time limit and was killed (an endless loop or a very slow model?)', null];
    case 'file_limit':
      return ['resource', f.message.startsWith('the scratch') ? f.message : 'the model wrote a file larger than the file-size limit and was killed', null];
    case 'memory':
      return ['resource', `the model exhausted the memory limit or was killed (${f.signal ?? `exit ${f.exitCode}`})`, tail];
    case 'protocol':
      return ['load', `the runner protocol was violated while running the model: ${f.message}`, tail];
    default:
      return ['resource', `the runner died while running the model: ${f.message}`, tail];
  }
}
