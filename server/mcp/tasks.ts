/**
 * MCP Tasks (2025-11-25, `tasks` capability; the same model the 2026-07-28 revision moves into the
 * `io.modelcontextprotocol/tasks` extension) for the long tools. A client that sends
 * `tools/call` with `task` gets a task at once and polls `tasks/get`, then reads `tasks/result`;
 * a client that does not keeps today's behaviour (the result, or a handle task_status follows).
 *
 * Each task is a row in tool_tasks, so its state is read from the database, not from the
 * connection that created it:
 *  - `search` follows its study, which lives in the database and is worked through the pg-boss
 *    queue by any worker: the task survives the client, the connection and a server restart, and
 *    completes with search's own result (state, best) when the study ends; search_status and the
 *    study resources have the rest.
 *  - every other long tool (load_dataset, run_eda, generate, validate, benchmark, export) runs as
 *    an in-process run (tools/runs.ts) whose outcome is written to the row. Such a run does not
 *    survive its process: a task whose owner process is gone is failed on the next read with
 *    `task.lost`, never left "working" for ever.
 * Tasks are not bound to a session: ids are unguessable, every client of the server already sees
 * every study, and a client reconnecting (a new HTTP session) must still find its task.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import { type CallToolResult, McpError, type Request, type RequestId, type Result, type Task } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../engine/app.js';
import { GenAutoMLError, toGenAutoMLError } from '../../engine/errors.js';
import type { Logger } from '../../engine/log.js';
import { createToolTaskRepo, type ToolTaskRecord, type ToolTaskRepo } from '../../storage/tasks.js';
import type { AnyTool, ToolResult } from '../../tools/define.js';
import { invokeTool } from '../../tools/invoke.js';
import { getRun, type Run, startRun } from '../../tools/runs.js';
import { toCallToolResult, toErrorResult } from './result.js';

/** How often a client is asked to poll tasks/get. */
export const TASK_POLL_INTERVAL_MS = 2000;
/** How long a finished task's result is kept when the client asks for no TTL of its own. */
export const TASK_DEFAULT_TTL_MS = 24 * 60 * 60_000;
/** The longest TTL granted (a client asking for more gets this). */
const TASK_MAX_TTL_MS = 7 * 24 * 60 * 60_000;
const LIST_PAGE = 50;
const INVALID_PARAMS = -32602;
const METHOD_NOT_FOUND = -32601;

/** This process, as the owner of the runs it starts. */
export const PROCESS_OWNER = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

const TERMINAL_STUDY = new Set(['done', 'failed', 'cancelled']);

/** The tools a client may call as a task: those that can outlast a request. */
export function supportsTask(tool: AnyTool): boolean {
  return tool.background === true || tool.name === 'search';
}

export interface ToolTaskOptions {
  getApp: () => Promise<App>;
  tools: () => Promise<readonly AnyTool[]>;
  logger: Logger;
  origin: string;
  /** Told when a task this process ran reaches a terminal status (notifications/tasks/status). */
  onStatus?: (task: Task) => void;
  /** Owner id of this process (tests start a second "process" on the same database). */
  owner?: string;
}

export class ToolTasks implements TaskStore {
  private readonly owner: string;

  constructor(private readonly options: ToolTaskOptions) {
    this.owner = options.owner ?? PROCESS_OWNER;
  }

  /** Starts `tool` as a task; answers with the task at once (the work goes on detached). */
  async start(app: App, tool: AnyTool, args: Record<string, unknown>, ttl: number | undefined, sessionId: string | undefined): Promise<Task> {
    if (!supportsTask(tool)) throw new McpError(METHOD_NOT_FOUND, `${tool.name} answers at once and cannot run as a task; call it without "task".`);
    const repo = createToolTaskRepo(app.db);
    const rec = await repo.insert({
      id: `task_${randomBytes(9).toString('base64url')}`,
      tool: tool.name,
      studyId: null,
      runId: null,
      owner: this.owner,
      sessionId: sessionId ?? null,
      ttlMs: grantTtl(ttl),
      pollIntervalMs: TASK_POLL_INTERVAL_MS,
    });
    const log = this.options.logger.child({ task: rec.id, tool: tool.name });
    if (tool.name === 'search') {
      // A task never holds the request: the study is followed through its row, not waited on.
      try {
        const started = await invokeTool(tool, { ...args, wait: false }, { app, progress: () => {}, signal: new AbortController().signal, logger: log, origin: this.options.origin });
        await repo.link(rec.id, { studyId: String(started.data.studyId) });
      } catch (err) {
        await this.settle(repo, rec.id, 'failed', toErrorResult(toGenAutoMLError(err)));
      }
    } else {
      const run = startRun(app, tool, args, { logger: log, origin: this.options.origin });
      await repo.link(rec.id, { runId: run.id });
      void run.settled.then(() => this.recordRun(repo, rec.id, run));
    }
    return toTask(await this.refresh(app, repo, (await repo.find(rec.id)) as ToolTaskRecord));
  }

  // ---- TaskStore, called by the SDK's tasks/get, tasks/result, tasks/list and tasks/cancel ----

  async createTask(params: CreateTaskOptions, _requestId: RequestId, request: Request, sessionId?: string): Promise<Task> {
    const app = await this.options.getApp();
    const rec = await createToolTaskRepo(app.db).insert({
      id: `task_${randomBytes(9).toString('base64url')}`,
      tool: String((request.params as { name?: unknown } | undefined)?.name ?? request.method),
      studyId: null,
      runId: null,
      owner: this.owner,
      sessionId: sessionId ?? null,
      ttlMs: grantTtl(params.ttl ?? undefined),
      pollIntervalMs: params.pollInterval ?? TASK_POLL_INTERVAL_MS,
    });
    return toTask(rec);
  }

  async getTask(taskId: string): Promise<Task | null> {
    const { app, repo } = await this.repo();
    const rec = await repo.find(taskId);
    return rec ? toTask(await this.refresh(app, repo, rec)) : null;
  }

  async storeTaskResult(taskId: string, status: 'completed' | 'failed', result: Result): Promise<void> {
    const { repo } = await this.repo();
    await this.settle(repo, taskId, status, result);
  }

  async getTaskResult(taskId: string): Promise<Result> {
    const { app, repo } = await this.repo();
    const rec = await repo.find(taskId);
    if (!rec) throw new McpError(INVALID_PARAMS, `No task ${taskId}.`);
    const now = await this.refresh(app, repo, rec);
    if (now.result === null) throw new McpError(INVALID_PARAMS, `Task ${taskId} is still ${now.status}; poll tasks/get until it is terminal.`);
    return now.result as Result;
  }

  async updateTaskStatus(taskId: string, status: Task['status'], statusMessage?: string): Promise<void> {
    const { app, repo } = await this.repo();
    const rec = await repo.find(taskId);
    if (!rec) throw new McpError(INVALID_PARAMS, `No task ${taskId}.`);
    if (status === 'cancelled') return this.cancel(app, repo, rec);
    if (status === 'completed' || status === 'failed') {
      await this.settle(repo, taskId, status, { content: [{ type: 'text', text: statusMessage ?? status }], ...(status === 'failed' ? { isError: true } : {}) });
    }
    // working / input_required: nothing to record (genautoml never asks for input mid-task).
  }

  async listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const offset = cursor === undefined ? 0 : decodeCursor(cursor);
    const { app, repo } = await this.repo();
    const rows = await repo.list(offset, LIST_PAGE + 1);
    const page = await Promise.all(rows.slice(0, LIST_PAGE).map((r) => this.refresh(app, repo, r)));
    return { tasks: page.map(toTask), ...(rows.length > LIST_PAGE ? { nextCursor: encodeCursor(offset + LIST_PAGE) } : {}) };
  }

  // ---- internals ----

  private async repo(): Promise<{ app: App; repo: ToolTaskRepo }> {
    const app = await this.options.getApp();
    return { app, repo: createToolTaskRepo(app.db) };
  }

  /** A working task's current truth: its study's state, its run's outcome, or lost with its process. */
  private async refresh(app: App, repo: ToolTaskRepo, rec: ToolTaskRecord): Promise<ToolTaskRecord> {
    if (rec.status !== 'working') return rec;
    if (rec.studyId !== null) {
      const study = await app.studies.get(rec.studyId).catch(() => null);
      if (study === null) {
        await this.settle(repo, rec.id, 'failed', toErrorResult(new GenAutoMLError('study.not_found', `The study ${rec.studyId} of this task is gone.`)));
      } else if (TERMINAL_STUDY.has(study.state)) {
        // What search itself answers (its output schema), now that the study has ended.
        // (Imported here: the search module pulls in the engine, which initialize must not wait for.)
        const { searchOutcome } = await import('../../tools/search.js');
        const result = toCallToolResult((await searchOutcome(app, rec.studyId)) as ToolResult<Record<string, unknown>>);
        const final = study.state === 'done' ? 'completed' : study.state === 'cancelled' ? 'cancelled' : 'failed';
        await this.settle(repo, rec.id, final, final === 'completed' ? result : { ...result, isError: true });
      } else {
        return rec;
      }
    } else if (rec.owner !== this.owner) {
      await this.settle(
        repo,
        rec.id,
        'failed',
        toErrorResult(
          new GenAutoMLError('task.lost', `The server process that ran ${rec.tool} (task ${rec.id}) stopped before it finished.`, {
            hint: `Call ${rec.tool} again; only searches (their studies) outlive the process that started them.`,
          }),
        ),
      );
    } else if (rec.runId !== null) {
      let run: Run | undefined;
      try {
        run = getRun(app, rec.runId);
      } catch {
        run = undefined;
      }
      if (run === undefined) await this.settle(repo, rec.id, 'failed', toErrorResult(new GenAutoMLError('task.lost', `The run of task ${rec.id} is no longer known to this process.`, { hint: `Call ${rec.tool} again.` })));
      else if (run.state === 'running') return { ...rec, statusMessage: progressText(run) ?? null };
      else await this.recordRun(repo, rec.id, run);
    } else {
      return rec;
    }
    return (await repo.find(rec.id)) ?? rec;
  }

  private async recordRun(repo: ToolTaskRepo, id: string, run: Run): Promise<void> {
    if (run.state === 'done' && run.result) return this.settle(repo, id, 'completed', toCallToolResult(run.result));
    const err = run.error ?? new GenAutoMLError('internal.unexpected', 'The run ended without a result.');
    await this.settle(repo, id, run.state === 'cancelled' ? 'cancelled' : 'failed', toErrorResult(err), err.message);
  }

  private async cancel(app: App, repo: ToolTaskRepo, rec: ToolTaskRecord): Promise<void> {
    if (rec.studyId !== null) {
      const tools = await this.options.tools();
      const cancel = tools.find((t) => t.name === 'cancel_search') as AnyTool;
      await invokeTool(cancel, { study: rec.studyId }, { app, progress: () => {}, signal: new AbortController().signal, logger: this.options.logger, origin: this.options.origin });
    } else if (rec.runId !== null && rec.owner === this.owner) {
      try {
        getRun(app, rec.runId).cancel('cancelled through tasks/cancel');
      } catch {
        // already gone: recorded below
      }
    }
    await this.settle(repo, rec.id, 'cancelled', toErrorResult(new GenAutoMLError('tool.cancelled', `${rec.tool} was cancelled.`, { hint: 'Run it again when you want the result.' })), 'Cancelled by the client.');
  }

  private async settle(repo: ToolTaskRepo, id: string, status: 'completed' | 'failed' | 'cancelled', result: Result | CallToolResult, message?: string): Promise<void> {
    try {
      if (!(await repo.finish(id, status, result as Record<string, unknown>, message))) return;
      const rec = await repo.find(id);
      if (rec) this.options.onStatus?.(toTask(rec));
    } catch (err) {
      // A database outage must not end the process; the next tasks/get reads the run again.
      this.options.logger.warn('task outcome not recorded', { task: id, err });
    }
  }
}

function toTask(rec: ToolTaskRecord): Task {
  return {
    taskId: rec.id,
    status: rec.status,
    ttl: rec.ttlMs,
    createdAt: rec.createdAt.toISOString(),
    lastUpdatedAt: rec.updatedAt.toISOString(),
    pollInterval: rec.pollIntervalMs,
    ...(rec.statusMessage === null ? {} : { statusMessage: rec.statusMessage }),
  };
}

function grantTtl(ttl: number | undefined): number {
  if (ttl === undefined || !Number.isFinite(ttl) || ttl <= 0) return TASK_DEFAULT_TTL_MS;
  return Math.min(Math.round(ttl), TASK_MAX_TTL_MS);
}

function progressText(run: Run): string | undefined {
  const p = run.progress;
  if (!p) return undefined;
  return `${p.done}${p.total === undefined ? '' : `/${p.total}`}${p.message ? ` ${p.message}` : ''}`;
}

function encodeCursor(offset: number): string {
  return Buffer.from(`tasks:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^tasks:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new McpError(INVALID_PARAMS, 'Invalid cursor: pass nextCursor from the previous tasks/list page unchanged.');
  return Number(m[1]);
}
