/** The HTTP transport in-process: session lifecycle and the answers around /mcp that need no database. */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../../engine/app.js';
import { silentLogger } from '../../../engine/log.js';
import { type HttpApp, type HttpServerHandle, startHttpServer } from '../../../server/http/server.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};
const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

let handle: HttpServerHandle | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

async function start(db: Pick<HttpApp['db'], 'executeSql'>, sessionIdleMs?: number): Promise<HttpServerHandle> {
  const app: HttpApp = { logger: silentLogger, db: { kind: 'pglite', ...db }, queue: { pending: async () => 0 } };
  handle = await startHttpServer(app, {
    // These tests make no tool call or resource read, so the sessions' App never arrives.
    mcpApp: new Promise<App>(() => {}),
    config: { httpHost: '127.0.0.1', httpPort: 0, httpAuth: 'disabled', httpToken: undefined, httpAllowedOrigins: [], httpAllowedHosts: undefined },
    ...(sessionIdleMs === undefined ? {} : { sessionIdleMs }),
  });
  return handle;
}

describe('HTTP MCP server', () => {
  it('reports not ready when the database does not answer', async () => {
    const h = await start({ executeSql: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) });
    const res = await fetch(new URL('/readyz', h.url));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', error: expect.stringMatching(/^\[db\.unreachable\]/) });
    expect((await fetch(new URL('/healthz', h.url))).status).toBe(200);
  });

  it('answers 404 off the endpoint, 405 for other methods and 413 for an oversized body', async () => {
    const h = await start({ executeSql: async () => ({ rows: [] }) });
    expect((await fetch(new URL('/other', h.url))).status).toBe(404);
    const put = await fetch(h.url, { method: 'PUT', headers: HEADERS, body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE');
    const big = await fetch(h.url, { method: 'POST', headers: HEADERS, body: JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
  });

  it('opens a session on initialize and closes it after it sits idle', async () => {
    const h = await start({ executeSql: async () => ({ rows: [] }) }, 200);
    const res = await fetch(h.url, { method: 'POST', headers: HEADERS, body: JSON.stringify(INITIALIZE) });
    expect(res.status).toBe(200);
    const session = res.headers.get('mcp-session-id');
    expect(session).toBeTruthy();
    await res.text();
    expect(h.sessionCount()).toBe(1);
    await expect.poll(() => h.sessionCount(), { timeout: 5000, interval: 100 }).toBe(0);
    const after = await fetch(h.url, {
      method: 'POST',
      headers: { ...HEADERS, 'Mcp-Session-Id': session ?? '' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
  });

  it('closes every session on shutdown', async () => {
    const h = await start({ executeSql: async () => ({ rows: [] }) });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(h.url, { method: 'POST', headers: HEADERS, body: JSON.stringify(INITIALIZE) });
      await res.text();
    }
    expect(h.sessionCount()).toBe(2);
    await h.close();
    expect(h.sessionCount()).toBe(0);
    await expect(fetch(h.url)).rejects.toThrow();
  });
});
