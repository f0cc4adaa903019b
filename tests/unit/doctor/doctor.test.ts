/** The doctor's checks, each failure mode through injected probes and local HTTP servers. */
import { afterEach, describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { type CheckResult, type DoctorProbes, type DoctorReport, formatDoctorReport, loadConfigLenient, runDoctor } from '../../../engine/ops/doctor.js';
import type { EnvironmentInfo } from '../../../engine/runner/types.js';
import { startTestServer, type TestServer } from '../../helpers/http.js';

const GOOD_ENV: EnvironmentInfo = {
  python: '/usr/bin/python3',
  pythonVersion: '3.11.2',
  torchVersion: '2.1.0',
  numpyVersion: '1.24.2',
  onnxVersion: null,
  cudaAvailable: false,
  cudaDevice: null,
  device: 'cpu',
  bwrap: '/usr/bin/bwrap',
  sandbox: 'bwrap',
  error: null,
};

function probes(over: Partial<DoctorProbes> & { env?: Partial<EnvironmentInfo> } = {}): DoctorProbes {
  const { env, ...rest } = over;
  return {
    environment: async () => ({ ...GOOD_ENV, ...env }),
    database: async () => 'PostgreSQL 16.4, schema genautoml migrated',
    queue: async () => 'pg-boss schema genautoml_queue v24; jobs waiting or active: none',
    font: () => 'DejaVu Sans (/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)',
    fetch: () => Promise.reject(new Error('no network in this test')),
    ...rest,
  };
}

const BASE = { GENAUTOML_HOME: '/tmp/genautoml-doctor-test' };

async function doctor(env: Record<string, string> = {}, p: DoctorProbes = probes(), extra: { quick?: boolean; nodeVersion?: string; slackApiUrl?: string; discordApiUrl?: string } = {}): Promise<DoctorReport> {
  return runDoctor({ env: { ...BASE, ...env }, probes: () => p, timeoutMs: 2000, nodeVersion: extra.nodeVersion ?? 'v20.19.0', ...extra });
}

function check(report: DoctorReport, name: string): CheckResult {
  const c = report.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name} check in ${JSON.stringify(report)}`);
  return c;
}

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function server(respond: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const s = await startTestServer(respond);
  servers.push(s);
  return s;
}
/** A URL nothing listens on: a server started and closed again. */
async function deadUrl(): Promise<string> {
  const s = await startTestServer(() => undefined);
  await s.close();
  return s.url;
}

describe('doctor', () => {
  it('passes on a healthy host and prints a table', async () => {
    const r = await doctor();
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual(['node', 'config', 'python', 'pytorch', 'device', 'sandbox', 'database', 'queue', 'fonts', 'llm', 'slack', 'discord']);
    for (const c of r.checks) expect(['ok', 'skip']).toContain(c.status);
    const table = formatDoctorReport(r);
    expect(table).toMatch(/^ok {4}node +Node\.js v20/m);
    expect(table).toMatch(/All checks passed\.$/);
  });

  it('fails an old Node.js', async () => {
    const r = await doctor({}, probes(), { nodeVersion: 'v18.19.0' });
    expect(r.ok).toBe(false);
    expect(check(r, 'node')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/Node\.js 20/) });
  });

  it('reports a missing Python interpreter with a fix, skipping what depends on it', async () => {
    const r = await doctor(
      { GENAUTOML_PYTHON: '/nonexistent' },
      probes({ env: { python: '/nonexistent', pythonVersion: null, torchVersion: null, numpyVersion: null, sandbox: 'unavailable', error: 'cannot run the Python interpreter /nonexistent: spawn /nonexistent ENOENT' } }),
    );
    expect(r.ok).toBe(false);
    expect(check(r, 'python')).toMatchObject({ status: 'fail', detail: expect.stringContaining('/nonexistent'), fix: expect.stringMatching(/GENAUTOML_PYTHON/) });
    expect(check(r, 'pytorch').status).toBe('skip');
    expect(check(r, 'sandbox').status).toBe('skip');
    const table = formatDoctorReport(r);
    expect(table).toMatch(/^FAIL {2}python/m);
    expect(table).toMatch(/fix: .*GENAUTOML_PYTHON/);
    expect(table).toMatch(/check\(s\) failed/);
  });

  it('reports a Python without torch, and a missing numpy', async () => {
    const noTorch = await doctor({}, probes({ env: { torchVersion: null, numpyVersion: null, error: "ModuleNotFoundError: No module named 'torch'" } }));
    expect(check(noTorch, 'pytorch')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/python3-torch/) });
    const noNumpy = await doctor({}, probes({ env: { numpyVersion: null } }));
    expect(check(noNumpy, 'pytorch')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/numpy/) });
  });

  it('fails when CUDA is required but torch sees none, and shows the GPU when it does', async () => {
    const r = await doctor({ GENAUTOML_DEVICE: 'cuda' });
    expect(check(r, 'device')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/CUDA build of torch/) });
    const gpu = await doctor({ GENAUTOML_DEVICE: 'cuda' }, probes({ env: { cudaAvailable: true, cudaDevice: 'NVIDIA H200', device: 'cuda' } }));
    expect(check(gpu, 'device')).toMatchObject({ status: 'ok', detail: 'cuda (NVIDIA H200)' });
  });

  it('fails without bwrap, fails on a bwrap that cannot sandbox, and warns when unsandboxed is allowed', async () => {
    const missing = await doctor({}, probes({ env: { bwrap: null, sandbox: 'unavailable' } }));
    expect(missing.ok).toBe(false);
    expect(check(missing, 'sandbox')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not installed/), fix: expect.stringMatching(/apt install bubblewrap/) });
    const broken = await doctor({}, probes({ env: { sandbox: 'unavailable', error: 'bwrap: No permissions to creating new namespace' } }));
    expect(check(broken, 'sandbox')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/cannot create a sandbox/), fix: expect.stringMatching(/user namespaces/) });
    const opted = await doctor({ GENAUTOML_ALLOW_UNSANDBOXED: 'true' }, probes({ env: { bwrap: null, sandbox: 'unsandboxed' } }));
    expect(opted.ok).toBe(true);
    expect(check(opted, 'sandbox')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/bubblewrap/) });
  });

  it('reports a dead database (password redacted) and skips the queue', async () => {
    const r = await doctor(
      { DATABASE_URL: 'postgres://app:s3cret@db.invalid:5432/genautoml' },
      probes({ database: () => Promise.reject(new GenAutoMLError('db.unreachable', 'Cannot reach PostgreSQL: getaddrinfo ENOTFOUND db.invalid')) }),
    );
    expect(r.ok).toBe(false);
    const db = check(r, 'database');
    expect(db).toMatchObject({ status: 'fail', fix: expect.stringMatching(/DATABASE_URL/) });
    expect(db.detail).not.toContain('s3cret');
    expect(db.detail).toContain('***');
    expect(check(r, 'queue').status).toBe('skip');
  });

  it('explains a locked embedded database', async () => {
    const r = await doctor({}, probes({ database: () => Promise.reject(new GenAutoMLError('db.locked', 'The embedded database in /x/db is in use by process 42.')) }));
    expect(check(r, 'database')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/DATABASE_URL/) });
  });

  it('warns when the queue schema does not exist yet and fails when it cannot be read', async () => {
    expect(check(await doctor({}, probes({ queue: async () => null })), 'queue')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/worker/) });
    const r = await doctor({}, probes({ queue: () => Promise.reject(new Error('permission denied for schema genautoml_queue')) }));
    expect(check(r, 'queue')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/permission denied/) });
  });

  it('warns when no font is installed', async () => {
    expect(check(await doctor({}, probes({ font: () => null })), 'fonts')).toMatchObject({ status: 'warn', fix: 'apt install fonts-dejavu-core' });
  });

  it('reports an invalid variable and still runs the other checks', async () => {
    const r = await doctor({ GENAUTOML_HTTP_PORT: 'eighty', GENAUTOML_DEVICE: 'tpu' });
    expect(check(r, 'config')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/GENAUTOML_HTTP_PORT.*GENAUTOML_DEVICE|GENAUTOML_DEVICE.*GENAUTOML_HTTP_PORT/) });
    expect(check(r, 'python').status).toBe('ok');
    expect(check(r, 'database').status).toBe('ok');
    expect(loadConfigLenient({ ...BASE, GENAUTOML_LLM_BASE_URL: 'http://localhost:1/v1' }).problems).toEqual([expect.stringMatching(/GENAUTOML_LLM_MODEL/)]);
  });

  describe('LLM', () => {
    it('is fine offline without contacting anything', async () => {
      expect(check(await doctor(), 'llm')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/offline/) });
    });

    it('reaches a local OpenAI-compatible server and checks the model is listed', async () => {
      const s = await server((req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'qwen2.5-coder' }, { id: 'llama3.1' }] }));
      });
      const env = { GENAUTOML_LLM_BASE_URL: `${s.url}/v1`, GENAUTOML_LLM_MODEL: 'qwen2.5-coder', GENAUTOML_LLM_API_KEY: 'local-key' };
      const ok = await doctor(env, probes({ fetch: globalThis.fetch }));
      expect(check(ok, 'llm')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/reachable$/) });
      expect(s.requests[0]).toMatchObject({ method: 'GET', url: '/v1/models' });
      expect(s.requests[0]!.headers.authorization).toBe('Bearer local-key');
      const wrongModel = await doctor({ ...env, GENAUTOML_LLM_MODEL: 'mistral' }, probes({ fetch: globalThis.fetch }));
      expect(check(wrongModel, 'llm')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/mistral is not listed/), fix: expect.stringMatching(/GENAUTOML_LLM_MODEL/) });
    });

    it('fails when the endpoint is down, refuses the key, or does not answer in time', async () => {
      const down = await doctor({ GENAUTOML_LLM_BASE_URL: `${await deadUrl()}/v1`, GENAUTOML_LLM_MODEL: 'm' }, probes({ fetch: globalThis.fetch }));
      expect(down.ok).toBe(false);
      expect(check(down, 'llm')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/unreachable \(ECONNREFUSED\)/), fix: expect.stringMatching(/local server is running/) });

      const s = await server((_req, res) => {
        res.statusCode = 401;
        res.end('{"error":{"message":"Invalid API Key"}}');
      });
      const groq = await doctor({ GROQ_API_KEY: 'gsk_wrong', GENAUTOML_GROQ_BASE_URL: s.url }, probes({ fetch: globalThis.fetch }));
      expect(check(groq, 'llm')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/refused \(HTTP 401\)/), fix: 'Set a valid GROQ_API_KEY.' });
      expect(s.requests[0]!.url).toBe('/openai/v1/models');

      const slow = await server(() => undefined); // never answers
      const hung = await runDoctor({ env: { ...BASE, GENAUTOML_LLM_BASE_URL: `${slow.url}/v1`, GENAUTOML_LLM_MODEL: 'm' }, probes: () => probes({ fetch: globalThis.fetch }), timeoutMs: 300 });
      expect(check(hung, 'llm').detail).toMatch(/no answer within 300 ms/);
    });

    it('skips the network with --quick', async () => {
      let called = false;
      const r = await doctor({ GROQ_API_KEY: 'gsk_x' }, probes({ fetch: () => ((called = true), Promise.reject(new Error('x'))) }), { quick: true });
      expect(check(r, 'llm').status).toBe('skip');
      expect(called).toBe(false);
    });
  });

  describe('bot tokens', () => {
    const DISCORD = 'MTA4NzY1NDMyMTA5ODc2NTQzMg.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB';

    it('skips bots that are not configured', async () => {
      const r = await doctor();
      expect(check(r, 'slack').status).toBe('skip');
      expect(check(r, 'discord').status).toBe('skip');
    });

    it('rejects badly formed Slack tokens with the token to use instead', async () => {
      const user = await doctor({ SLACK_BOT_TOKEN: 'xoxp-123-456', SLACK_APP_TOKEN: 'xapp-1-A1' });
      expect(user.ok).toBe(false);
      expect(check(user, 'slack')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/expected xoxb-/), fix: expect.stringMatching(/Bot User OAuth Token/) });
      expect(check(user, 'config').status).toBe('fail');
      const noApp = await doctor({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc' });
      expect(check(noApp, 'slack')).toMatchObject({ status: 'fail', detail: 'Socket Mode needs SLACK_APP_TOKEN', fix: expect.stringMatching(/connections:write/) });
      const http = await doctor({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', GENAUTOML_SLACK_MODE: 'http' });
      expect(check(http, 'slack')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/Signing Secret/) });
    });

    it('calls auth.test on the Slack API and reports a refused token', async () => {
      const s = await server((req, res) => {
        res.setHeader('Content-Type', 'application/json');
        const good = req.headers.authorization === 'Bearer xoxb-1-2-good';
        res.end(JSON.stringify(good ? { ok: true, team: 'Acme', user: 'genautoml' } : { ok: false, error: 'invalid_auth' }));
      });
      const env = { SLACK_APP_TOKEN: 'xapp-1-A1-2' };
      const ok = await doctor({ ...env, SLACK_BOT_TOKEN: 'xoxb-1-2-good' }, probes({ fetch: globalThis.fetch }), { slackApiUrl: s.url });
      expect(check(ok, 'slack')).toMatchObject({ status: 'ok', detail: 'authenticated as genautoml in Acme (socket mode)' });
      expect(s.requests[0]).toMatchObject({ method: 'POST', url: '/auth.test' });
      const bad = await doctor({ ...env, SLACK_BOT_TOKEN: 'xoxb-1-2-revoked' }, probes({ fetch: globalThis.fetch }), { slackApiUrl: s.url });
      expect(check(bad, 'slack')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/invalid_auth/) });
      const quick = await doctor({ ...env, SLACK_BOT_TOKEN: 'xoxb-1-2-revoked' }, probes({ fetch: globalThis.fetch }), { slackApiUrl: s.url, quick: true });
      expect(check(quick, 'slack').status).toBe('ok');
      expect(s.requests).toHaveLength(2);
    });

    it('rejects a badly formed Discord token or application id and checks the token against the API', async () => {
      const secret = await doctor({ DISCORD_TOKEN: 'not-a-token', DISCORD_APPLICATION_ID: '1087654321098765432' });
      expect(check(secret, 'discord')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/Reset Token/) });
      const noId = await doctor({ DISCORD_TOKEN: DISCORD });
      expect(check(noId, 'discord')).toMatchObject({ status: 'fail', detail: 'DISCORD_APPLICATION_ID is not set' });

      const s = await server((req, res) => {
        if (req.headers.authorization !== `Bot ${DISCORD}`) {
          res.statusCode = 401;
          return res.end('{"message":"401: Unauthorized","code":0}');
        }
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ id: '1087654321098765432', username: 'genautoml' }));
      });
      const ok = await doctor({ DISCORD_TOKEN: DISCORD, DISCORD_APPLICATION_ID: '1087654321098765432' }, probes({ fetch: globalThis.fetch }), { discordApiUrl: s.url });
      expect(check(ok, 'discord')).toMatchObject({ status: 'ok', detail: 'authenticated as genautoml' });
      expect(s.requests[0]!.url).toBe('/users/@me');
      const revoked = DISCORD.replace(/AB$/, 'XY');
      const bad = await doctor({ DISCORD_TOKEN: revoked, DISCORD_APPLICATION_ID: '1087654321098765432' }, probes({ fetch: globalThis.fetch }), { discordApiUrl: s.url });
      expect(check(bad, 'discord')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/HTTP 401/) });
    });
  });
});
