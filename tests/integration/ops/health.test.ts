/**
 * /healthz and /readyz: on a real app (database and queue up) and on apps whose database or
 * queue does not answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../engine/log.js';
import type { HttpConfig } from '../../../server/http/security.js';
import { type HttpApp, type HttpServerHandle, startHttpServer } from '../../../server/http/server.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { DB_MODE } from '../../helpers/db.js';

const CONFIG: HttpConfig = { httpHost: '127.0.0.1', httpPort: 0, httpAuth: 'required', httpToken: 'a-token-of-sixteen-chars', httpAllowedOrigins: [], httpAllowedHosts: undefined };

let t: TestApp;
let handle: HttpServerHandle | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

async function get(app: HttpApp, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  handle = await startHttpServer(app, { config: CONFIG, logger: silentLogger, mcpApp: t.app });
  const res = await fetch(new URL(path, handle.url));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe(`health endpoints on ${DB_MODE}`, () => {
  beforeAll(async () => {
    t = await createTestApp({ startQueue: true });
  }, 120_000);
  afterAll(async () => t?.dispose());

  it('answers /healthz without a token', async () => {
    expect(await get(t.app, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('is ready with the database and queue checked and the queue depths reported', async () => {
    await t.app.queue.send('trial', { studyId: 'st_nothing', number: 0 });
    const { status, body } = await get(t.app, '/readyz');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      storage: DB_MODE,
      checks: {
        database: { status: 'ok', ms: expect.any(Number) },
        queue: { status: 'ok', pending: { study: 0, trial: 1, notify: 0, notify_slack: 0, notify_discord: 0 } },
      },
    });
  });

  it('is unavailable when the queue cannot be read, naming the check', async () => {
    const app: HttpApp = { ...t.app, queue: { pending: () => Promise.reject(new Error('relation "job" does not exist')) } };
    const { status, body } = await get(app, '/readyz');
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'unavailable', error: expect.stringMatching(/^\[queue\.unavailable\].*does not exist/), checks: { database: { status: 'ok' }, queue: { status: 'fail' } } });
  });

  it('is unavailable when the database hangs, within the deadline', async () => {
    const app: HttpApp = { ...t.app, db: { kind: t.app.db.kind, executeSql: () => new Promise(() => {}) } };
    const t0 = Date.now();
    const { status, body } = await get(app, '/readyz');
    expect(status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(body).toMatchObject({ status: 'unavailable', error: expect.stringMatching(/^\[db\.unreachable\] no answer within/), checks: { database: { status: 'fail' }, queue: { status: 'fail', error: 'not checked: no database' } } });
  });
});
