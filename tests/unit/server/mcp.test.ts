/** The MCP edge in-process (no spawn): result translation, progress, cancellation, error results. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../../../engine/app.js';
import { silentLogger } from '../../../engine/log.js';
import { GenAutoMLError } from '../../../engine/errors.js';
import { createMcpServer } from '../../../server/mcp/server.js';
import { type AnyTool, defineTool } from '../../../tools/define.js';
import { getRun } from '../../../tools/runs.js';
import { taskStatus } from '../../../tools/task_status.js';

const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

const plot = defineTool({
  name: 'plot',
  title: 'Plot',
  description: 'Returns an image, a link and an attachment.',
  input: z.object({}),
  output: z.object({ n: z.number() }),
  annotations: { readOnlyHint: true },
  async handler() {
    return {
      data: { n: 1 },
      summary: 'one plot',
      images: [
        { name: 'loss', title: 'Loss', png: Buffer.from('full'), thumbnail: PNG, uri: 'genautoml://artifacts/' + 'a'.repeat(64), inline: true },
        { name: 'error', title: 'Error', png: Buffer.from('full'), thumbnail: PNG, uri: 'genautoml://artifacts/' + 'b'.repeat(64) },
      ],
      links: [{ uri: 'genautoml://models/md_1', name: 'winner', mimeType: 'text/x-python' }],
      attachments: [{ name: 'model.py', text: 'class Model: ...' }],
    };
  },
});

let released: (() => void) | undefined;
let sawAbort = false;

const long = defineTool({
  name: 'long',
  title: 'Long',
  description: 'Reports progress, then waits for release or cancellation.',
  input: z.object({ steps: z.number().int() }),
  output: z.object({ done: z.number() }),
  annotations: {},
  long: true,
  async handler(args, ctx) {
    for (let i = 1; i <= args.steps; i++) {
      ctx.progress({ done: i, total: args.steps, message: `step ${i}` });
      await new Promise((r) => setTimeout(r, 120));
    }
    await new Promise<void>((resolve, reject) => {
      released = resolve;
      ctx.signal.addEventListener('abort', () => {
        sawAbort = true;
        reject(new Error('aborted'));
      });
    });
    return { data: { done: args.steps }, summary: 'done' };
  },
});

const crash = defineTool({
  name: 'crash',
  title: 'Crash',
  description: 'Throws something unexpected.',
  input: z.object({}),
  output: z.object({}),
  annotations: {},
  async handler() {
    throw new RangeError('kaboom');
  },
});

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

const tools: AnyTool[] = [plot, long, crash, slow, taskStatus];
let client: Client | undefined;

const DATASETS = [
  { id: 'ds_alpha', name: 'ETTh1' },
  { id: 'ds_beta', name: 'weather' },
];
const fakeApp = { logger: silentLogger, datasets: { list: async () => DATASETS } } as unknown as App;

async function connect(app: App | Promise<App> = fakeApp): Promise<Client> {
  const server = createMcpServer(app, { tools, origin: 'test', waitMs: 300, logger: silentLogger });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  client = new Client({ name: 't', version: '0' });
  await client.connect(b);
  return client;
}

afterEach(async () => {
  await client?.close();
  client = undefined;
  released = undefined;
  finishSlow = undefined;
  sawAbort = false;
});

describe('MCP server over the registry', () => {
  it('returns structuredContent, the summary, a thumbnail inline only when asked, and resource links', async () => {
    const c = await connect();
    const r = await c.callTool({ name: 'plot', arguments: {} });
    expect(r.structuredContent).toEqual({ n: 1 });
    expect(r.content).toEqual([
      { type: 'text', text: 'one plot' },
      { type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' },
      { type: 'resource_link', uri: 'genautoml://artifacts/' + 'a'.repeat(64), name: 'loss', title: 'Loss', mimeType: 'image/png' },
      { type: 'resource_link', uri: 'genautoml://artifacts/' + 'b'.repeat(64), name: 'error', title: 'Error', mimeType: 'image/png' },
      { type: 'resource_link', uri: 'genautoml://models/md_1', name: 'winner', mimeType: 'text/x-python' },
      { type: 'text', text: '--- model.py ---\nclass Model: ...' },
    ]);
  });

  it('sends increasing progress notifications when the request carries a progress token', async () => {
    const c = await connect();
    const seen: { progress: number; total?: number; message?: string }[] = [];
    const call = c.callTool({ name: 'long', arguments: { steps: 3 } }, undefined, { onprogress: (p) => seen.push(p) });
    await expect.poll(() => released !== undefined).toBe(true);
    released?.();
    const r = await call;
    expect(r.structuredContent).toEqual({ done: 3 });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toMatchObject({ progress: 3, total: 3, message: 'step 3' });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThan(seen[i - 1]!.progress);
  });

  it('aborts the handler when the client cancels the request', async () => {
    const c = await connect();
    const controller = new AbortController();
    const call = c.callTool({ name: 'long', arguments: { steps: 1 } }, undefined, { signal: controller.signal });
    await expect.poll(() => released !== undefined).toBe(true);
    controller.abort('user cancelled');
    await expect(call).rejects.toThrow();
    await expect.poll(() => sawAbort).toBe(true);
  });

  it('answers an unexpected exception with internal.unexpected, never a crash', async () => {
    const c = await connect();
    const r = await c.callTool({ name: 'crash', arguments: {} });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toBeUndefined();
    expect((r.content as { text: string }[])[0]?.text).toMatch(/^\[internal\.unexpected\] kaboom — /);
    // The connection still works.
    expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['plot', 'long', 'crash', 'slow', 'task_status']);
  });

  it('publishes the input and output schemas as JSON Schema', async () => {
    const c = await connect();
    const t = (await c.listTools()).tools.find((x) => x.name === 'long');
    expect(t?.inputSchema).toMatchObject({ type: 'object', properties: { steps: { type: 'integer' } }, required: ['steps'] });
    expect(t?.inputSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(t?.outputSchema).toMatchObject({ type: 'object', properties: { done: { type: 'number' } } });
  });
});

describe('long work without blocking the client', () => {
  it('answers a background tool with a task handle once the wait bound passes, and task_status hands over the result', async () => {
    const c = await connect();
    const r = await c.callTool({ name: 'slow', arguments: { label: 'x' } });
    expect(r.isError).toBeFalsy();
    const handle = (r.structuredContent as { task: { id: string; state: string; progress: { message: string } | null; follow: string } }).task;
    expect(handle).toMatchObject({ state: 'running', progress: { message: 'half way' } });
    expect(handle.follow).toContain(handle.id);
    // The published output schema allows the handle: every field optional plus task.
    const schema = (await c.listTools()).tools.find((t) => t.name === 'slow')?.outputSchema as { properties: Record<string, unknown>; required?: string[] };
    expect(Object.keys(schema.properties)).toEqual(['label', 'task']);
    expect(schema.required ?? []).toEqual([]);

    const pending = await c.callTool({ name: 'task_status', arguments: { task: handle.id } });
    expect(pending.structuredContent).toMatchObject({ task: { id: handle.id, state: 'running' }, result: null });
    finishSlow?.();
    const done = await c.callTool({ name: 'task_status', arguments: { task: handle.id, wait: 5 } });
    expect(done.structuredContent).toMatchObject({ task: { state: 'done' }, result: { label: 'x' } });
    expect((done.content as { text: string }[])[0]?.text).toBe('finished x');
  });

  it('returns the result itself when the work ends within the bound', async () => {
    const c = await connect();
    const call = c.callTool({ name: 'slow', arguments: { label: 'quick' } });
    await expect.poll(() => finishSlow !== undefined).toBe(true);
    finishSlow?.();
    expect((await call).structuredContent).toEqual({ label: 'quick' });
  });

  it('keeps working when the client goes away, and stops on an explicit cancellation', async () => {
    const c = await connect();
    const r = await c.callTool({ name: 'slow', arguments: { label: 'orphan' } });
    const id = (r.structuredContent as { task: { id: string } }).task.id;
    await c.close();
    client = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const run = getRun(fakeApp, id);
    expect(run.state).toBe('running');
    finishSlow?.();
    await run.settled;
    expect(run.state).toBe('done');

    const c2 = await connect();
    const controller = new AbortController();
    const cancelled = c2.callTool({ name: 'slow', arguments: { label: 'stop' } }, undefined, { signal: controller.signal });
    await expect.poll(() => finishSlow !== undefined).toBe(true);
    controller.abort('user cancelled');
    await expect(cancelled).rejects.toThrow();
  });
});

describe('published output schemas of the real tools', () => {
  it('accept a background tool’s own result and its task handle, even where the result has a task field of its own', async () => {
    const { TOOLS } = await import('../../../tools/index.js');
    const server = createMcpServer(fakeApp, { tools: TOOLS, origin: 'test', logger: silentLogger });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    client = new Client({ name: 't', version: '0' });
    await client.connect(b);
    const benchmark = (await client.listTools()).tools.find((x) => x.name === 'benchmark');
    const validate = new AjvJsonSchemaValidator().getValidator(benchmark?.outputSchema as JsonSchemaType);
    expect(validate({ title: 'ETTh1', task: 'forecasting', source: 'dataset ds_1', rows: [], unranked: [], charts: [] }).valid).toBe(true);
    const handle = { id: 'run_1', tool: 'benchmark', state: 'running', progress: null, elapsedS: 25, follow: 'task_status {"task": "run_1"}' };
    expect(validate({ task: handle }).valid).toBe(true);
    expect(validate({ task: 42 }).valid).toBe(false);
  });
});

describe('a server whose database is still opening', () => {
  it('answers a background tool with a handle within the bound and runs it once the database opens; a quick tool says server.starting', async () => {
    let open!: (app: App) => void;
    const opening = new Promise<App>((resolve) => (open = resolve));
    const c = await connect(opening);
    const r = await c.callTool({ name: 'slow', arguments: { label: 'early' } });
    const handle = (r.structuredContent as { task: { id: string; state: string; progress: unknown } }).task;
    expect(handle).toMatchObject({ state: 'running', progress: null });
    expect(finishSlow).toBeUndefined();
    const quick = await c.callTool({ name: 'plot', arguments: {} });
    expect(quick.isError).toBe(true);
    expect((quick.content as { text: string }[])[0]?.text).toMatch(/^\[server\.starting\] The database is still opening/);

    open(fakeApp);
    await expect.poll(() => finishSlow !== undefined).toBe(true);
    finishSlow?.();
    const done = await c.callTool({ name: 'task_status', arguments: { task: handle.id, wait: 5 } });
    expect(done.structuredContent).toMatchObject({ task: { state: 'done' }, result: { label: 'early' } });
  });
});

describe('a server whose database could not be opened', () => {
  it('still answers initialize and tools/list, and says why on every call', async () => {
    const locked = Promise.reject(new GenAutoMLError('db.locked', 'The embedded database is in use by another process (pid 42).', { hint: 'Stop it or set DATABASE_URL.' }));
    const c = await connect(locked);
    expect(c.getServerVersion()?.name).toBe('genautoml');
    expect((await c.listTools()).tools.length).toBe(tools.length);
    const r = await c.callTool({ name: 'plot', arguments: {} });
    expect(r.isError).toBe(true);
    expect((r.content as { text: string }[])[0]?.text).toMatch(/^\[db\.locked\] The embedded database is in use .* — Stop it/);
    await expect(c.listResources()).rejects.toThrow(/\[db\.locked\]/);
  });
});

describe('prompts, completion, logging and subscriptions', () => {
  it('lists the workflow prompts and renders one with its arguments', async () => {
    const c = await connect();
    const { prompts } = await c.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['explore_dataset', 'design_model', 'run_search']);
    for (const p of prompts) expect(p.description?.length).toBeGreaterThan(20);
    const got = await c.getPrompt({ name: 'explore_dataset', arguments: { dataset: 'ds_alpha' } });
    expect((got.messages[0]?.content as { text: string }).text).toMatch(/run_eda with dataset "ds_alpha"/);
    await expect(c.getPrompt({ name: 'run_search', arguments: {} })).rejects.toThrow(/prompt\.missing_argument.*dataset/);
    await expect(c.getPrompt({ name: 'nope' })).rejects.toThrow(/prompt\.unknown/);
  });

  it('completes dataset ids by id or name prefix, and answers nothing for arguments it does not know', async () => {
    const c = await connect();
    const byName = await c.complete({ ref: { type: 'ref/prompt', name: 'explore_dataset' }, argument: { name: 'dataset', value: 'wea' } });
    expect(byName.completion.values).toEqual(['ds_beta']);
    const byId = await c.complete({ ref: { type: 'ref/resource', uri: 'genautoml://datasets/{id}' }, argument: { name: 'id', value: 'ds_' } });
    expect(byId.completion.values).toEqual(['ds_alpha', 'ds_beta']);
    const other = await c.complete({ ref: { type: 'ref/prompt', name: 'something_else' }, argument: { name: 'arg1', value: 'x' } });
    expect(other.completion.values).toEqual([]);
  });

  it('accepts logging/setLevel and resource subscriptions', async () => {
    const c = await connect();
    expect(await c.setLoggingLevel('info')).toEqual({});
    expect(await c.subscribeResource({ uri: 'genautoml://studies/st_none' })).toEqual({});
    expect(await c.unsubscribeResource({ uri: 'genautoml://studies/st_none' })).toEqual({});
  });
});
