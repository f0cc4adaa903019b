/** The MCP edge in-process (no spawn): result translation, progress, cancellation, error results. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../../../engine/app.js';
import { silentLogger } from '../../../engine/log.js';
import { createMcpServer } from '../../../server/mcp/server.js';
import { type AnyTool, defineTool } from '../../../tools/define.js';

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
      images: [{ name: 'loss', title: 'Loss', png: Buffer.from('full'), thumbnail: PNG, uri: 'genautoml://artifacts/' + 'a'.repeat(64) }],
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

const tools: AnyTool[] = [plot, long, crash];
let client: Client | undefined;

async function connect(): Promise<Client> {
  const app = { logger: silentLogger } as unknown as App;
  const server = createMcpServer(app, { tools, origin: 'test' });
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
  sawAbort = false;
});

describe('MCP server over the registry', () => {
  it('returns structuredContent, the summary, an inline thumbnail and resource links', async () => {
    const c = await connect();
    const r = await c.callTool({ name: 'plot', arguments: {} });
    expect(r.structuredContent).toEqual({ n: 1 });
    expect(r.content).toEqual([
      { type: 'text', text: 'one plot' },
      { type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' },
      { type: 'resource_link', uri: 'genautoml://artifacts/' + 'a'.repeat(64), name: 'loss', title: 'Loss', mimeType: 'image/png' },
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
    expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['plot', 'long', 'crash']);
  });

  it('publishes the input and output schemas as JSON Schema', async () => {
    const c = await connect();
    const t = (await c.listTools()).tools.find((x) => x.name === 'long');
    expect(t?.inputSchema).toMatchObject({ type: 'object', properties: { steps: { type: 'integer' } }, required: ['steps'] });
    expect(t?.outputSchema).toMatchObject({ type: 'object', properties: { done: { type: 'number' } } });
  });
});
