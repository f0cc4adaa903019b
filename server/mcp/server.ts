/**
 * The MCP server over the tool registry. One Server per connection (stdio process or HTTP
 * session); all of them share the one App.
 *
 * Built on the SDK's low-level Server with our own handlers, because every list pages with
 * cursors, tool calls go through invokeTool like every other edge (`[code] message — hint` with
 * the code in _meta), long tools run detached from the request (tools/runs.ts), and nothing here
 * needs the App or the tool modules to answer `initialize`: both are awaited by the handlers that
 * need them, so a client gets its answer while the database is still opening, and a database that
 * cannot be opened (`db.locked`) reaches the client as an error instead of a closed connection.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  McpError,
  type ServerNotification,
  type ServerRequest,
  type Task,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { App } from '../../engine/app.js';
import { formatError, GenAutoMLError, toGenAutoMLError } from '../../engine/errors.js';
import { type Logger, silentLogger } from '../../engine/log.js';
import { packageVersion } from '../../engine/paths.js';
import type { AnyTool, Progress, ProgressReporter } from '../../tools/define.js';
import { invokeTool } from '../../tools/invoke.js';
import { MAX_WAIT_MS, runHandle, startRun, waitForRun } from '../../tools/runs.js';
import { taskHandleSchema } from '../../tools/task_status.js';
import { onListChanged, signalListChanged } from './changes.js';
import { registerCompletions } from './completions.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { toCallToolResult, toErrorResult } from './result.js';
import { StudyWatcher } from './subscriptions.js';
import { supportsTask, ToolTasks } from './tasks.js';

export type AppSource = App | Promise<App>;

export interface McpServerOptions {
  tools?: readonly AnyTool[];
  /** Recorded as ToolContext.origin, e.g. `mcp:stdio` or `mcp:http`. */
  origin?: string;
  logger?: Logger;
  /** The longest a tool call waits before answering with a task handle (default MAX_WAIT_MS). */
  waitMs?: number;
  /** Owner id of this process for the tasks it runs (tests: a second "process" on one database). */
  taskOwner?: string;
  /** How often subscribed studies are checked for changes (default 2 s). */
  watchIntervalMs?: number;
}

/** Progress notifications at most this often, so a per-batch reporter cannot flood the client. */
const PROGRESS_INTERVAL_MS = 100;
/** JSON-RPC internal error, used when the server itself cannot serve (no database). */
const INTERNAL_ERROR = -32603;
const INVALID_PARAMS = -32602;

const INSTRUCTIONS =
  'genautoml turns time-series data into validated PyTorch models. Start with list_datasets or server_info; ' +
  'stored objects (datasets, models, studies, leaderboards, plots) are readable as genautoml:// resources. ' +
  'No call blocks for long: searches return a study id (follow with search_status), other long calls return a task id ' +
  'when they outlast ~25 s (follow with task_status). Errors read "[code] message — hint": follow the hint.';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The tools, loaded on first use: the definitions pull in most of the engine, which initialize does not need. */
export function loadTools(): Promise<readonly AnyTool[]> {
  return import('../../tools/index.js').then((m) => m.TOOLS);
}

export function createMcpServer(source: AppSource, options: McpServerOptions = {}): Server {
  const appPromise = Promise.resolve(source);
  // Rejections are answered per request; an unobserved one must not end the process.
  appPromise.catch(() => {});
  const toolsPromise = options.tools ? Promise.resolve(options.tools) : loadTools();
  toolsPromise.catch(() => {});
  const origin = options.origin ?? 'mcp';
  const waitMs = options.waitMs ?? MAX_WAIT_MS;
  const logger = (options.logger ?? (source instanceof Promise ? silentLogger : source.logger)).child({ component: 'mcp' });

  // The task store needs the App lazily (it reads the database), like every other handler.
  const tasks = new ToolTasks({
    getApp: () => getApp(),
    tools: () => toolsPromise,
    logger,
    origin,
    ...(options.taskOwner === undefined ? {} : { owner: options.taskOwner }),
    onStatus: (task) => {
      if (server.transport) server.notification({ method: 'notifications/tasks/status', params: task }).catch(() => {});
    },
  });

  const server = new Server(
    { name: 'genautoml', title: 'genautoml', version: packageVersion() },
    {
      capabilities: {
        tools: { listChanged: false },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: false },
        completions: {},
        logging: {},
        // MCP Tasks (2025-11-25): long tools may be called as tasks, polled with tasks/get.
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      instructions: INSTRUCTIONS,
      taskStore: tasks,
    },
  );

  /** The App, or the reason there is none as an MCP error (`[db.locked] … — hint`). */
  const getApp = async (): Promise<App> => {
    try {
      return await appPromise;
    } catch (err) {
      const e = toGenAutoMLError(err);
      throw new McpError(INTERNAL_ERROR, formatError(e), { code: e.code, hint: e.hint });
    }
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: (await toolsPromise).map(toolEntry) }));

  const call = async (name: string, args: unknown, extra: Extra): Promise<CallToolResult> => {
    const log = logger.child({ tool: name, requestId: extra.requestId, ...(extra.sessionId ? { sessionId: extra.sessionId } : {}) });
    try {
      const tools = await toolsPromise;
      const tool = (await import('../../tools/index.js')).getTool(name, tools);
      // A background run waits for the App inside its bounded wait; an inline tool is quick once
      // the App is open, so it waits for the App for at most the same bound.
      const result = tool.background ? await callInBackground(tool, args, extra, log) : await callInline(await appWithin(waitMs), tool, args, extra, log);
      if (tool.annotations.readOnlyHint !== true && !result.isError) appPromise.then(signalListChanged, () => {});
      return result;
    } catch (err) {
      const e = toGenAutoMLError(err);
      if (e.code === 'internal.unexpected') log.error('tool failed', { err: e.cause ?? e });
      else log.info('tool error', { code: e.code });
      return toErrorResult(e);
    }
  };

  /** The App once open, or `server.starting` when it is still opening after `ms` (no call blocks on it for longer). */
  const appWithin = async (ms: number): Promise<App> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new GenAutoMLError('server.starting', `The database is still opening after ${Math.round(ms / 1000)} s.`, {
              hint: 'Call again in a few seconds; a loaded machine or a first start (migrations) takes longer.',
            }),
          ),
        ms,
      );
    });
    try {
      return await Promise.race([appPromise, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  const callInline = async (app: App, tool: AnyTool, args: unknown, extra: Extra, log: Logger): Promise<CallToolResult> => {
    const result = await invokeTool(tool, args, { app, progress: progressSender(extra, log), signal: extra.signal, logger: log, origin, maxWaitMs: waitMs });
    return toCallToolResult(result);
  };

  const callInBackground = async (tool: AnyTool, args: unknown, extra: Extra, log: Logger): Promise<CallToolResult> => {
    const run = startRun(appPromise, tool, args, { logger: log, origin, maxWaitMs: waitMs });
    const send = progressSender(extra, log);
    run.onProgress.add(send);
    // The SDK aborts a handler both when the client cancels it and when the connection closes;
    // only the first stops the work. On close it clears the transport in the same tick.
    const onAbort = (): void => {
      setImmediate(() => {
        if (server.transport !== undefined) run.cancel('cancelled by the client');
      });
    };
    extra.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (await waitForRun(run, waitMs)) {
        if (run.result) return toCallToolResult(run.result);
        return toErrorResult(run.error ?? new GenAutoMLError('internal.unexpected', 'The run ended without a result.'));
      }
      const handle = runHandle(run);
      const p = handle.progress;
      log.info('answering with a task handle', { run: run.id });
      return {
        content: [
          {
            type: 'text',
            text:
              `${tool.name} is still running after ${handle.elapsedS} s${p ? ` (${p.done}${p.total === null ? '' : `/${p.total}`}${p.message ? ` ${p.message}` : ''})` : ''}; ` +
              `it goes on in the background as task ${run.id}. Follow it with ${handle.follow}.`,
          },
        ],
        structuredContent: { task: handle },
      };
    } finally {
      run.onProgress.delete(send);
      extra.signal.removeEventListener('abort', onAbort);
    }
  };

  /** tools/call with `task`: the task at once; its state lives in the database (tasks.ts). */
  const callAsTask = async (name: string, args: Record<string, unknown>, ttl: number | undefined, extra: Extra): Promise<{ task: Task }> => {
    try {
      const tool = (await import('../../tools/index.js')).getTool(name, await toolsPromise);
      const app = await appWithin(waitMs);
      const task = await tasks.start(app, tool, args, ttl, extra.sessionId);
      if (tool.annotations.readOnlyHint !== true) signalListChanged(app);
      return { task };
    } catch (err) {
      if (err instanceof McpError) throw err;
      // No task was created, so the reason is the request's error (`[code] message — hint`).
      const e = toGenAutoMLError(err);
      throw new McpError(e.code.startsWith('tool.') ? INVALID_PARAMS : INTERNAL_ERROR, formatError(e), { code: e.code, hint: e.hint });
    }
  };

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = request.params.arguments ?? {};
    if (request.params.task) return callAsTask(request.params.name, args, request.params.task.ttl, extra);
    return call(request.params.name, args, extra);
  });

  registerResources(server, getApp);
  registerPrompts(server);
  registerCompletions(server, getApp);

  const watcher = new StudyWatcher(server, getApp, logger, options.watchIntervalMs ?? 2000);
  let unlisten: (() => void) | undefined;
  appPromise.then(
    (app) => {
      unlisten = onListChanged(app, () => {
        if (server.transport) server.sendResourceListChanged().catch(() => {});
      });
    },
    () => {},
  );
  const previousOnClose = server.onclose;
  server.onclose = () => {
    unlisten?.();
    watcher.stop();
    previousOnClose?.();
  };
  return server;
}

/**
 * A tool as tools/list publishes it. A background tool may answer with a task handle instead of
 * its result, so its output schema has every field optional plus `task`.
 */
function toolEntry(tool: AnyTool): Tool {
  const own = tool.output as z.ZodObject;
  // A tool whose own result has a `task` field (benchmark: forecasting or anomaly) keeps it: the
  // field takes either its own value or the handle.
  const taskField = own.shape.task ? z.union([own.shape.task as z.ZodType, taskHandleSchema]) : taskHandleSchema;
  const output = tool.background ? own.partial().extend({ task: taskField.optional() }) : own;
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: objectSchema(z.toJSONSchema(tool.input, { io: 'input' })),
    outputSchema: objectSchema(z.toJSONSchema(output, { io: 'output' })),
    annotations: { title: tool.title, ...tool.annotations },
    // Called without `task` they answer as before (the result, or a handle for task_status).
    execution: { taskSupport: supportsTask(tool) ? 'optional' : 'forbidden' },
  };
}

function objectSchema(schema: Record<string, unknown>): Tool['inputSchema'] {
  return { ...schema, type: 'object' };
}

/** notifications/progress for requests that asked for it (carried a progressToken); otherwise a no-op. */
function progressSender(extra: Extra, log: Logger): ProgressReporter {
  const token = extra._meta?.progressToken;
  if (token === undefined) return () => {};
  let last = -Infinity;
  let lastSent = 0;
  return (p: Progress) => {
    // The protocol requires progress to increase; a reporter restarting a phase must not go back.
    const value = Math.max(p.done, last);
    const final = p.total !== undefined && value >= p.total;
    const now = Date.now();
    if (value === last && !p.message) return;
    if (!final && now - lastSent < PROGRESS_INTERVAL_MS) return;
    last = value;
    lastSent = now;
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: {
          progressToken: token,
          progress: value,
          ...(p.total === undefined ? {} : { total: p.total }),
          ...(p.message === undefined ? {} : { message: p.message }),
        },
      })
      .catch((err: unknown) => log.debug('progress notification not delivered', { err }));
  };
}
