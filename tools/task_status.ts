/** task_status: follows a background tool run (load_dataset, benchmark, generate, export, EDA, validate) by its task id. */
import { z } from 'zod';
import { defineTool } from './define.js';
import { getRun, MAX_WAIT_MS, runHandle, waitForRun } from './runs.js';

export const taskHandleSchema = z.object({
  id: z.string().describe('Task id: pass it to task_status.'),
  tool: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  progress: z.object({ done: z.number(), total: z.number().nullable(), message: z.string().nullable() }).nullable(),
  elapsedS: z.number(),
  follow: z.string().describe('The call that follows this task.'),
});

export const taskStatus = defineTool({
  name: 'task_status',
  title: 'Task status',
  description:
    'Follows a long tool call that is still running in the background (load_dataset, benchmark, generate_pytorch_model, export_model, run_eda, ' +
    'validate hand back a task id when they take longer than a client should wait). Waits up to `wait` seconds (at most 25) for ' +
    'it to end, then returns its state and progress, and once done the tool’s own result. Searches are followed with search_status.',
  input: z.object({
    task: z.string().min(1).describe('Task id (run_…) from a tool result.'),
    wait: z.number().min(0).max(MAX_WAIT_MS / 1000).default(0).describe('Seconds to wait for the task to end before answering (0–25).'),
    cancel: z.boolean().default(false).describe('Cancel the task instead.'),
  }),
  output: z.object({
    task: taskHandleSchema,
    result: z.record(z.string(), z.unknown()).nullable().describe('The tool’s structured result, once done.'),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().nullable() }).nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  cli: { name: 'task', positional: ['task'] },
  async handler(args, ctx) {
    const run = getRun(ctx.app, args.task);
    if (args.cancel) run.cancel('cancelled by task_status');
    if (args.cancel || args.wait > 0) await waitForRun(run, args.cancel ? 5000 : args.wait * 1000);
    const handle = runHandle(run);
    const result = run.state === 'done' ? (run.result?.data ?? null) : null;
    const error = run.error ? { code: run.error.code, message: run.error.message, hint: run.error.hint ?? null } : null;
    const p = handle.progress;
    const summary =
      run.state === 'done'
        ? (run.result?.summary ?? `${run.tool} done.`)
        : run.state === 'running'
          ? `${run.tool} (${run.id}) still running after ${handle.elapsedS} s${p ? `: ${p.done}${p.total === null ? '' : `/${p.total}`}${p.message ? ` ${p.message}` : ''}` : ''}. Ask again with ${handle.follow}.`
          : `${run.tool} (${run.id}) ${run.state}: [${error?.code}] ${error?.message}${error?.hint ? ` — ${error.hint}` : ''}`;
    return { data: { task: handle, result, error }, summary, ...(run.result?.links ? { links: run.result.links } : {}), ...(run.result?.images ? { images: run.result.images } : {}) };
  },
});
