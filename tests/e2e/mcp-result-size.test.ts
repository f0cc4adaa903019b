/**
 * The largest default result of any tool is at most 16 KB, measured over every tool the server
 * lists: a result lands whole in an assistant's context, so a tool that answers with pages of JSON
 * by default crowds out the conversation. Each tool gets one realistic call with its defaults (the
 * smallest settings that still do the work for real: 600 rows, one epoch, two trials), in an order
 * where what it needs exists; every call made on the way (task_status and search_status polls
 * included) is measured as the SDK client receives it.
 *
 * A tool the server lists without an entry in STEPS fails the test, so no new tool escapes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHome, type TestHome } from '../helpers/app.js';
import { syntheticCsv } from '../helpers/data.js';
import { DB_MODE } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/http.js';
import { type CallTool, connectStdio, followStudy, type StdioConnection, taskHandle, textOf, untilDone } from '../helpers/mcp.js';

const MAX_RESULT_BYTES = 16 * 1024;
const LOOKBACK = 24;
const HORIZON = 8;

type Args = Record<string, unknown>;
type Data = Record<string, unknown>;

/** What earlier calls made that later ones name. */
interface State {
  dataset: string;
  model: string;
  study: string;
  /** A load_dataset whose download the test holds back, so that it answers with a task handle. */
  held: Promise<Data>;
  releaseHeld(): void;
  hook: string;
}

interface Step {
  /** The arguments of a realistic call, defaults left to the server. */
  args(s: State): Args | Promise<Args>;
  /** Keeps what later steps need, or follows the work the call started. */
  keep?(data: Data, s: State, call: CallTool): void | Promise<void>;
}

/** One entry per tool, called in this order. */
const STEPS: Record<string, Step> = {
  server_info: { args: () => ({}) },
  load_dataset: {
    args: () => ({ path: 'series.csv', name: 'size-series' }),
    keep: (d, s) => void (s.dataset = d.id as string),
  },
  label_dataset: { args: (s) => ({ dataset: s.dataset, labelWindows: 'incidents.csv' }) },
  list_datasets: { args: () => ({}) },
  run_eda: { args: (s) => ({ dataset: s.dataset }) },
  // No LLM is configured: the offline template architect designs it, as for a user without a key.
  generate_pytorch_model: {
    args: (s) => ({ request: 'a small linear forecaster under 20k parameters', dataset: s.dataset, lookback: LOOKBACK, horizon: HORIZON }),
    keep: (d, s) => void (s.model = (d.model as { name: string }).name),
  },
  validate: { args: (s) => ({ model: s.model, dataset: s.dataset, lookback: LOOKBACK, horizon: HORIZON }) },
  list_models: { args: () => ({}) },
  get_model: { args: (s) => ({ model: s.model }) },
  rename_model: {
    args: (s) => ({ model: s.model, name: 'size_probe' }),
    keep: (d, s) => void (s.model = d.name as string),
  },
  search: {
    args: (s) => ({ dataset: s.dataset, lookback: LOOKBACK, horizon: HORIZON, candidates: ['nlinear', s.model], maxTrials: 2, epochs: 1, parallelism: 1 }),
    keep: (d, s) => void (s.study = d.studyId as string),
  },
  // Right after search, while the study is still open (its trials start a torch process first).
  add_candidates: { args: (s) => ({ study: s.study, models: ['dlinear'] }) },
  // Then followed to the end, as an assistant would, before the finished study's tools.
  search_status: {
    args: (s) => ({ study: s.study }),
    keep: async (_d, s, call) => {
      const done = await followStudy(call, s.study, { intervalMs: 2000, maxPolls: 120 });
      expect(done.state, JSON.stringify(done).slice(0, 2000)).toBe('done');
    },
  },
  benchmark: { args: (s) => ({ study: s.study }) },
  export_model: { args: (s) => ({ study: s.study }) },
  subscribe: { args: (s) => ({ study: s.study, webhook: s.hook }) },
  // Reopens the finished study with an architect round; cancel_search then ends that work.
  evolve_search: { args: (s) => ({ study: s.study }) },
  cancel_search: { args: (s) => ({ study: s.study }) },
  // The call the held load's handle names (its `follow`), once the download may finish.
  task_status: {
    args: async (s) => {
      const handle = taskHandle(await s.held);
      expect(handle, 'the held load_dataset answered without a task handle').toBeDefined();
      s.releaseHeld();
      return JSON.parse(handle!.follow.replace(/^task_status /, '')) as Args;
    },
    keep: (d) => expect((d.task as { state: string }).state, JSON.stringify(d.error)).toBe('done'),
  },
  delete_model: { args: (s) => ({ model: s.model }) },
};

interface Measured {
  tool: string;
  bytes: number;
}

describe(`every tool's default result over MCP stays within ${MAX_RESULT_BYTES / 1024} KB (${DB_MODE})`, () => {
  let home: TestHome;
  let conn: StdioConnection;
  let web: TestServer;
  let tools: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const measured: Measured[] = [];

  beforeAll(async () => {
    // The held download must outlast the whole run up to task_status, not the default 30 s.
    home = createTestHome({ GENAUTOML_URL_ALLOW_HOSTS: '127.0.0.1', GENAUTOML_URL_TIMEOUT_MS: '600000' });
    const csv = syntheticCsv({ rows: 600, features: 3 });
    fs.writeFileSync(path.join(home.home, 'series.csv'), csv);
    // Every row in one incident, plus one window outside the data (its warning is in the result).
    fs.writeFileSync(path.join(home.home, 'incidents.csv'), 'start,end\n1970-01-02,2100-01-01\n1960-01-01,1960-01-02\n');
    // Serves the held download once released, and takes the webhook subscribe names.
    web = await startTestServer(async (req, res) => {
      if (req.url === '/held.csv') await released;
      res.end(req.url === '/held.csv' ? csv : 'ok');
    });
    conn = await connectStdio({ ...home.env, GENAUTOML_DATA_DIRS: home.home }, { name: 'genautoml-result-size' });
    tools = (await conn.client.listTools()).tools.map((t) => t.name);
  }, 120_000);

  afterAll(async () => {
    release?.();
    await conn?.close();
    await web?.close();
    await home?.dispose();
  });

  /** One tools/call with the SDK defaults; its whole result, as received, is measured. */
  const call = async (tool: string, args: Args): Promise<Data> => {
    const r = (await conn.client.callTool({ name: tool, arguments: args })) as CallToolResult;
    measured.push({ tool, bytes: Buffer.byteLength(JSON.stringify(r)) });
    expect(r.isError, `${tool}: ${textOf(r)}\nstderr:\n${conn.stderr().slice(-3000)}`).toBeFalsy();
    return r.structuredContent as Data;
  };

  it('has a realistic call for every tool the server lists, and none for a tool it does not', () => {
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.filter((t) => !(t in STEPS))).toEqual([]);
    expect(Object.keys(STEPS).filter((t) => !tools.includes(t))).toEqual([]);
  });

  it('answers every call of every tool with at most 16 KB', async () => {
    const state: State = {
      dataset: '',
      model: '',
      study: '',
      // Started first: it answers with its handle after the server's wait (~25 s) while the rest runs.
      held: call('load_dataset', { url: `${web.url}/held.csv`, name: 'held-series' }),
      releaseHeld: release,
      hook: `${web.url}/hook`,
    };
    // Awaited by task_status's step; a failure before then must not surface as an unhandled rejection.
    state.held.catch(() => {});
    for (const [tool, step] of Object.entries(STEPS)) {
      const data = await untilDone(call, await call(tool, await step.args(state)));
      await step.keep?.(data, state, call);
    }

    const called = new Set(measured.map((m) => m.tool));
    expect(tools.filter((t) => !called.has(t))).toEqual([]);
    const largest = new Map<string, number>();
    for (const m of measured) largest.set(m.tool, Math.max(m.bytes, largest.get(m.tool) ?? 0));
    // The sizes, for whoever tunes a result budget; the assertion below is the bound.
    console.error(`result sizes (largest per tool, bytes): ${[...largest].map(([t, b]) => `${t} ${b}`).join(', ')}`);
    expect(measured.filter((m) => m.bytes > MAX_RESULT_BYTES)).toEqual([]);
  }, 300_000);
});
