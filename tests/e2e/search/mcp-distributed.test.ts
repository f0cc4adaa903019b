/**
 * The search issue's "done when", as a user would do it: an MCP client (the SDK's own Client over
 * stdio) talks to `genautoml mcp`, which runs no worker of its own; two separate `genautoml worker`
 * processes on real PostgreSQL run the study's jobs. The client loads ETTh1, starts a search with a
 * webhook and follows it (progress notifications, and search_status polled meanwhile); the webhook
 * receives the finish message with the leaderboard; `benchmark` returns the table and charts.
 */
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../engine/app.js';
import { loadConfig } from '../../../engine/config.js';
import { silentLogger } from '../../../engine/log.js';
import { createApp } from '../../../server/app.js';
import { createTestHome, type RunningCli, startCli, type TestHome } from '../../helpers/app.js';
import { DB_MODE } from '../../helpers/db.js';
import { startTestServer, type TestServer } from '../../helpers/http.js';
import { connectStdio, type StdioConnection } from '../../helpers/mcp.js';
import { ETTH1_PATH } from '../../fixtures/eda/etth1.js';

type ToolResult = { content?: { type: string; text?: string; mimeType?: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

describe.skipIf(DB_MODE !== 'postgres' || !ETTH1_PATH)('search on ETTh1 from an MCP client across two worker processes', () => {
  let home: TestHome;
  let conn: StdioConnection;
  let client: Client;
  let workers: RunningCli[] = [];
  let hook: TestServer;
  let reader: App;

  beforeAll(async () => {
    hook = await startTestServer((_req, res) => res.end('ok'));
    home = createTestHome({ GENAUTOML_INPROCESS_WORKER: 'false', GENAUTOML_DATA_DIRS: path.dirname(ETTH1_PATH!), GENAUTOML_WORKER_CONCURRENCY: '1' });
    conn = await connectStdio(home.env);
    client = conn.client;
    workers = [startCli(['worker'], home.env), startCli(['worker'], home.env)];
    await Promise.all(workers.map((w) => w.waitForStderr(/worker running/, 60_000)));
    // Reads rows to check where trials ran; starts no queue and runs no job.
    reader = await createApp(loadConfig(home.env), silentLogger, { startQueue: false });
  }, 120_000);

  afterAll(async () => {
    await conn?.close();
    await Promise.all(workers.map((w) => w.stop('SIGTERM', 20_000)));
    await reader?.close();
    await hook?.close();
    await home?.dispose();
  });

  const call = async (name: string, args: Record<string, unknown>, onprogress?: (p: Progress) => void): Promise<ToolResult> => {
    const r = (await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000, ...(onprogress ? { onprogress, resetTimeoutOnProgress: true } : {}) })) as ToolResult;
    expect(r.isError, `${name}: ${JSON.stringify(r.content)}\n${conn.stderr().slice(-3000)}`).toBeFalsy();
    return r;
  };

  it('runs in the background on both workers, reports progress, notifies the webhook and benchmarks', async () => {
    const loaded = await call('load_dataset', { path: path.basename(ETTH1_PATH!), split: 'ett' });
    const dataset = loaded.structuredContent!.id as string;
    expect(loaded.structuredContent).toMatchObject({ target: 'OT', columns: ['HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT'] });

    // The MCP server has no worker: the study waits for the two worker processes.
    const progress: Progress[] = [];
    const statuses: Record<string, unknown>[] = [];
    const searching = call(
      'search',
      { dataset, lookback: 96, horizon: 96, candidates: ['dlinear', 'nlinear'], maxTrials: 4, epochs: 2, patience: 2, maxTrainWindows: 1024, parallelism: 2, sampler: 'random', pruner: 'none', seed: 7, topK: 2, webhook: `${hook.url}/done`, wait: true },
      (p) => progress.push(p),
    );
    let finished = false;
    void searching.finally(() => (finished = true));
    // A second caller follows the same study with search_status while it runs.
    while (!finished) {
      const list = (await call('search_status', {})).structuredContent as { studies: Record<string, unknown>[] };
      if (list.studies[0]) statuses.push(list.studies[0]);
      await new Promise((r) => setTimeout(r, 1000));
    }
    let result = (await searching).structuredContent as { studyId: string; state: string; best: { arch: string } | null };
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.message).toMatch(/trials done/);
    // Over MCP the wait is bounded (a client times a request out); on a loaded machine the study
    // may still be open when search answers, and search_status follows it to the end.
    type Status = { studies: { id: string; state: string; counts: Record<string, number>; best: { arch: string } | null }[] };
    let final = ((await call('search_status', { study: result.studyId })).structuredContent as Status).studies[0]!;
    const ends = Date.now() + 300_000;
    while (['queued', 'running', 'finalising'].includes(final.state) && Date.now() < ends) {
      statuses.push(final);
      await new Promise((r) => setTimeout(r, 1000));
      final = ((await call('search_status', { study: result.studyId })).structuredContent as Status).studies[0]!;
    }
    result = { ...result, state: final.state, best: final.best };
    expect(result.state).toBe('done');
    // Seen mid-way: running, with fewer trials done than asked for.
    expect(statuses.some((s) => s.id === result.studyId && s.state === 'running' && (s.counts as Record<string, number>).complete! < 4)).toBe(true);

    expect(final.state).toBe('done');
    expect(final.counts).toMatchObject({ complete: 4, failed: 0, queued: 0, running: 0 });

    // Both worker processes ran trials; the MCP server ran none.
    const trials = await reader.studies.trials(result.studyId);
    const pids = new Set(trials.map((t) => Number(t.worker?.split(':').pop())));
    expect([...pids].sort()).toEqual(workers.map((w) => w.child.pid).sort());

    // The webhook got the finish message with the leaderboard.
    const deadline = Date.now() + 60_000;
    while (!hook.requests.some((r) => r.url === '/done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const sent = hook.requests.find((r) => r.url === '/done');
    expect(sent).toBeDefined();
    const body = JSON.parse(sent!.body.toString()) as { studyId: string; event: string; leaderboard: { arch: string }[]; best: { arch: string } };
    expect(body).toMatchObject({ studyId: result.studyId, event: 'done', best: { arch: result.best!.arch } });
    // Both models, and the ensemble of the two when greedy selection on validation mixed them.
    const boardArchs = body.leaderboard.map((r) => r.arch).sort();
    expect(boardArchs.filter((a) => a !== 'ensemble')).toEqual(['dlinear', 'nlinear']);

    // benchmark: the table with test metrics for the evaluated rows, and PNG charts.
    const bench = await call('benchmark', { study: result.studyId });
    const rows = bench.structuredContent!.rows as { model: string; testMse: number | null; params: number | null }[];
    expect(rows.map((r) => r.model).sort()).toEqual(boardArchs);
    for (const r of rows) {
      expect(r.testMse).toBeGreaterThan(0);
      expect(r.params).toBeGreaterThan(0);
    }
    expect(bench.content?.some((c) => c.type === 'text' && /test MSE/.test(c.text ?? ''))).toBe(true);
    // Charts come as links to PNG resources (result budgets: images only when asked for).
    const images = bench.content?.filter((c) => c.type === 'resource_link') ?? [];
    expect(images.length).toBeGreaterThan(0);
    expect(images.every((i) => i.mimeType === 'image/png')).toBe(true);
    expect((bench.structuredContent!.charts as string[]).length).toBe(images.length);

    // The forecast chart of another feature than the target; an unknown one is refused by name.
    const byFeature = await call('benchmark', { study: result.studyId, feature: 'HUFL' });
    expect(byFeature.content?.filter((c) => c.type === 'resource_link')).toHaveLength(images.length);
    const wrong = (await client.callTool({ name: 'benchmark', arguments: { study: result.studyId, feature: 'NOPE' } })) as ToolResult;
    expect(wrong.isError).toBe(true);
    expect(JSON.stringify(wrong.content)).toMatch(/benchmark\.unknown_feature[\s\S]*HUFL, HULL/);
  }, 600_000);
});
