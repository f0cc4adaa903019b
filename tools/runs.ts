/**
 * Tool runs detached from the request that started them. A client times a request out (desktop
 * assistants after 60 s, without resetting on progress) or goes away; the work must not be lost
 * with it. An edge starts a background tool as a run, waits a bounded time for it, and otherwise
 * hands back the run's id: `task_status` follows it, and the run goes on to the end whoever is
 * still listening. Only an explicit cancellation stops it.
 *
 * Runs live in the process that started them (a study, the long work of `search`, lives in the
 * database and survives restarts on its own). Finished runs are kept for RUN_TTL_MS.
 *
 * A run may start before the App is open (the first call of a freshly started `genautoml mcp`
 * arrives while the embedded database is still opening): it waits for the App itself, inside the
 * bounded wait, so not even the first call blocks past MAX_WAIT_MS.
 */
import { randomBytes } from 'node:crypto';
import type { App } from '../engine/app.js';
import { GenAutoMLError, toGenAutoMLError } from '../engine/errors.js';
import type { AnyTool, Progress, ToolContext, ToolResult } from './define.js';
import { invokeTool } from './invoke.js';

export type RunState = 'running' | 'done' | 'failed' | 'cancelled';

export interface Run {
  id: string;
  tool: string;
  /** The App the run works on, once it is open. */
  app: App | null;
  state: RunState;
  progress: Progress | null;
  startedAt: Date;
  finishedAt: Date | null;
  result: ToolResult<Record<string, unknown>> | null;
  error: GenAutoMLError | null;
  /** Resolves when the run has ended, whatever the outcome; never rejects. */
  settled: Promise<void>;
  cancel(reason?: string): void;
  /** Listeners for progress while the run goes on (the waiting request's notifications). */
  onProgress: Set<(p: Progress) => void>;
}

/** How long a finished run's result stays readable. */
export const RUN_TTL_MS = 60 * 60_000;
/** Finished runs kept at most per app; the oldest go first. */
const MAX_FINISHED = 200;

/** One registry per process: run ids are random, and each run knows its App. */
const runs = new Map<string, Run>();

export type RunContext = Omit<ToolContext, 'signal' | 'progress' | 'app'>;

/** Starts `tool` with `args` as a run; the returned run is already registered. `app` may still be opening. */
export function startRun(app: App | Promise<App>, tool: AnyTool, args: unknown, ctx: RunContext): Run {
  prune();
  const controller = new AbortController();
  const run: Run = {
    id: `run_${randomBytes(6).toString('hex')}`,
    tool: tool.name,
    app: app instanceof Promise ? null : app,
    state: 'running',
    progress: null,
    startedAt: new Date(),
    finishedAt: null,
    result: null,
    error: null,
    settled: Promise.resolve(),
    cancel: (reason) => {
      if (run.state === 'running') controller.abort(new Error(reason ?? 'cancelled'));
    },
    onProgress: new Set(),
  };
  const progress = (p: Progress): void => {
    run.progress = p;
    for (const l of run.onProgress) l(p);
  };
  // invokeTool sees a cancellation that came while the App was opening.
  run.settled = Promise.resolve(app)
    .then((opened) => {
      run.app = opened;
      return invokeTool(tool, args, { ...ctx, app: opened, signal: controller.signal, progress });
    })
    .then(
      (result) => {
        run.result = result;
        run.state = 'done';
      },
      (err: unknown) => {
        const e = toGenAutoMLError(err);
        run.error = e;
        run.state = e.code === 'tool.cancelled' ? 'cancelled' : 'failed';
        if (e.code === 'internal.unexpected') ctx.logger.error('background run failed', { run: run.id, err: e.cause ?? e });
      },
    )
    .finally(() => {
      run.finishedAt = new Date();
      run.onProgress.clear();
    });
  runs.set(run.id, run);
  return run;
}

export function getRun(app: App, id: string): Run {
  const run = runs.get(id);
  // Another App in the same process (tests build several) does not see this one's runs.
  if (!run || (run.app !== null && run.app !== app)) {
    throw new GenAutoMLError('task.not_found', `No task ${id} in this server process.`, {
      hint: 'Task ids of load, benchmark, generate, export, EDA and validate runs last an hour and do not survive a restart; run the tool again. A search is followed by its study id with search_status.',
    });
  }
  return run;
}

/** Runs still going, for a graceful exit that lets them finish. */
export function activeRuns(app: App): Run[] {
  return [...runs.values()].filter((r) => r.state === 'running' && (r.app === app || r.app === null));
}

/** Waits up to `ms` for the run to end; true when it has. */
export async function waitForRun(run: Run, ms: number): Promise<boolean> {
  if (run.state !== 'running') return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([run.settled.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function prune(): void {
  const now = Date.now();
  const finished = [...runs.values()].filter((r) => r.finishedAt !== null);
  for (const r of finished) if (now - (r.finishedAt as Date).getTime() > RUN_TTL_MS) runs.delete(r.id);
  const left = finished.filter((r) => runs.has(r.id));
  for (const r of left.slice(0, Math.max(0, left.length - MAX_FINISHED))) runs.delete(r.id);
}

/** The longest any tool call waits for work by default: well under the 60 s clients time out at. */
export const MAX_WAIT_MS = 25_000;

/** The compact, schema-described picture of a run that tools hand back as a task handle. */
export interface RunHandle {
  id: string;
  tool: string;
  state: RunState;
  progress: { done: number; total: number | null; message: string | null } | null;
  elapsedS: number;
  follow: string;
}

export function runHandle(run: Run): RunHandle {
  const end = run.finishedAt ?? new Date();
  return {
    id: run.id,
    tool: run.tool,
    state: run.state,
    progress: run.progress ? { done: run.progress.done, total: run.progress.total ?? null, message: run.progress.message ?? null } : null,
    elapsedS: Math.round((end.getTime() - run.startedAt.getTime()) / 100) / 10,
    follow: `task_status {"task": "${run.id}", "wait": 20}`,
  };
}
