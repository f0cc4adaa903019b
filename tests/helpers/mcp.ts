/**
 * The SDK's own MCP Client on the built `genautoml mcp` over stdio, as a desktop assistant runs it,
 * and the two ways such a client follows long work: a task handle (task_status) and a study
 * (search_status).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';
import { BIN, childEnv } from './app.js';

export interface StdioConnection {
  client: Client;
  /** Everything the server wrote to stderr so far (its log), for failure messages. */
  stderr(): string;
  close(): Promise<void>;
}

/** Spawns `genautoml mcp` with `env` (made a child's by childEnv) and connects a Client named `name`. */
export async function connectStdio(env: Record<string, string>, options: { name?: string } = {}): Promise<StdioConnection> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env: childEnv(env), stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: options.name ?? 'genautoml-e2e', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** A tools/call as the test makes it (its timeout, its bookkeeping): the structuredContent of a result it has checked is no error. */
export type CallTool = (tool: string, args: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface TaskHandle {
  id: string;
  state: string;
  follow: string;
}

/**
 * The task handle a background tool answers with when it outlasts its wait: an object with the
 * call that follows it and no result beside it (not, say, benchmark's `task: "forecasting"`).
 */
export function taskHandle(data: Record<string, unknown> | undefined): TaskHandle | undefined {
  const task = data?.task;
  if (typeof task !== 'object' || task === null || !('follow' in task) || 'result' in data!) return undefined;
  return task as TaskHandle;
}

/**
 * The tool's result: `data` itself, or, when it is a running task's handle, the result the task
 * ends with, followed with task_status (20 s of waiting a call). The task must end done.
 */
export async function untilDone(call: CallTool, data: Record<string, unknown>, maxPolls = 60): Promise<Record<string, unknown>> {
  for (let i = 0; i < maxPolls; i++) {
    const handle = taskHandle(data);
    if (handle?.state !== 'running') return data;
    const status = await call('task_status', { task: handle.id, wait: 20 });
    const task = status.task as TaskHandle;
    if (task.state === 'running') continue;
    expect(status.error, JSON.stringify(status).slice(0, 3000)).toBeNull();
    expect(task.state).toBe('done');
    data = status.result as Record<string, unknown>;
  }
  throw new Error(`task still running after ${maxPolls} task_status calls`);
}

/** Polls search_status on `study` every `intervalMs` until it is no longer open (or `maxPolls` ran out); the last status. */
export async function followStudy(call: CallTool, study: string, options: { intervalMs: number; maxPolls: number }): Promise<Record<string, unknown>> {
  let status: Record<string, unknown> = {};
  for (let i = 0; i < options.maxPolls; i++) {
    status = (await call('search_status', { study })).study as Record<string, unknown>;
    if (!['queued', 'running', 'finalising'].includes(String(status.state))) break;
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
  return status;
}

/** The text content of a result, joined (error results carry their `[code] message — hint` there). */
export function textOf(r: CallToolResult): string {
  return (r.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}
