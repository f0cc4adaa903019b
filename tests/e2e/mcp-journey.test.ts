/**
 * The whole journey a desktop assistant makes, through the SDK's own Client over stdio with its
 * DEFAULT request timeout (60 s, not reset by progress): load ETTh1 → EDA → generate → validate →
 * search → status → benchmark a dataset → export. A call either answers or hands back a handle
 * (task_status, search_status) well inside the bound, so nothing times out and nothing is lost.
 *
 * The first call arrives while the freshly started server is still opening its database, which is
 * what once made load_dataset block past a client's timeout. Settings are the smallest that still
 * run every step for real (one epoch, few windows, two trials).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type CallToolResult, CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHome, type TestHome } from '../helpers/app.js';
import { etth1Path } from '../helpers/data.js';
import { DB_MODE } from '../helpers/db.js';
import { connectStdio, followStudy, type StdioConnection, textOf, untilDone } from '../helpers/mcp.js';

/** The bound: no call holds its request longer (the server answers by 25 s). */
const CALL_BOUND_MS = 30_000;

interface Call {
  tool: string;
  ms: number;
}

describe(`the whole journey over stdio with the SDK client's default timeouts (${DB_MODE})`, () => {
  let home: TestHome;
  let conn: StdioConnection;
  let client: Client;
  const calls: Call[] = [];
  let progress = 0;
  let dataset = '';
  let model = '';

  beforeAll(async () => {
    const data = etth1Path();
    home = createTestHome({ GENAUTOML_DATA_DIRS: path.dirname(data) });
    conn = await connectStdio(home.env, { name: 'genautoml-journey' });
    client = conn.client;
  }, 60_000);

  afterAll(async () => {
    await conn?.close();
    await home?.dispose();
  });

  /** One tools/call with the SDK defaults (no timeout option); progress is listened to, not used to extend anything. */
  const call = async (tool: string, args: Record<string, unknown>): Promise<CallToolResult> => {
    const started = Date.now();
    const result = (await client.callTool({ name: tool, arguments: args }, undefined, { onprogress: () => void progress++ })) as CallToolResult;
    calls.push({ tool, ms: Date.now() - started });
    return result;
  };

  const ok = (r: CallToolResult): Record<string, unknown> => {
    expect(r.isError, `${textOf(r)}\nstderr:\n${conn.stderr().slice(-3000)}`).toBeFalsy();
    return r.structuredContent as Record<string, unknown>;
  };

  const checked = async (tool: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => ok(await call(tool, args));

  /** The tool's result: at once, or by following the task handle it handed back with task_status. */
  const run = async (tool: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => untilDone(checked, await checked(tool, args));

  it('completes load → EDA → generate → validate → search → status → benchmark → export, every call inside the bound', async () => {
    const loaded = await run('load_dataset', { path: etth1Path(), split: 'ett' });
    dataset = loaded.id as string;
    expect(dataset).toMatch(/^ds_/);
    expect(loaded.rows).toBeGreaterThan(10_000);

    const eda = await run('run_eda', { dataset });
    expect(eda.dataset).toBe(dataset);
    expect((eda.features as unknown[]).length).toBeGreaterThan(0);

    const generated = await run('generate_pytorch_model', { request: 'a small linear model under 20k parameters', dataset, lookback: 96, horizon: 24, maxIterations: 3 });
    model = (generated.model as { name: string } | null)?.name ?? '';
    expect(model, JSON.stringify(generated).slice(0, 2000)).toBeTruthy();

    const validated = await run('validate', { model, dataset, lookback: 96, horizon: 24 });
    expect(validated.ok).toBe(true);

    const started = await run('search', {
      dataset,
      lookback: 96,
      horizon: 24,
      candidates: ['nlinear', model],
      maxTrials: 2,
      epochs: 1,
      patience: 1,
      maxTrainWindows: 256,
      parallelism: 1,
      pruner: 'none',
      topK: 1,
    });
    const study = started.studyId as string;
    expect(study).toMatch(/^st_/);

    // search_status answers at once; follow the study the way an assistant would.
    const status = await followStudy(checked, study, { intervalMs: 3000, maxPolls: 200 });
    expect(status.state, JSON.stringify(status).slice(0, 2000)).toBe('done');

    const bench = await run('benchmark', { dataset, models: ['nlinear'], lookback: 96, horizon: 24, epochs: 1 });
    expect((bench.rows as unknown[]).length).toBe(1);

    const exported = await run('export_model', { study });
    expect(fs.existsSync(String(exported.dir))).toBe(true);

    expect(progress).toBeGreaterThan(0);
    // Not a speed target: the bound is the protocol promise this test is about.
    const slowest = calls.reduce((a, b) => (b.ms > a.ms ? b : a));
    console.error(`journey: ${calls.length} calls, slowest ${slowest.tool} ${slowest.ms} ms`);
    expect(slowest.ms, JSON.stringify(calls)).toBeLessThan(CALL_BOUND_MS);
  }, 900_000);

  /** A tool called as an MCP task (tools/call with `task`, tasks/get polls, tasks/result), every request with the default timeout. */
  const asTask = async (tool: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    let taskId = '';
    let result: CallToolResult | undefined;
    for await (const m of client.experimental.tasks.callToolStream({ name: tool, arguments: args }, CallToolResultSchema)) {
      if (m.type === 'taskCreated') taskId = m.task.taskId;
      if (m.type === 'result') result = m.result as CallToolResult;
      if (m.type === 'error') throw new Error(`${tool} task ${taskId}: ${m.error.message}\nstderr:\n${conn.stderr().slice(-3000)}`);
    }
    expect(taskId).toMatch(/^task_/);
    return ok(result as CallToolResult);
  };

  it('runs generate, search, benchmark and export as MCP tasks for a client that uses them', async () => {
    expect(client.getServerCapabilities()?.tasks?.requests?.tools?.call).toBeDefined();
    // The client learns which tools take tasks from tools/list (execution.taskSupport), as clients do.
    await client.listTools();
    const generated = await asTask('generate_pytorch_model', { request: 'a small MLP under 20k parameters', dataset, lookback: 96, horizon: 24, maxIterations: 3 });
    expect(generated.ok).toBe(true);
    // The search task is its study: it completes when the study does, with search's own result.
    const searched = await asTask('search', { dataset, lookback: 96, horizon: 24, candidates: ['nlinear'], maxTrials: 1, epochs: 1, maxTrainWindows: 256, parallelism: 1, pruner: 'none', topK: 1 });
    expect(searched.state).toBe('done');
    const study = { id: searched.studyId as string };
    const bench = await asTask('benchmark', { study: study.id });
    expect((bench.rows as unknown[]).length).toBeGreaterThan(0);
    const exported = await asTask('export_model', { study: study.id });
    expect(fs.existsSync(String(exported.dir))).toBe(true);
  }, 600_000);
});
