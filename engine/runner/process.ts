/**
 * One runner process: spawn (sandboxed), wait for `ready`, send one request, stream events,
 * receive one result. Every line is size-capped and zod-validated; the wall clock, an abort
 * signal or a protocol violation ends the process with SIGTERM and, after a grace period, SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { GenAutoMLError } from '../errors.js';
import type { Logger } from '../log.js';
import {
  DEFAULT_MAX_LINE_BYTES,
  LineSplitter,
  TailBuffer,
  eventMessageSchema,
  readyMessageSchema,
  resultMessageSchema,
  type ReadyMessage,
  type ResultMessage,
} from './protocol.js';
import type { CommandPlan } from './sandbox.js';
import type { RunnerEvent } from './types.js';

/** How a process ended without a result, in words a report can carry. */
export interface ProcessFailure {
  kind: 'timeout' | 'cancelled' | 'cpu_limit' | 'file_limit' | 'memory' | 'crashed' | 'protocol' | 'spawn' | 'sandbox';
  message: string;
  exitCode: number | null;
  signal: string | null;
  stderr: string;
}

export class RunnerFailure extends Error {
  constructor(readonly failure: ProcessFailure) {
    super(failure.message);
    this.name = 'RunnerFailure';
  }
}

export interface RequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onEvent?: (e: RunnerEvent) => void;
}

const SIGNALS: Record<number, string> = { 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ' };

export class RunnerProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<ReadyMessage>;
  readonly sandboxed: boolean;
  private readonly stderr = new TailBuffer(16 * 1024);
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private result: ResultMessage | null = null;
  private resolveResult: ((r: ResultMessage) => void) | null = null;
  private onEvent: ((e: RunnerEvent) => void) | undefined;
  private protocolError: string | null = null;
  private killReason: ProcessFailure['kind'] | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private requested = false;
  private gotReady = false;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(
    plan: CommandPlan,
    private readonly logger: Logger,
    private readonly killGraceMs = 2000,
    maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    this.sandboxed = plan.sandboxed;
    this.child = spawn(plan.command, plan.args, {
      cwd: plan.cwd,
      env: plan.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group: a kill reaches the interpreter even without bwrap.
      detached: true,
      ...(plan.uid !== undefined ? { uid: plan.uid, gid: plan.gid } : {}),
    });
    let resolveReady!: (m: ReadyMessage) => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    // A pool process may die before anyone awaits `ready`.
    this.ready.catch(() => undefined);
    const splitter = new LineSplitter(
      maxLineBytes,
      (line) => this.onLine(line, resolveReady),
      (bytes) => {
        this.protocolError = `runner wrote a protocol line over ${maxLineBytes} bytes (${bytes}+)`;
        this.kill('protocol');
      },
    );
    this.child.stdout!.on('data', (c: Buffer) => splitter.push(c));
    this.child.stderr!.on('data', (c: Buffer) => this.stderr.push(c));
    this.child.stdin!.on('error', () => undefined); // EPIPE when the process already died
    this.exited = new Promise((res) => {
      this.child.on('error', (err) => {
        this.protocolError = `cannot start ${plan.command}: ${err.message}`;
        this.killReason = 'spawn';
        this.exitInfo = { code: null, signal: null };
        res(this.exitInfo);
      });
      this.child.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        res(this.exitInfo);
      });
    });
    void this.exited.then(() => {
      if (this.killTimer) clearTimeout(this.killTimer);
      rejectReady(new RunnerFailure(this.failure()));
    });
  }

  private onLine(line: string, resolveReady: (m: ReadyMessage) => void): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.protocolError = `runner wrote a non-JSON line: ${line.slice(0, 200)}`;
      this.kill('protocol');
      return;
    }
    const type = (json as { type?: unknown } | null)?.type;
    if (type === 'ready') {
      const r = readyMessageSchema.safeParse(json);
      if (!r.success) return this.badMessage('ready', r.error.message);
      this.gotReady = true;
      resolveReady(r.data);
    } else if (type === 'event') {
      const r = eventMessageSchema.safeParse(json);
      if (!r.success) return this.badMessage('event', r.error.message);
      try {
        this.onEvent?.(r.data);
      } catch (err) {
        this.logger.warn('runner event handler threw', { err });
      }
    } else if (type === 'result') {
      const r = resultMessageSchema.safeParse(json);
      if (!r.success) return this.badMessage('result', r.error.message);
      if (this.result) return;
      this.result = r.data;
      this.resolveResult?.(r.data);
    } else {
      this.badMessage(String(type), 'unknown message type');
    }
  }

  private badMessage(kind: string, why: string): void {
    this.protocolError = `runner sent an invalid ${kind} message: ${why.slice(0, 1000)}`;
    this.kill('protocol');
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  /** SIGTERM now, SIGKILL after the grace period; to the whole process group. */
  kill(reason: ProcessFailure['kind'], why?: string): void {
    if (this.exitInfo) return;
    if (why && !this.killReason) this.protocolError = why;
    this.killReason ??= reason;
    this.signal('SIGTERM');
    this.killTimer ??= setTimeout(() => this.signal('SIGKILL'), this.killGraceMs);
    this.killTimer.unref?.();
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.exitInfo) return;
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        this.child.kill(sig);
      } catch {
        // already gone
      }
    }
  }

  private stopPending = false;
  private sent = false;

  /** Asks a training run to stop after the current epoch (pruning); remembered until sent. */
  stop(): void {
    this.stopPending = true;
    if (this.alive && this.sent) this.child.stdin!.write(JSON.stringify({ type: 'stop' }) + '\n');
  }

  /** One line to the runner's stdin (causal evaluation windows). */
  send(msg: Record<string, unknown>): void {
    if (this.alive) this.child.stdin!.write(JSON.stringify(msg) + '\n');
  }

  /** Pool processes must not keep the event loop alive while they wait. */
  setRef(ref: boolean): void {
    // The child and its pipes (sockets at run time, though typed as plain streams) each hold the loop.
    for (const s of [this.child, this.child.stdout, this.child.stderr, this.child.stdin]) {
      if (!refable(s)) continue;
      if (ref) s.ref();
      else s.unref();
    }
  }

  async request(req: Record<string, unknown>, opts: RequestOptions): Promise<ResultMessage> {
    if (this.requested) throw new Error('one request per runner process');
    this.requested = true;
    this.onEvent = opts.onEvent;
    this.setRef(true);
    const timer = setTimeout(() => this.kill('timeout'), opts.timeoutMs);
    const onAbort = (): void => this.kill('cancelled');
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.ready;
      const payload = JSON.stringify(req) + '\n';
      this.child.stdin!.write(payload);
      this.sent = true;
      if (this.stopPending) this.stop();
      const got = await Promise.race([
        new Promise<ResultMessage>((res) => {
          if (this.result) res(this.result);
          this.resolveResult = res;
        }),
        this.exited.then(() => null),
      ]);
      if (got) {
        // Done: the process exits by itself; make sure a stuck one does not linger.
        void this.exited;
        const t = setTimeout(() => this.kill('crashed'), 5000);
        t.unref?.();
        void this.exited.then(() => clearTimeout(t));
        return got;
      }
      if (this.result) return this.result;
      throw new RunnerFailure(this.failure());
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  async waitExit(): Promise<void> {
    await this.exited;
  }

  stderrTail(): string {
    return this.stderr.text();
  }

  failure(): ProcessFailure {
    const code = this.exitInfo?.code ?? null;
    const sig = this.exitInfo?.signal ?? null;
    // bwrap reports a child killed by signal N as exit status 128 + N.
    const sigName = sig ?? (code !== null && code > 128 ? (SIGNALS[code - 128] ?? `signal ${code - 128}`) : null);
    const stderr = this.stderr.text();
    const base = { exitCode: code, signal: sigName, stderr };
    if (this.killReason === 'timeout') return { ...base, kind: 'timeout', message: 'wall-clock limit reached; the runner was killed' };
    if (this.killReason === 'cancelled') return { ...base, kind: 'cancelled', message: 'cancelled; the runner was killed' };
    if (this.killReason === 'protocol' || this.killReason === 'spawn') return { ...base, kind: this.killReason, message: this.protocolError ?? 'protocol error' };
    if (!this.gotReady && /seccomp filter unavailable/.test(stderr)) return { ...base, kind: 'sandbox', message: `the runner's seccomp filter could not load: ${stderr.trim().slice(-500)}` };
    if (this.killReason === 'file_limit') return { ...base, kind: 'file_limit', message: this.protocolError ?? 'the scratch directory outgrew its cap; the runner was killed' };
    if (!this.gotReady && /^bwrap: /m.test(stderr)) return { ...base, kind: 'spawn', message: `the sandbox could not start: ${stderr.trim().slice(0, 500)}` };
    if (sigName === 'SIGXCPU' || /CPU time limit/i.test(stderr)) return { ...base, kind: 'cpu_limit', message: 'CPU-time limit (RLIMIT_CPU) reached; the runner was killed' };
    if (sigName === 'SIGXFSZ') return { ...base, kind: 'file_limit', message: 'file-size limit (RLIMIT_FSIZE) reached; the runner was killed' };
    if (/MemoryError|Cannot allocate memory|std::bad_alloc|out of memory/i.test(stderr) || sigName === 'SIGKILL')
      return { ...base, kind: 'memory', message: `the runner ran out of memory or was killed (${sigName ?? `exit ${code}`})` };
    const lastLine = stderr.trim().split('\n').slice(-1)[0] ?? '';
    return { ...base, kind: 'crashed', message: `the runner exited without a result (${sigName ?? `exit ${code}`})${lastLine ? `: ${lastLine.slice(0, 300)}` : ''}` };
  }
}

export function failureToError(f: ProcessFailure, what: string): GenAutoMLError {
  const details = { kind: f.kind, exitCode: f.exitCode, signal: f.signal, stderr: f.stderr.slice(-4000) };
  switch (f.kind) {
    case 'timeout':
      return new GenAutoMLError('runner.timeout', `${what}: ${f.message}`, { details, hint: 'Raise the timeout, use fewer epochs or a smaller model.' });
    case 'cancelled':
      return new GenAutoMLError('runner.cancelled', `${what}: ${f.message}`, { details });
    case 'sandbox':
      return new GenAutoMLError('sandbox.unavailable', `${what}: ${f.message}`, {
        details,
        hint: 'Install python3-seccomp (Debian), or set GENAUTOML_ALLOW_UNSANDBOXED=true to accept running model code without the seccomp filter.',
      });
    case 'spawn':
      return new GenAutoMLError('runner.unavailable', `${what}: ${f.message}`, { details, hint: 'Set GENAUTOML_PYTHON to an interpreter with torch installed.' });
    case 'protocol':
      return new GenAutoMLError('runner.protocol', `${what}: ${f.message}`, { details, hint: 'The model or the runner wrote something other than protocol lines; see details.stderr.' });
    default:
      return new GenAutoMLError('runner.crashed', `${what}: ${f.message}`, { details, hint: 'See details.stderr; memory, CPU-time and file-size limits are set by GENAUTOML_RUNNER_MEMORY_MB and the timeouts.' });
  }
}

function refable(s: unknown): s is { ref(): void; unref(): void } {
  return typeof s === 'object' && s !== null && typeof (s as { unref?: unknown }).unref === 'function' && typeof (s as { ref?: unknown }).ref === 'function';
}
