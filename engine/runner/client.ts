/**
 * RunnerClient: the TypeScript face of the Python runner. Validates models (the Validator seam),
 * trains with streamed epoch events, evaluates on the test split, measures latency and exports.
 * Every call runs in a fresh, sandboxed Python process, started ahead of its call where it can be:
 * validations and trial calls take warm ones (pool.ts) that serve one call each. The operations
 * (train, evaluate, latency, export) live in operations/, each going through the one staged call.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pythonPath, type Config } from '../config.js';
import { GenAutoMLError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { WarmPool } from './pool.js';
import { RunnerPool, defaultRunnerSlots, unboundedAdmission, type KeepUntil, type RunnerAdmission } from './admission.js';
import { RunnerFailure, RunnerProcess, failureToError, type ProcessFailure } from './process.js';
import type { ResultMessage } from './protocol.js';
import { Environment } from './environment.js';
import { hasNvidiaDevice, planCommand, type Limits } from './sandbox.js';
import { Staging, watchScratch, type StagedInputs } from './staging.js';
import {
  environmentInfoSchema,
  modelDimsSchema,
  validationReportSchema,
  type Device,
  type EnsembleExportSpec,
  type EnsembleSpec,
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
  type TrainSpec,
  type ValidationReport,
  type Validator,
} from './types.js';
import type { AdmissionCallOptions, Kind, OperationOptions, StagedCall, StagedResult, StagedRunner } from './operations/staged.js';
import { train, type TrainCallOptions, type TrainRun } from './operations/train.js';
import { evaluate, evaluateWithPredictions, type EvaluationWithPredictions } from './operations/evaluate.js';
import { ensembleLatency, exportEnsemble } from './operations/ensemble.js';
import { latency } from './operations/latency.js';
import { exportModel } from './operations/export.js';

export { TrainRun, WEIGHTS_FILE, type TrainCallOptions } from './operations/train.js';
export type { AdmissionCallOptions, OperationOptions } from './operations/staged.js';

/**
 * The settings a runner obeys, from the frozen configuration (engine/config.ts: defaults, bounds
 * and meaning live there and only there). python: the interpreter with torch (pythonPath resolves
 * an unset one); runnerMemoryMb: RLIMIT_AS per process (CPU only: CUDA reserves address space it
 * never uses); paramBudget: the default budget of validate and train; validatePoolSize and
 * trialPoolSize: warm validate and trial processes (0: none; trials default to 1 here, to one per
 * worker slot in fromConfig); trialPoolIdleS: how long a warm trial process waits before it exits.
 */
export type RunnerSettings = Pick<Config, 'python' | 'device' | 'allowUnsandboxed' | 'runnerMemoryMb' | 'validateTimeoutS' | 'trialTimeoutS' | 'paramBudget' | 'validatePoolSize' | 'trialPoolSize' | 'trialPoolIdleS'>;

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

export interface ValidateOptions extends AdmissionCallOptions {
  paramBudget?: number;
  signal?: AbortSignal;
  hyper?: Record<string, Scalar>;
  revin?: RevinOption;
  timeoutS?: number;
  /** Tests only: skip the static policy to prove the OS layer contains what it would refuse. */
  policy?: boolean;
}


export class RunnerClient implements Validator {
  private readonly o: Required<Omit<RunnerClientOptions, 'python' | 'bwrap' | 'extraEnv' | 'runAsNobody' | 'admission' | 'trialPoolSize'>> & {
    trialPoolSize: number;
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
  /** Warm trial processes, one pool per device (trialPoolFor). */
  private readonly trialPools = new Map<string, WarmPool>();
  /** The input and scratch directories each trial process was started with. */
  private readonly trialDirs = new WeakMap<RunnerProcess, { inputs: string; scratch: string; taken: boolean }>();
  private readonly log: Logger;
  private closed = false;
  private readonly cleanups = new Set<Promise<unknown>>();
  private readonly staging: Staging;
  private readonly env: Environment;
  /** Every runner process is started holding one of its slots (validate, staged). */
  readonly admission: RunnerAdmission;
  /** What the operations (operations/) see of this client. */
  private readonly ops: StagedRunner;

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
      trialPoolSize: options.trialPoolSize ?? 1,
      trialPoolIdleS: options.trialPoolIdleS,
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
    this.ops = {
      staged: (c, trusted) => this.staged(c, trusted),
      timeout: (kind, requested, cap) => this.timeout(kind, requested, cap),
      usesGpu: (device) => this.usesGpu(device),
      common: (options) => this.common(options),
      fsizeMb: (kind) => this.fsizeMb(kind),
      readScratch: (dir, expected) => this.staging.read(dir, expected),
      paramBudget: this.o.paramBudget,
      device: this.o.device,
      threads: this.o.threads,
    };
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
      // One warm process per slot: trials running at once each find one.
      trialPoolSize: config.trialPoolSize ?? config.workerConcurrency,
      trialPoolIdleS: config.trialPoolIdleS,
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

  private common(options: RunOptions & { policy?: boolean }): Record<string, unknown> {
    return { policy: options.policy ?? true, device: options.device ?? this.o.device, threads: options.threads ?? this.o.threads };
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

  /**
   * A trial process started before its call is known: its input directory is bound read-only
   * while still empty and filled by the host when the call comes (staging.inputs). The pool key
   * is the device. The thread count a trial gets changes with the machine's load (threads.ts), so
   * the request sets it (torch.set_num_threads); the process starts with the most a trial may have
   * and the CPU-time limit of the configured trial limit at that count, and each call's own, never
   * longer, wall-clock limit is set when it is sent.
   */
  private async spawnTrial(gpu: boolean): Promise<RunnerProcess> {
    // A lease never exceeds the slot's share of the cores (threads.ts), which this.o.threads is.
    const threads = this.o.threads;
    const inputs = await this.staging.inputDir();
    let scratch: string | undefined;
    let proc: RunnerProcess;
    try {
      scratch = await this.staging.scratch('t-');
      proc = await this.spawn('trial', { readOnly: [inputs], gpu, scratch, threads, timeoutS: this.o.trialTimeoutS });
    } catch (e) {
      await Promise.all([inputs, scratch].map((d) => (d ? rm(d, { recursive: true, force: true }) : undefined)));
      throw e;
    }
    const entry = { inputs, scratch, taken: false };
    this.trialDirs.set(proc, entry);
    // A process that never got its call (killed idle, at close()) has no call to clean up after it;
    // a taken one's directories go when its call is done with them (run()).
    const idleCleanup = proc.waitExit().then(async () => {
      if (!entry.taken) await Promise.all([inputs, scratch].map((d) => rm(d, { recursive: true, force: true }).catch(() => undefined)));
    });
    this.cleanups.add(idleCleanup);
    void idleCleanup.then(() => this.cleanups.delete(idleCleanup));
    return proc;
  }

  private trialPoolFor(gpu: boolean): WarmPool | null {
    if (this.o.trialPoolSize <= 0) return null;
    const key = gpu ? 'gpu' : 'cpu';
    let pool = this.trialPools.get(key);
    if (!pool) {
      pool = new WarmPool(this.o.trialPoolSize, () => this.spawnTrial(gpu), (err) => this.log.debug('trial pool could not start a runner', { err }), 'on-take', this.o.trialPoolIdleS * 1000);
      this.trialPools.set(key, pool);
    }
    return pool;
  }

  /**
   * Starts warm trial processes for `device` (default: the configured one) up to the pool size,
   * before any trial asks: the search worker calls it when it coordinates a study, so the first
   * trials of a search skip interpreter start and torch import too. A no-op when full or closed.
   */
  prewarmTrials(device?: Device): void {
    if (this.closed) return;
    this.trialPoolFor(this.usesGpu(device))?.fill();
  }

  /** prewarmTrials, then resolves once every warm trial process for `device` has torch imported (false on timeout or with no pool). */
  async trialsReady(device?: Device, timeoutMs = 120_000): Promise<boolean> {
    if (this.closed) return false;
    await this.env.setup();
    return (await this.trialPoolFor(this.usesGpu(device))?.whenReady('all', timeoutMs)) ?? false;
  }

  /** Trial processes started and waiting for a call, over every pool. */
  get warmTrials(): number {
    let n = 0;
    for (const p of this.trialPools.values()) n += p.idleCount;
    return n;
  }

  /** Kills pooled processes; running calls keep their own processes until they finish. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.pool?.close(), ...[...this.trialPools.values()].map((p) => p.close())]);
    await Promise.all([...this.cleanups]);
  }

  /**
   * Every operation but validate goes through here: stage the inputs read-only, give the
   * process a fresh scratch directory, send one request, wait for the process to end, and copy
   * out only the outputs the host expects (staging.ts). The scratch directory is removed after.
   */
  private staged(c: StagedCall, trusted = false): Promise<StagedResult> {
    // The slot is held from before staging until the scratch directory is gone.
    return this.admission.run(c.what, () => this.stagedHolding(c, trusted), { mode: c.admission ?? 'job', ...(c.signal ? { signal: c.signal } : {}) });
  }

  private async stagedHolding(c: StagedCall, trusted: boolean): Promise<StagedResult> {
    const pool = c.kind === 'trial' && !trusted ? this.trialPoolFor(c.gpu) : null;
    return pool ? this.stagedWarm(c, pool) : this.stagedFresh(c, trusted);
  }

  /** A warm trial process: its (bound, empty) input directory is filled, then the call is sent. */
  private async stagedWarm(c: StagedCall, pool: WarmPool): Promise<StagedResult> {
    const proc = await pool.acquire();
    const dirs = this.trialDirs.get(proc);
    let inputs: StagedInputs;
    try {
      if (!dirs) throw new GenAutoMLError('runner.failed', 'internal: a pooled trial process has no input directory');
      inputs = await this.staging.inputs(c.inputs, dirs.inputs);
    } catch (e) {
      // Not taken: its directories go when it has exited.
      proc.kill('cancelled');
      throw e;
    }
    dirs.taken = true;
    return this.run(c, proc, inputs, dirs.scratch);
  }

  private async stagedFresh(c: StagedCall, trusted: boolean): Promise<StagedResult> {
    const inputs = await this.staging.inputs(c.inputs);
    let scratch: string | undefined;
    let proc: RunnerProcess;
    try {
      scratch = await this.staging.scratch(c.kind === 'validate' ? 'v-' : 't-');
      proc = await this.spawn(c.kind, { readOnly: inputs.readOnly, gpu: c.gpu, scratch, timeoutS: c.timeoutS, trusted, ...(c.threads ? { threads: c.threads } : {}) });
    } catch (e) {
      await inputs.cleanup();
      if (scratch) await this.removeAfter(null, scratch);
      throw e;
    }
    return this.run(c, proc, inputs, scratch);
  }

  /** Sends the one request, waits for the process to end, copies out the expected outputs. */
  private async run(c: StagedCall, proc: RunnerProcess, inputs: StagedInputs, scratch: string): Promise<StagedResult> {
    try {
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
  // train / evaluate / latency / export (operations/: each through the one staged call)
  // ------------------------------------------------------------------------------------------

  /** See operations/train.ts. */
  train(spec: TrainSpec, options: TrainCallOptions = {}): TrainRun {
    return train(this.ops, spec, options);
  }

  /** See operations/evaluate.ts. */
  evaluate(spec: EvaluateSpec, options: OperationOptions = {}): Promise<EvaluateResult> {
    return evaluate(this.ops, spec, options);
  }

  /** See operations/evaluate.ts: the evaluation and the causal predictions it scored. */
  evaluateWithPredictions(spec: EvaluateSpec, options: OperationOptions = {}): Promise<EvaluationWithPredictions> {
    return evaluateWithPredictions(this.ops, spec, options);
  }

  /** See operations/ensemble.ts. */
  ensembleLatency(spec: EnsembleSpec & { batchSize?: number; repeats?: number }, options: OperationOptions = {}): Promise<LatencyResult> {
    return ensembleLatency(this.ops, spec, options);
  }

  /** See operations/ensemble.ts. */
  exportEnsemble(spec: EnsembleExportSpec, options: OperationOptions = {}): Promise<ExportResult> {
    return exportEnsemble(this.ops, spec, options);
  }

  /** See operations/latency.ts. */
  latency(spec: LatencySpec, options: OperationOptions = {}): Promise<LatencyResult> {
    return latency(this.ops, spec, options);
  }

  /** See operations/export.ts. */
  export(spec: ExportSpec, options: OperationOptions = {}): Promise<ExportResult> {
    return exportModel(this.ops, spec, options);
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
