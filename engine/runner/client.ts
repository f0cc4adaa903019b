/**
 * RunnerClient: the TypeScript face of the Python runner. Validates models (the Validator seam),
 * trains with streamed epoch events, evaluates on the test split, measures latency and exports.
 * Every call runs in a fresh, sandboxed Python process; validations use a warm pool.
 */
import { existsSync } from 'node:fs';
import { chmod, chown, copyFile, cp, link, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';
import { GenAutoMLError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { WarmPool } from './pool.js';
import { RunnerFailure, RunnerProcess, failureToError, type ProcessFailure } from './process.js';
import type { ResultMessage } from './protocol.js';
import {
  bwrapWorks,
  findBwrap,
  hasNvidiaDevice,
  planCommand,
  probePythonLayout,
  type Limits,
  type PythonLayout,
} from './sandbox.js';
import {
  environmentInfoSchema,
  evaluateResultSchema,
  exportResultSchema,
  latencyResultSchema,
  modelDimsSchema,
  trainOptionsSchema,
  trainResultSchema,
  validationReportSchema,
  type DataRef,
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

export interface RunnerClientOptions {
  /** Interpreter with torch; default /usr/bin/python3 when present, else python3 on PATH. */
  python?: string;
  device?: Device;
  /** Run untrusted code without bubblewrap when it is missing or broken (operator opt-out). */
  allowUnsandboxed?: boolean;
  /** RLIMIT_AS per runner process (CPU only; CUDA reserves address space it never uses). */
  runnerMemoryMb?: number;
  validateTimeoutS?: number;
  trialTimeoutS?: number;
  /** Default parameter budget for validate and train. */
  paramBudget?: number;
  /** torch threads for trials (cores / worker slots); validations use at most 2. */
  threads?: number;
  /** Warm validate processes (0 disables the pool). */
  validatePoolSize?: number;
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
}

export interface ValidateOptions {
  paramBudget?: number;
  signal?: AbortSignal;
  hyper?: Record<string, Scalar>;
  revin?: RevinOption;
  timeoutS?: number;
  /** Tests only: skip the static policy to prove the OS layer contains what it would refuse. */
  policy?: boolean;
}

export interface TrainCallOptions extends RunOptions {
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

interface Setup {
  layout: PythonLayout;
  bwrap: string | null;
  mode: 'bwrap' | 'unsandboxed' | 'unavailable';
  bwrapError: string | null;
}

type Kind = 'validate' | 'trial';

export class RunnerClient implements Validator {
  private readonly o: Required<Omit<RunnerClientOptions, 'bwrap' | 'extraEnv' | 'runAsNobody'>> & {
    bwrap: string | null | undefined;
    extraEnv: Record<string, string>;
    runAsNobody: boolean;
  };
  private setupP: Promise<Setup> | null = null;
  private pool: WarmPool | null = null;
  private readonly log: Logger;
  private closed = false;
  private readonly cleanups = new Set<Promise<unknown>>();

  constructor(options: RunnerClientOptions = {}) {
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    this.o = {
      python: options.python ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
      device: options.device ?? 'auto',
      allowUnsandboxed: options.allowUnsandboxed ?? false,
      runnerMemoryMb: options.runnerMemoryMb ?? 6144,
      validateTimeoutS: options.validateTimeoutS ?? 60,
      trialTimeoutS: options.trialTimeoutS ?? 1800,
      paramBudget: options.paramBudget ?? 5_000_000,
      threads: Math.max(1, options.threads ?? cores),
      validatePoolSize: options.validatePoolSize ?? 1,
      logger: options.logger ?? silentLogger,
      scratchRoot: options.scratchRoot ?? path.join(os.tmpdir(), 'genautoml-runner'),
      bwrap: options.bwrap,
      runAsNobody: options.runAsNobody ?? process.getuid?.() === 0,
      maxLineBytes: options.maxLineBytes ?? 4 * 1024 * 1024,
      killGraceMs: options.killGraceMs ?? 2000,
      extraEnv: options.extraEnv ?? {},
    };
    this.log = this.o.logger.child({ component: 'runner' });
  }

  /** Built from the frozen configuration (engine/config.ts); `threads` from the worker's slots. */
  static fromConfig(config: Config, extra: Partial<RunnerClientOptions> = {}): RunnerClient {
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    return new RunnerClient({
      ...(config.python ? { python: config.python } : {}),
      device: config.device,
      allowUnsandboxed: config.allowUnsandboxed,
      runnerMemoryMb: config.runnerMemoryMb,
      validateTimeoutS: config.validateTimeoutS,
      trialTimeoutS: config.trialTimeoutS,
      paramBudget: config.paramBudget,
      validatePoolSize: config.validatePoolSize,
      threads: Math.max(1, Math.floor(cores / config.workerConcurrency)),
      ...(config.cudaVisibleDevices === undefined ? {} : { extraEnv: { CUDA_VISIBLE_DEVICES: config.cudaVisibleDevices } }),
      // Not under the home directory: when the server runs as root the sandbox runs as nobody,
      // which must be able to enter the scratch root, and a home such as /root is closed to it.
      ...extra,
    });
  }

  // ------------------------------------------------------------------------------------------
  // Environment
  // ------------------------------------------------------------------------------------------

  private setup(): Promise<Setup> {
    this.setupP ??= (async () => {
      let layout: PythonLayout;
      try {
        layout = await probePythonLayout(this.o.python);
      } catch (e) {
        this.setupP = null; // allow a retry after the operator fixes the interpreter
        throw new GenAutoMLError('runner.unavailable', `cannot run the Python interpreter ${this.o.python}: ${e instanceof Error ? e.message.slice(0, 500) : String(e)}`, {
          hint: 'Install python3 with torch (Debian: python3-torch) or set GENAUTOML_PYTHON.',
          cause: e,
        });
      }
      await mkdir(this.o.scratchRoot, { recursive: true, mode: 0o711 });
      const bwrap = await findBwrap(this.o.bwrap);
      let bwrapError: string | null = bwrap ? null : 'bwrap not found';
      if (bwrap) {
        const works = await bwrapWorks(bwrap, this.o.runAsNobody);
        if (!works.ok) bwrapError = works.error ?? 'bwrap failed';
      }
      const mode = bwrap && !bwrapError ? 'bwrap' : this.o.allowUnsandboxed ? 'unsandboxed' : 'unavailable';
      if (mode === 'unsandboxed') {
        this.log.warn('running untrusted model code WITHOUT bubblewrap (GENAUTOML_ALLOW_UNSANDBOXED): only the static policy and rlimits protect this host', { bwrapError });
      }
      return { layout, bwrap: mode === 'bwrap' ? bwrap : null, mode, bwrapError };
    })();
    return this.setupP;
  }

  /** Torch version, device, CUDA, sandbox state: for the server_info tool. Never throws for a missing torch. */
  async probeEnvironment(): Promise<EnvironmentInfo> {
    const bwrapPath = await findBwrap(this.o.bwrap);
    const base: EnvironmentInfo = {
      python: this.o.python,
      pythonVersion: null,
      torchVersion: null,
      numpyVersion: null,
      onnxVersion: null,
      cudaAvailable: false,
      cudaDevice: null,
      device: 'cpu',
      bwrap: bwrapPath,
      sandbox: 'unavailable',
      error: null,
    };
    let s: Setup;
    try {
      s = await this.setup();
    } catch (e) {
      return { ...base, error: e instanceof Error ? e.message : String(e) };
    }
    base.pythonVersion = s.layout.version;
    base.sandbox = s.mode;
    base.bwrap = s.mode === 'bwrap' ? s.bwrap : bwrapPath;
    try {
      const gpu = this.o.device !== 'cpu' && hasNvidiaDevice();
      // The probe runs no model code; it runs sandboxed when it can, which also proves the binds work.
      const proc = await this.spawn('validate', { readOnly: [], gpu, trusted: true });
      const res = await proc.request({ op: 'probe', device: this.o.device }, { timeoutMs: 120_000 }).catch((e: unknown) => {
        throw e instanceof RunnerFailure ? failureToError(e.failure, 'environment probe') : e;
      });
      if (!res.ok) throw new GenAutoMLError('runner.failed', res.error.message);
      const d = res.data as Record<string, unknown>;
      const cuda = d['cudaAvailable'] === true;
      return environmentInfoSchema.parse({
        ...base,
        pythonVersion: d['pythonVersion'] ?? base.pythonVersion,
        torchVersion: d['torchVersion'] ?? null,
        numpyVersion: d['numpyVersion'] ?? null,
        onnxVersion: d['onnxVersion'] ?? null,
        cudaAvailable: cuda,
        cudaDevice: d['cudaDevice'] ?? null,
        device: this.o.device === 'auto' ? (cuda ? 'cuda' : 'cpu') : this.o.device,
      });
    } catch (e) {
      return { ...base, error: e instanceof Error ? e.message : String(e) };
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
      fsizeMb: kind === 'validate' ? 64 : 2048,
    };
  }

  private async newScratch(prefix: string): Promise<string> {
    const dir = await mkdtemp(path.join(this.o.scratchRoot, prefix));
    await this.own(dir);
    return dir;
  }

  private async own(dir: string): Promise<void> {
    if (this.o.runAsNobody) await chown(dir, 65534, 65534);
  }

  /**
   * Input files as the sandbox sees them. Running as nobody, bwrap can bind only paths nobody
   * may traverse, so inputs are hard-linked (copied when the link is impossible or the file is
   * not world-readable) into a fresh directory under the scratch root; otherwise the files'
   * own directories are bound read-only.
   */
  private async stageInputs(files: string[]): Promise<{ paths: string[]; readOnly: string[]; cleanup: () => Promise<void> }> {
    await this.setup(); // creates the scratch root
    const abs = files.map((f) => path.resolve(f));
    for (const f of abs) {
      if (!existsSync(f)) throw new GenAutoMLError('runner.bad_request', `input file ${f} does not exist`);
    }
    if (!this.o.runAsNobody) return { paths: abs, readOnly: abs.map((f) => path.dirname(f)), cleanup: async () => undefined };
    const dir = await mkdtemp(path.join(this.o.scratchRoot, 'in-'));
    await chmod(dir, 0o755);
    const paths: string[] = [];
    for (const [i, f] of abs.entries()) {
      const dest = path.join(dir, `${i}-${path.basename(f)}`);
      const readable = ((await stat(f)).mode & 0o004) !== 0;
      let linked = false;
      if (readable) {
        try {
          await link(f, dest);
          linked = true;
        } catch {
          // other file system: copy below
        }
      }
      if (!linked) {
        await copyFile(f, dest);
        await chmod(dest, 0o644);
      }
      paths.push(dest);
    }
    return { paths, readOnly: [dir], cleanup: () => rm(dir, { recursive: true, force: true }) };
  }

  /** A writable directory for the sandbox whose contents end up in `target` on success. */
  private async stageOutput(target: string): Promise<{ dir: string; finish: (ok: boolean) => Promise<void> }> {
    await mkdir(target, { recursive: true });
    if (!this.o.runAsNobody) return { dir: path.resolve(target), finish: async () => undefined };
    const dir = await this.newScratch('out-');
    return {
      dir,
      finish: async (ok) => {
        if (ok) await cp(dir, target, { recursive: true, force: true });
        await rm(dir, { recursive: true, force: true });
      },
    };
  }

  private async spawn(
    kind: Kind,
    p: { readOnly: string[]; gpu: boolean; scratch?: string; threads?: number; timeoutS?: number; trusted?: boolean },
  ): Promise<RunnerProcess> {
    if (this.closed) throw new GenAutoMLError('runner.closed', 'the runner client is closed');
    const s = await this.setup();
    if (s.mode === 'unavailable' && !p.trusted) {
      throw new GenAutoMLError('sandbox.unavailable', `refusing to run untrusted model code without a sandbox: ${s.bwrapError}`, {
        hint: 'Install bubblewrap (Debian: apt-get install bubblewrap) and allow unprivileged user namespaces, or set GENAUTOML_ALLOW_UNSANDBOXED=true to accept the risk.',
        details: { bwrapError: s.bwrapError },
      });
    }
    const ownScratch = p.scratch === undefined;
    const scratch = p.scratch ?? (await this.newScratch(kind === 'validate' ? 'v-' : 't-'));
    const threads = p.threads ?? (kind === 'validate' ? Math.min(2, this.o.threads) : this.o.threads);
    const timeoutS = p.timeoutS ?? (kind === 'validate' ? this.o.validateTimeoutS : this.o.trialTimeoutS);
    const plan = planCommand({
      layout: s.layout,
      bwrap: s.bwrap,
      scratch,
      readOnly: [...new Set(p.readOnly)].filter((d) => d !== scratch),
      limits: this.limits(kind, p.gpu, threads, timeoutS),
      gpu: p.gpu,
      asNobody: this.o.runAsNobody && s.bwrap !== null,
      threads,
      extraEnv: this.o.extraEnv,
    });
    const proc = new RunnerProcess(plan, this.log, this.o.killGraceMs, this.o.maxLineBytes);
    if (ownScratch) {
      const cleanup = proc.waitExit().then(() => rm(scratch, { recursive: true, force: true }).catch(() => undefined));
      this.cleanups.add(cleanup);
      void cleanup.then(() => this.cleanups.delete(cleanup));
    }
    return proc;
  }

  private usesGpu(device: Device | undefined): boolean {
    const d = device ?? this.o.device;
    return d === 'cuda' || (d === 'auto' && hasNvidiaDevice());
  }

  private poolFor(): WarmPool | null {
    if (this.o.validatePoolSize <= 0) return null;
    this.pool ??= new WarmPool(
      this.o.validatePoolSize,
      () => this.spawn('validate', { readOnly: [], gpu: false }),
      (err) => this.log.debug('warm pool could not start a runner', { err }),
    );
    return this.pool;
  }

  /** Starts the warm pool (e.g. at server start) and resolves once a pooled process is ready. */
  async warmUp(): Promise<void> {
    await this.setup();
    await this.poolFor()?.whenReady();
  }

  /** Kills pooled processes; running calls keep their own processes until they finish. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
    await Promise.all([...this.cleanups]);
  }

  // ------------------------------------------------------------------------------------------
  // validate
  // ------------------------------------------------------------------------------------------

  async validate(code: string, dims: ModelDims, options: ValidateOptions = {}): Promise<ValidationReport> {
    const started = performance.now();
    const d = modelDimsSchema.parse(dims);
    if (options.signal?.aborted) throw new GenAutoMLError('runner.cancelled', 'validation cancelled');
    const pool = this.poolFor();
    const proc = pool ? await pool.acquire() : await this.spawn('validate', { readOnly: [], gpu: false });
    const timeoutS = options.timeoutS ?? this.o.validateTimeoutS;
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
        },
        { timeoutMs: timeoutS * 1000, ...(options.signal ? { signal: options.signal } : {}) },
      );
    } catch (e) {
      if (!(e instanceof RunnerFailure)) throw e;
      const f = e.failure;
      if (f.kind === 'cancelled') throw failureToError(f, 'validation');
      if (f.kind === 'spawn') throw failureToError(f, 'validation');
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
    return { ...parsed.data, durationMs: performance.now() - started, sandboxed: proc.sandboxed };
  }

  // ------------------------------------------------------------------------------------------
  // train / evaluate / latency / export
  // ------------------------------------------------------------------------------------------

  train(spec: TrainSpec, options: TrainCallOptions = {}): TrainRun {
    return new TrainRun(async (run, internal) => {
      modelDimsSchema.parse(spec.dims);
      const train = trainOptionsSchema.parse(spec.train ?? {});
      const signal = options.signal ? AbortSignal.any([options.signal, internal]) : internal;
      const gpu = this.usesGpu(options.device);
      const timeoutS = options.timeoutS ?? this.o.trialTimeoutS;
      const inputs = await this.stageInputs(dataFiles(spec.data));
      const out = await this.stageOutput(spec.workDir);
      let ok = false;
      try {
        const proc = await this.spawn('trial', {
          readOnly: inputs.readOnly,
          gpu,
          scratch: out.dir,
          timeoutS,
          ...(options.threads ? { threads: options.threads } : {}),
        });
        run.attach(proc);
        const res = await this.call(proc, 'training', {
          op: 'train',
          ...modelFields(spec),
          data: dataField(spec.data, inputs.paths),
          workDir: out.dir,
          train,
          paramBudget: options.paramBudget ?? this.o.paramBudget,
          policy: options.policy ?? true,
          device: options.device ?? this.o.device,
          threads: options.threads ?? this.o.threads,
        }, timeoutS, signal, options.onEvent);
        const result = parseOrThrow(trainResultSchema, res, 'train');
        ok = true;
        return { ...result, weightsPath: path.join(path.resolve(spec.workDir), 'weights.pt') };
      } finally {
        await out.finish(ok);
        await inputs.cleanup();
      }
    });
  }

  async evaluate(spec: EvaluateSpec, options: RunOptions & { policy?: boolean } = {}): Promise<EvaluateResult> {
    const files = [...dataFiles(spec.data), spec.weightsPath];
    const res = await this.runStaged(files, 'evaluation', options.timeoutS ?? this.o.trialTimeoutS, options, (paths) => ({
      op: 'evaluate',
      ...modelFields(spec),
      data: dataField(spec.data, paths),
      weightsPath: paths[paths.length - 1],
      anomaly: spec.anomaly ?? {},
      batchSize: spec.batchSize ?? 256,
    }));
    return parseOrThrow(evaluateResultSchema, res, 'evaluate');
  }

  async latency(spec: LatencySpec, options: RunOptions & { policy?: boolean } = {}): Promise<LatencyResult> {
    const files = spec.weightsPath ? [spec.weightsPath] : [];
    const res = await this.runStaged(files, 'latency measurement', options.timeoutS ?? Math.min(this.o.trialTimeoutS, 600), options, (paths) => ({
      op: 'latency',
      ...modelFields(spec),
      weightsPath: paths[0] ?? null,
      batchSize: spec.batchSize ?? 64,
      repeats: spec.repeats ?? 20,
    }));
    return parseOrThrow(latencyResultSchema, res, 'latency');
  }

  /** One request in a fresh trial process over staged read-only inputs, cleaned up afterwards. */
  private async runStaged(
    files: string[],
    what: string,
    timeoutS: number,
    options: RunOptions & { policy?: boolean },
    request: (paths: string[]) => Record<string, unknown>,
  ): Promise<unknown> {
    const inputs = await this.stageInputs(files);
    try {
      const proc = await this.spawn('trial', {
        readOnly: inputs.readOnly,
        gpu: this.usesGpu(options.device),
        timeoutS,
        ...(options.threads ? { threads: options.threads } : {}),
      });
      return await this.call(proc, what, {
        ...request(inputs.paths),
        policy: options.policy ?? true,
        device: options.device ?? this.o.device,
        threads: options.threads ?? this.o.threads,
      }, timeoutS, options.signal);
    } finally {
      await inputs.cleanup();
    }
  }

  async export(spec: ExportSpec, options: RunOptions & { policy?: boolean } = {}): Promise<ExportResult> {
    const timeoutS = options.timeoutS ?? Math.min(this.o.trialTimeoutS, 900);
    await mkdir(spec.outDir, { recursive: true });
    if ((await readdir(spec.outDir)).length > 0) {
      throw new GenAutoMLError('runner.export_exists', `export directory ${spec.outDir} is not empty`, { hint: 'Export into a new directory.' });
    }
    const inputs = await this.stageInputs([spec.weightsPath]);
    const out = await this.stageOutput(spec.outDir);
    let ok = false;
    try {
      const proc = await this.spawn('trial', {
        readOnly: inputs.readOnly,
        gpu: false,
        scratch: out.dir,
        timeoutS,
        ...(options.threads ? { threads: options.threads } : {}),
      });
      const res = await this.call(proc, 'export', {
        op: 'export',
        ...modelFields(spec),
        weightsPath: inputs.paths[0],
        outDir: out.dir,
        data: { name: spec.data.name ?? null, meta: spec.data.meta },
        metrics: spec.metrics ?? {},
        opset: spec.opset ?? 17,
        policy: options.policy ?? true,
        device: 'cpu',
        threads: options.threads ?? this.o.threads,
      }, timeoutS, options.signal);
      const result = parseOrThrow(exportResultSchema, res, 'export');
      ok = true;
      return { ...result, dir: path.resolve(spec.outDir) };
    } finally {
      await out.finish(ok);
      await inputs.cleanup();
    }
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

function modelFields(spec: { code: string; dims: ModelDims; hyper?: Record<string, Scalar>; revin?: RevinOption }): Record<string, unknown> {
  return { code: spec.code, dims: modelDimsSchema.parse(spec.dims), hyper: spec.hyper ?? {}, revin: spec.revin ?? false };
}

function dataFiles(data: { valuesPath: string; labelsPath?: string }): string[] {
  return [data.valuesPath, ...(data.labelsPath ? [data.labelsPath] : [])];
}

function dataField(data: DataRef, staged: string[]): Record<string, unknown> {
  return { valuesPath: staged[0], labelsPath: data.labelsPath ? staged[1] : null, meta: data.meta };
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
      return ['resource', 'the model wrote a file larger than the file-size limit and was killed', null];
    case 'memory':
      return ['resource', `the model exhausted the memory limit or was killed (${f.signal ?? `exit ${f.exitCode}`})`, tail];
    case 'protocol':
      return ['load', `the runner protocol was violated while running the model: ${f.message}`, tail];
    default:
      return ['resource', `the runner died while running the model: ${f.message}`, tail];
  }
}
