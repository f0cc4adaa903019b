/** `genautoml mcp` driven by the SDK's own Client over stdio, as a desktop assistant would. */
import { spawn } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, childEnv, createTestHome, type TestHome } from '../helpers/app.js';
import { DB_MODE } from '../helpers/db.js';
import { connectStdio, type StdioConnection } from '../helpers/mcp.js';
import { SEED, seed } from './seed.js';

type Tool = Awaited<ReturnType<Client['listTools']>>['tools'][number];

describe(`genautoml mcp over stdio (${DB_MODE})`, () => {
  let home: TestHome;
  let conn: StdioConnection;
  let client: Client;
  let artifactSha = '';
  let tools: Tool[] = [];

  beforeAll(async () => {
    home = createTestHome();
    ({ artifactSha } = await seed(home.env));
    conn = await connectStdio(home.env);
    client = conn.client;
    tools = (await client.listTools()).tools;
  }, 120_000);

  afterAll(async () => {
    await conn?.close();
    await home?.dispose();
  });

  const text = (r: unknown): string =>
    (((r as { content?: unknown }).content ?? []) as { type: string; text?: string }[]).filter((c) => c.type === 'text').map((c) => c.text).join('\n');

  const validateAgainstOutputSchema = (name: string, data: unknown): void => {
    const tool = tools.find((t) => t.name === name);
    const check = new AjvJsonSchemaValidator().getValidator(tool?.outputSchema as JsonSchemaType)(data);
    expect(check.errorMessage).toBeUndefined();
    expect(check.valid).toBe(true);
  };

  it('identifies itself with the package name and version', () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'genautoml', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('lists the tools with JSON input and output schemas', () => {
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['list_datasets', 'server_info']));
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
      expect(t.description?.length).toBeGreaterThan(10);
    }
    expect(tools.find((t) => t.name === 'list_datasets')?.annotations?.readOnlyHint).toBe(true);
  });

  it('calls list_datasets: structuredContent matching the output schema, plus a text summary', async () => {
    const r = await client.callTool({ name: 'list_datasets', arguments: {} });
    expect(r.isError).toBeFalsy();
    validateAgainstOutputSchema('list_datasets', r.structuredContent);
    const data = r.structuredContent as { datasets: { id: string; frequency: string | null; columns: string[] }[]; total: number };
    expect(data.total).toBe(1);
    expect(data.datasets[0]).toMatchObject({ id: SEED.datasetId, name: SEED.datasetName, rows: 10, columns: ['load', 'temp'], frequency: '1h' });
    expect(text(r)).toMatch(/1 dataset stored/);
  });

  it('calls server_info and reports this storage mode', async () => {
    const r = await client.callTool({ name: 'server_info', arguments: {} });
    expect(r.isError).toBeFalsy();
    validateAgainstOutputSchema('server_info', r.structuredContent);
    expect(r.structuredContent).toMatchObject({ storage: DB_MODE, tools: expect.arrayContaining(['list_datasets', 'server_info']) });
  }, 90_000);

  it('answers an unknown tool with an isError result naming the tools that exist', async () => {
    const r = await client.callTool({ name: 'no_such_tool', arguments: {} });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toBeUndefined();
    expect(text(r)).toMatch(/^\[tool\.unknown\] .*no_such_tool.* — Available tools: .*list_datasets/);
    expect(r._meta?.['genautoml/error']).toMatchObject({ code: 'tool.unknown' });
  });

  it('answers schema-invalid arguments with [tool.invalid_arguments] and the offending field', async () => {
    const r = await client.callTool({ name: 'list_datasets', arguments: { limit: 'ten' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^\[tool\.invalid_arguments\] Invalid arguments for list_datasets: limit: .* — /);
  });

  it('keeps serving after errors', async () => {
    const r = await client.callTool({ name: 'list_datasets', arguments: { limit: 1 } });
    expect(r.isError).toBeFalsy();
  });

  it('publishes resource templates for datasets, models, studies and artefacts', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'genautoml://artifacts/{sha256}',
      'genautoml://datasets/{id}',
      'genautoml://models/{id}',
      'genautoml://studies/{id}',
      'genautoml://studies/{id}/leaderboard',
      'genautoml://studies/{id}/result',
      'genautoml://studies/{id}/trials',
    ]);
  });

  it('lists and reads the stored objects as resources', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([`genautoml://datasets/${SEED.datasetId}`, `genautoml://models/${SEED.modelId}`, `genautoml://artifacts/${artifactSha}`]),
    );

    const ds = await client.readResource({ uri: `genautoml://datasets/${SEED.datasetId}` });
    const dsContent = ds.contents[0] as { mimeType?: string; text: string };
    expect(dsContent.mimeType).toBe('application/json');
    expect(JSON.parse(dsContent.text)).toMatchObject({ id: SEED.datasetId, meta: { rows: 10 }, summary: { note: 'seeded by the e2e tests' } });

    const model = await client.readResource({ uri: `genautoml://models/${SEED.modelId}` });
    expect(model.contents[0]).toMatchObject({ mimeType: 'text/x-python', text: SEED.modelCode });

    const blob = await client.readResource({ uri: `genautoml://artifacts/${artifactSha}` });
    const b = blob.contents[0] as { mimeType?: string; blob: string };
    expect(b.mimeType).toBe(SEED.artifactMime);
    expect(Buffer.from(b.blob, 'base64').equals(SEED.artifactBytes)).toBe(true);
  });

  it('answers a missing resource with a not-found error carrying the code', async () => {
    await expect(client.readResource({ uri: 'genautoml://datasets/ds_missing' })).rejects.toMatchObject({
      code: -32002,
      message: expect.stringContaining('[dataset.not_found]'),
    });
  });

  it('writes nothing but JSON-RPC to stdout and exits 0 when its client closes stdin', async () => {
    await conn.close();
    expect(conn.stderr()).not.toMatch(/"jsonrpc"/);
    const child = spawn(process.execPath, [BIN, 'mcp'], { env: childEnv({ ...home.env, GENAUTOML_LOG_LEVEL: 'info' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };
    child.stdin.write(JSON.stringify(initialize) + '\n');
    await expect.poll(() => out.includes('"id":1'), { timeout: 90_000, interval: 200 }).toBe(true);
    child.stdin.end();
    expect(await exited).toBe(0);
    const lines = out.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    // Info-level logs were written, and to stderr.
    expect(err).toMatch(/MCP server on stdio/);
  }, 120_000);
});
