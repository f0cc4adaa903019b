/** `genautoml serve`: Streamable HTTP with the SDK's Client, and the gatekeeping around it. */
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHome, type RunningCli, spawnCli, startCli, type TestHome } from '../helpers/app.js';
import { DB_MODE } from '../helpers/db.js';

const TOKEN = 'e2e-token-0123456789abcdef';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http rather than fetch, because fetch does not let a caller choose the Host header. */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(
      url,
      {
        method: options.method ?? (payload ? 'POST' : 'GET'),
        headers: {
          ...(payload ? { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'genautoml-e2e-http', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

describe(`genautoml serve over Streamable HTTP (${DB_MODE})`, () => {
  let home: TestHome;
  let server: RunningCli;
  let url = '';

  beforeAll(async () => {
    home = createTestHome({ GENAUTOML_HTTP_PORT: '0', GENAUTOML_HTTP_TOKEN: TOKEN, GENAUTOML_HTTP_ALLOWED_ORIGINS: 'https://allowed.example' });
    server = startCli(['serve'], home.env);
    url = (await server.waitForStderr(/MCP over HTTP at (http:\/\/\S+)/, 120_000))[1] ?? '';
  }, 150_000);

  afterAll(async () => {
    await server?.stop();
    await home?.dispose();
  });

  it('serves tools/list and tools/call to a client with the token', async () => {
    const client = await connect(url, { Authorization: `Bearer ${TOKEN}` });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_datasets', 'server_info']));
      expect(tools.every((t) => t.outputSchema?.type === 'object')).toBe(true);
      const r = await client.callTool({ name: 'list_datasets', arguments: {} });
      expect(r.isError).toBeFalsy();
      expect(r.structuredContent).toEqual({ datasets: [], total: 0, nextCursor: null });
      const bad = await client.callTool({ name: 'nope', arguments: {} });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('refuses a client without the token', async () => {
    await expect(connect(url)).rejects.toThrow(/401|Unauthorized/i);
  });

  it('answers 401 with WWW-Authenticate and a JSON-RPC body for a missing or wrong token', async () => {
    const missing = await raw(url, { body: INITIALIZE });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm="genautoml"/);
    expect(JSON.parse(missing.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });

    const wrong = await raw(url, { body: INITIALIZE, headers: { Authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('answers 403 for an Origin that is not allowed, and accepts a listed one', async () => {
    const bad = await raw(url, { body: INITIALIZE, headers: { Authorization: `Bearer ${TOKEN}`, Origin: 'https://evil.example' } });
    expect(bad.status).toBe(403);
    expect(JSON.parse(bad.body).error.message).toMatch(/Origin/);
    const good = await raw(url, { body: INITIALIZE, headers: { Authorization: `Bearer ${TOKEN}`, Origin: 'https://allowed.example' } });
    expect(good.status).toBe(200);
    expect(good.headers['mcp-session-id']).toBeTruthy();
  });

  it('offers 2025-11-25 to a client asking for 2026-07-28, which it does not speak yet (docs/mcp.md)', async () => {
    const r = await raw(url, { body: { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: '2026-07-28' } }, headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
    // The answer comes as JSON or as SSE (after a priming event with no data), as Accept allows.
    const json = String(r.headers['content-type']).startsWith('text/event-stream') ? [...r.body.matchAll(/^data: (.+)$/gm)].map((m) => m[1]).pop() ?? '' : r.body;
    expect(JSON.parse(json)).toMatchObject({ result: { protocolVersion: '2025-11-25', serverInfo: { name: 'genautoml' } } });
  });

  it('answers 403 for a Host header other than the loopback names (DNS rebinding)', async () => {
    const port = new URL(url).port;
    const bad = await raw(url, { body: INITIALIZE, headers: { Authorization: `Bearer ${TOKEN}`, Host: `evil.example:${port}` } });
    expect(bad.status).toBe(403);
    expect(JSON.parse(bad.body).error.message).toMatch(/Host/);
    const good = await raw(url, { body: INITIALIZE, headers: { Authorization: `Bearer ${TOKEN}`, Host: `localhost:${port}` } });
    expect(good.status).toBe(200);
  });

  it('answers 404 for an unknown session and 400 for a request without one', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    expect((await raw(url, { body: list, headers: { ...auth, 'Mcp-Session-Id': 'no-such-session' } })).status).toBe(404);
    expect((await raw(url, { body: list, headers: auth })).status).toBe(400);
  });

  it('ends a session on DELETE', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const init = await raw(url, { body: INITIALIZE, headers: auth });
    const session = String(init.headers['mcp-session-id']);
    const del = await raw(url, { method: 'DELETE', headers: { ...auth, 'Mcp-Session-Id': session, 'Mcp-Protocol-Version': '2025-06-18' } });
    expect(del.status).toBe(200);
    const after = await raw(url, { body: { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }, headers: { ...auth, 'Mcp-Session-Id': session } });
    expect(after.status).toBe(404);
  });

  it('answers /healthz and /readyz without authentication', async () => {
    const base = new URL(url);
    const health = await raw(new URL('/healthz', base).href);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    const ready = await raw(new URL('/readyz', base).href);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', storage: DB_MODE });
  });

  it('answers a JSON-RPC parse error for a body that is not JSON', async () => {
    const res = await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' } }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
      });
      req.on('error', reject);
      req.end('{not json');
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: -32700 } });
  });

  it('shuts down gracefully on SIGTERM', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});

describe(`genautoml serve configuration (${DB_MODE})`, () => {
  it('refuses to start without a token (exit 2, config.invalid)', async () => {
    const home = createTestHome({ GENAUTOML_HTTP_PORT: '0' });
    try {
      const r = await spawnCli(['serve'], home.env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\[config\.invalid\][\s\S]*GENAUTOML_HTTP_TOKEN/);
    } finally {
      await home.dispose();
    }
  });

  it('refuses auth=disabled on a non-loopback address', async () => {
    const home = createTestHome({ GENAUTOML_HTTP_PORT: '0', GENAUTOML_HTTP_AUTH: 'disabled', GENAUTOML_HTTP_HOST: '0.0.0.0' });
    try {
      const r = await spawnCli(['serve'], home.env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\[config\.invalid\][\s\S]*GENAUTOML_HTTP_AUTH=disabled is only allowed on a loopback address/);
    } finally {
      await home.dispose();
    }
  });

  it('serves without a token when auth is disabled on loopback', async () => {
    const home = createTestHome({ GENAUTOML_HTTP_PORT: '0', GENAUTOML_HTTP_AUTH: 'disabled' });
    const server = startCli(['serve'], home.env);
    try {
      const url = (await server.waitForStderr(/MCP over HTTP at (http:\/\/\S+)/, 120_000))[1] ?? '';
      const client = await connect(url);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    } finally {
      await server.stop();
      await home.dispose();
    }
  }, 150_000);
});
