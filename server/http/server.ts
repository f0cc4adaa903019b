/**
 * MCP over Streamable HTTP on node:http, stateful: `initialize` opens a session (its own
 * McpServer and transport, sharing the App), later requests carry `Mcp-Session-Id`, and a session
 * ends on DELETE, on shutdown, or after sitting idle. `/healthz` and `/readyz` answer without
 * authentication for orchestrators: /healthz is liveness only; /readyz checks the database and the
 * job queue and reports each check and the queue depths (no configuration or data).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../engine/app.js';
import { formatError, GenAutoMLError, toGenAutoMLError } from '../../engine/errors.js';
import { JOBS } from '../../engine/jobs.js';
import type { Logger } from '../../engine/log.js';
import { createMcpServer, type AppSource } from '../mcp/server.js';
import { MemoryEventStore } from './event-store.js';
import { allowedHosts, allowedOrigins, checkBearer, checkHttpConfig, hostAllowed, type HttpConfig, originAllowed } from './security.js';

export const MCP_PATH = '/mcp';
/** Largest JSON-RPC POST body read; tool arguments are small, datasets travel by path or URL. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const READY_TIMEOUT_MS = 5000;
/** SSE `retry:` sent in the priming event: how soon a client whose stream broke reconnects (SEP-1699). */
const SSE_RETRY_MS = 2000;

/** What the HTTP layer itself reads of the App: its logger and the readiness probes' database and queue. */
export interface HttpApp {
  logger: App['logger'];
  db: Pick<App['db'], 'kind' | 'executeSql'>;
  queue: Pick<App['queue'], 'pending'>;
}

export interface HttpServerOptions {
  config: HttpConfig;
  /** The App every MCP session serves (tools and resources use all of it). */
  mcpApp: AppSource;
  logger?: Logger;
  /** A session without requests for this long is closed. Default 30 minutes. */
  sessionIdleMs?: number;
}

export interface HttpServerHandle {
  /** The MCP endpoint, e.g. http://127.0.0.1:8787/mcp. */
  url: string;
  port: number;
  sessionCount(): number;
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  mcp: McpServer;
  lastSeen: number;
  /** Requests (including open SSE streams) in flight; a busy session is never idle. */
  open: number;
}

export async function startHttpServer(app: HttpApp, options: HttpServerOptions): Promise<HttpServerHandle> {
  const { config } = options;
  checkHttpConfig(config);
  const logger = (options.logger ?? app.logger).child({ component: 'http' });
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const sessions = new Map<string, Session>();
  let hosts: string[] | null = null;
  let origins: string[] = [...config.httpAllowedOrigins];
  let closing = false;

  const closeSession = async (id: string, why: string): Promise<void> => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    logger.debug('session closed', { sessionId: id, why });
    await s.transport.close().catch(() => {});
    await s.mcp.close().catch(() => {});
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') return ready(app, res);
    if (url.pathname !== MCP_PATH) return sendRpcError(res, 404, -32601, `Not found: the MCP endpoint is ${MCP_PATH}.`);

    if (!hostAllowed(req.headers.host, hosts)) {
      logger.warn('rejected Host', { host: req.headers.host });
      return sendRpcError(res, 403, -32000, `Forbidden: Host "${req.headers.host ?? ''}" is not allowed (GENAUTOML_HTTP_ALLOWED_HOSTS).`);
    }
    const origin = req.headers.origin;
    if (!originAllowed(origin, origins)) {
      logger.warn('rejected Origin', { origin });
      return sendRpcError(res, 403, -32000, `Forbidden: Origin "${origin ?? ''}" is not allowed (GENAUTOML_HTTP_ALLOWED_ORIGINS).`);
    }
    if (config.httpAuth === 'required') {
      const check = checkBearer(req.headers.authorization, config.httpToken ?? '');
      if (check !== 'ok') {
        const challenge =
          check === 'missing'
            ? 'Bearer realm="genautoml"'
            : 'Bearer realm="genautoml", error="invalid_token", error_description="The bearer token is not GENAUTOML_HTTP_TOKEN"';
        res.setHeader('WWW-Authenticate', challenge);
        return sendRpcError(res, 401, -32000, check === 'missing' ? 'Unauthorized: send Authorization: Bearer <GENAUTOML_HTTP_TOKEN>.' : 'Unauthorized: wrong bearer token.');
      }
    }
    if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'DELETE') {
      res.setHeader('Allow', 'GET, POST, DELETE');
      return sendRpcError(res, 405, -32000, `Method ${req.method ?? ''} not allowed.`);
    }
    if (closing) return sendRpcError(res, 503, -32000, 'The server is shutting down.');

    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJson(req);
      if (!read.ok) return sendRpcError(res, read.status, read.code, read.message);
      body = read.value;
    }

    const sessionId = header(req, 'mcp-session-id');
    if (sessionId !== undefined) {
      const s = sessions.get(sessionId);
      if (!s) return sendRpcError(res, 404, -32001, 'Session not found: it ended or the server restarted; initialize a new session.');
      s.lastSeen = Date.now();
      s.open++;
      res.once('close', () => {
        s.open--;
        s.lastSeen = Date.now();
      });
      return s.transport.handleRequest(req, res, body);
    }

    if (req.method !== 'POST' || !isInitialize(body)) {
      return sendRpcError(res, 400, -32000, 'Bad request: send initialize first, then the Mcp-Session-Id header it returns.');
    }
    const mcp = createMcpServer(options.mcpApp, { origin: 'mcp:http', logger });
    const session: Session = {
      mcp,
      transport: new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        // Event ids, a priming event and Last-Event-ID replay, so a broken stream loses nothing.
        eventStore: new MemoryEventStore(),
        retryInterval: SSE_RETRY_MS,
        onsessioninitialized: (id) => {
          sessions.set(id, session);
          logger.debug('session opened', { sessionId: id });
        },
      }),
      lastSeen: Date.now(),
      open: 1,
    };
    session.transport.onclose = () => {
      const id = session.transport.sessionId;
      if (id && sessions.get(id) === session) void closeSession(id, 'transport closed');
    };
    res.once('close', () => {
      session.open--;
    });
    await mcp.connect(session.transport);
    await session.transport.handleRequest(req, res, body);
    // A failed initialize never gets an id: nothing refers to this server any more.
    if (session.transport.sessionId === undefined) await mcp.close().catch(() => {});
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('http request failed', { err });
      if (!res.headersSent) sendRpcError(res, 500, -32603, 'Internal error; the server log has details.');
      else res.end();
    });
  });
  // Clients keep connections alive; closing must not wait for them.
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.httpPort, config.httpHost, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new GenAutoMLError('http.listen_failed', `Cannot listen on ${config.httpHost}:${config.httpPort}: ${err.message}`, {
      cause: err,
      hint: err.code === 'EADDRINUSE' ? 'Another process uses the port: stop it or set GENAUTOML_HTTP_PORT (0 picks a free one).' : 'Check GENAUTOML_HTTP_HOST and GENAUTOML_HTTP_PORT.',
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(config, port);
  origins = allowedOrigins(config, port);
  const displayHost = config.httpHost.includes(':') && !config.httpHost.startsWith('[') ? `[${config.httpHost}]` : config.httpHost;
  const url = `http://${displayHost}:${port}${MCP_PATH}`;
  logger.info('listening', { url, auth: config.httpAuth, allowedHosts: hosts ?? 'any' });
  if (hosts === null) logger.warn('accepting any Host header: bound to a non-loopback address without GENAUTOML_HTTP_ALLOWED_HOSTS');

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, s] of sessions) if (s.open <= 0 && now - s.lastSeen > idleMs) void closeSession(id, 'idle');
  }, Math.min(60_000, Math.max(1000, Math.floor(idleMs / 2))));
  sweep.unref();

  return {
    url,
    port,
    sessionCount: () => sessions.size,
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(sweep);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions.keys()].map((id) => closeSession(id, 'shutdown')));
      server.closeAllConnections();
      await stopped;
    },
  };
}

function isInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

interface ReadyCheck {
  status: 'ok' | 'fail';
  ms: number;
  error?: string;
  [k: string]: unknown;
}

/** Runs one readiness probe with a deadline; never throws. */
async function probe(fn: () => Promise<Record<string, unknown> | void>, code: 'db.unreachable' | 'queue.unavailable'): Promise<ReadyCheck> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
  });
  try {
    const extra = await Promise.race([fn(), timeout]);
    return { status: 'ok', ms: Date.now() - t0, ...(extra ?? {}) };
  } catch (err) {
    return { status: 'fail', ms: Date.now() - t0, error: formatError(toGenAutoMLError(err, code)) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ready when the database answers and the job queue (pg-boss tables in the same database) can be
 * read: a 200 with each check and the queue depths, else a 503 naming the first failure.
 */
async function ready(app: HttpApp, res: http.ServerResponse): Promise<void> {
  const database = await probe(async () => {
    await app.db.executeSql('SELECT 1');
  }, 'db.unreachable');
  const queue =
    database.status === 'ok'
      ? await probe(async () => {
          const names = Object.keys(JOBS) as (keyof typeof JOBS & string)[];
          const depths = await Promise.all(names.map((n) => app.queue.pending(n)));
          return { pending: Object.fromEntries(names.map((n, i) => [n, depths[i]])) };
        }, 'queue.unavailable')
      : { status: 'fail' as const, ms: 0, error: 'not checked: no database' };
  const checks = { database, queue };
  const failed = [database, queue].find((c) => c.status === 'fail');
  if (failed) sendJson(res, 503, { status: 'unavailable', storage: app.db.kind, error: failed.error, checks });
  else sendJson(res, 200, { status: 'ready', storage: app.db.kind, checks });
}

type ReadResult = { ok: true; value: unknown } | { ok: false; status: number; code: number; message: string };

async function readJson(req: http.IncomingMessage): Promise<ReadResult> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return { ok: false, status: 413, code: -32000, message: `Request body over ${MAX_BODY_BYTES} bytes.` };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, code: -32000, message: `Request body over ${MAX_BODY_BYTES} bytes.` };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch (err) {
    return { ok: false, status: 400, code: -32700, message: `Parse error: ${(err as Error).message}` };
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendRpcError(res: http.ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}
