/**
 * MCP Tasks through the SDK's own Client, both ways: a client that calls a long tool as a task
 * (tools/call with `task`, then tasks/get and tasks/result) and one that does not (the result or a
 * task_status handle, as before). Tasks are rows in the database: a search task follows its study
 * across a "restart" (a second server with another owner), a run task of a dead owner is failed.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMcpServer } from '../../../server/mcp/server.js';
import { type AnyTool, defineTool } from '../../../tools/define.js';
import { cancelSearch } from '../../../tools/cancel_search.js';
import { search } from '../../../tools/search.js';
import { searchStatus } from '../../../tools/search_status.js';
import { taskStatus } from '../../../tools/task_status.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';

let finishSlow: (() => void) | undefined;

const slow = defineTool({
  name: 'slow',
  title: 'Slow',
  description: 'A background tool that runs until released.',
  input: z.object({ label: z.string() }),
  output: z.object({ label: z.string() }),
  annotations: { readOnlyHint: true },
  long: true,
  background: true,
  async handler(args, ctx) {
    ctx.progress({ done: 1, total: 2, message: 'half way' });
    await new Promise<void>((resolve) => (finishSlow = resolve));
    return { data: { label: args.label }, summary: `finished ${args.label}` };
  },
});

const broken = defineTool({
  name: 'broken',
  title: 'Broken',
  description: 'A background tool that fails with a listed error.',
  input: z.object({}),
  output: z.object({}),
  annotations: {},
  background: true,
  async handler() {
    throw new Error('kaboom');
  },
});

const quick = defineTool({
  name: 'quick',
  title: 'Quick',
  description: 'Answers at once.',
  input: z.object({}),
  output: z.object({ ok: z.boolean() }),
  annotations: { readOnlyHint: true },
  async handler() {
    return { data: { ok: true }, summary: 'ok' };
  },
});

const tools: AnyTool[] = [slow, broken, quick, search, searchStatus, cancelSearch, taskStatus];

let t: TestApp;
const clients: Client[] = [];

beforeEach(async () => {
  // The queue only where a search enqueues trials (it is the slow part of a test app's start).
  t = await createTestApp({ startQueue: expect.getState().currentTestName?.includes('search task') === true });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  finishSlow?.();
  finishSlow = undefined;
  await t.dispose();
});

/** A server on the test app; `owner` stands for the process (a different one is a restarted server). */
async function connect(owner?: string): Promise<Client> {
  const server = createMcpServer(t.app, { tools, origin: 'test', waitMs: 300, ...(owner ? { taskOwner: owner } : {}) });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 't', version: '0' });
  await client.connect(b);
  clients.push(client);
  return client;
}

type StreamMessage = { type: string; task?: { taskId: string; status: string }; result?: unknown; error?: Error };

async function collect(stream: AsyncGenerator<StreamMessage>): Promise<StreamMessage[]> {
  const out: StreamMessage[] = [];
  for await (const m of stream) out.push(m);
  return out;
}

describe(`MCP Tasks for long tools (${DB_MODE})`, () => {
  it('declares the capability, and marks exactly the long tools as callable as tasks', async () => {
    const c = await connect();
    expect(c.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const listed = (await c.listTools()).tools;
    const support = Object.fromEntries(listed.map((x) => [x.name, x.execution?.taskSupport]));
    expect(support).toEqual({ slow: 'optional', broken: 'optional', quick: 'forbidden', search: 'optional', search_status: 'forbidden', cancel_search: 'forbidden', task_status: 'forbidden' });
  });

  it('runs a long tool as a task for a client that asks (tasks/get, then tasks/result), and as before for one that does not', async () => {
    const c = await connect();
    const stream = c.experimental.tasks.callToolStream({ name: 'slow', arguments: { label: 'as-task' } }, CallToolResultSchema, { task: { ttl: 60_000 } });
    const first = (await stream.next()).value as StreamMessage;
    expect(first).toMatchObject({ type: 'taskCreated', task: { status: 'working' } });
    const taskId = first.task?.taskId as string;
    // The row says working, with the run's progress, while it runs.
    await expect.poll(async () => (await c.experimental.tasks.getTask(taskId)).statusMessage).toBe('1/2 half way');
    await expect.poll(() => finishSlow !== undefined).toBe(true);
    finishSlow?.();
    const rest = await collect(stream as AsyncGenerator<StreamMessage>);
    const result = rest.find((m) => m.type === 'result')?.result as CallToolResult;
    expect(result.structuredContent).toEqual({ label: 'as-task' });
    expect((result.content[0] as { text: string }).text).toBe('finished as-task');
    const stored = await c.experimental.tasks.getTask(taskId);
    expect(stored).toMatchObject({ taskId, status: 'completed', ttl: 60_000, pollInterval: 2000 });
    expect((await c.experimental.tasks.listTasks()).tasks.map((x) => x.taskId)).toContain(taskId);

    // The same tool without `task`: the bounded wait, then a handle task_status follows.
    finishSlow = undefined;
    const plain = await c.callTool({ name: 'slow', arguments: { label: 'plain' } });
    expect((plain.structuredContent as { task: { state: string } }).task.state).toBe('running');
  });

  it('fails a task whose tool failed, with the error as its result; refuses a quick tool as a task', async () => {
    const c = await connect();
    const messages = await collect(c.experimental.tasks.callToolStream({ name: 'broken', arguments: {} }, CallToolResultSchema, { task: {} }) as AsyncGenerator<StreamMessage>);
    const taskId = messages[0]?.task?.taskId as string;
    expect(messages.at(-1)?.type).toBe('error');
    expect((await c.experimental.tasks.getTask(taskId)).status).toBe('failed');
    const result = (await c.experimental.tasks.getTaskResult(taskId, CallToolResultSchema)) as CallToolResult;
    expect(result.isError).toBe(true);
    expect((result.content[0] as { text: string }).text).toMatch(/^\[internal\.unexpected\] kaboom/);

    const refused = await collect(c.experimental.tasks.callToolStream({ name: 'quick', arguments: {} }, CallToolResultSchema, { task: {} }) as AsyncGenerator<StreamMessage>);
    expect(refused.at(-1)?.error?.message).toMatch(/cannot run as a task/);
  });

  it('keeps a search task on its study across a restart, fails a run task whose process is gone, and cancels through tasks/cancel', async () => {
    const dataset = await loadSynthetic(t.app, { rows: 600 });
    const c = await connect('host-a:1');
    const started = c.experimental.tasks.callToolStream(
      { name: 'search', arguments: { dataset, candidates: ['nlinear'], maxTrials: 1, epochs: 1, lookback: 24, horizon: 12 } },
      CallToolResultSchema,
      { task: {} },
    );
    const searchTask = ((await started.next()).value as StreamMessage).task;
    await started.return(undefined);
    expect(searchTask).toMatchObject({ status: 'working' });

    const s = c.experimental.tasks.callToolStream({ name: 'slow', arguments: { label: 'orphan' } }, CallToolResultSchema, { task: {} });
    const runTask = ((await s.next()).value as StreamMessage).task?.taskId as string;
    await s.return(undefined);

    // "After a restart": another process on the same database.
    const c2 = await connect('host-b:2');
    expect((await c2.experimental.tasks.getTask(searchTask?.taskId as string)).status).toBe('working');
    const lost = await c2.experimental.tasks.getTask(runTask);
    expect(lost.status).toBe('failed');
    const lostResult = (await c2.experimental.tasks.getTaskResult(runTask, CallToolResultSchema)) as CallToolResult;
    expect((lostResult.content[0] as { text: string }).text).toMatch(/^\[task\.lost\]/);

    const cancelled = await c2.experimental.tasks.cancelTask(searchTask?.taskId as string);
    expect(cancelled.status).toBe('cancelled');
    const rows = await t.app.db.executeSql<{ state: string }>('SELECT state FROM studies');
    expect(rows.rows.map((r) => r.state)).toEqual(['cancelled']);
  });
});
