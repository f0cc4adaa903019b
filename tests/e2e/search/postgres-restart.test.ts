/**
 * PostgreSQL stopped in the middle of a study as a crash would stop it (`pg_ctl -m immediate`: no
 * shutdown, recovery from the WAL on start), down long enough that a trial finishes training
 * during the outage, then back. The finished trial's outcome is kept in the local spool meanwhile
 * and written once the server is back, so no trial is run twice; the app's pool, the queue's
 * polling loops and the coordinator's chain of study jobs recover by themselves: the study
 * completes, every trial is final and counted once (one attempt each), the spool is empty, and
 * the webhook gets exactly one finish message.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../engine/app.js';
import { loadConfig } from '../../../engine/config.js';
import { silentLogger } from '../../../engine/log.js';
import { startStudy, studyStatus } from '../../../engine/search/service.js';
import { spoolDir } from '../../../engine/search/spool.js';
import { startWorker, type WorkerHandle } from '../../../server/worker.js';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { createApp } from '../../../server/app.js';
import { createTestHome, type TestHome } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';
import { startTestServer, type TestServer } from '../../helpers/http.js';
import { type PrivatePostgres, privatePostgresAvailable, startPrivatePostgres } from '../../helpers/private-postgres.js';
import { until } from '../../helpers/wait.js';

describe.skipIf(DB_MODE !== 'postgres' || !privatePostgresAvailable())('PostgreSQL stopped (immediate) mid-study, results spooled', () => {
  let pg: PrivatePostgres;
  let home: TestHome;
  let app: App;
  let worker: WorkerHandle;
  let hook: TestServer;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    hook = await startTestServer((_req, res) => res.end('ok'));
    home = createTestHome({ DATABASE_URL: pg.url, GENAUTOML_QUEUE_MAINTENANCE_S: '1' });
    app = await createApp(loadConfig(home.env), silentLogger, { startQueue: true });
    worker = await startWorker(app, {
      concurrency: 2,
      registrations: [(a, ctx) => registerSearchWorkers(a, { concurrency: 2, signal: ctx.signal, pollingIntervalSeconds: 0.5 })],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop().catch(() => {});
    await app?.close().catch(() => {});
    await hook?.close();
    pg?.dispose();
    await home?.dispose().catch(() => {});
  });

  it('recovers by itself: the study completes with every trial final and one notification', async () => {
    const dataset = await loadSynthetic(app, { rows: 2000, features: 3 });
    const study = await startStudy(
      app,
      { dataset, lookback: 48, horizon: 12, candidates: ['dlinear', 'nlinear'], maxTrials: 4, epochs: 500, patience: 100, trialMinutes: 0.15, parallelism: 2, sampler: 'random', pruner: 'none', seed: 2, topK: 1 },
      { origin: 'test', subscribe: [{ kind: 'webhook', target: { url: `${hook.url}/done`, format: 'json' } }] },
    );
    await until(() => app.studies.trials(study.id), (ts) => ts.some((t) => t.state === 'running' && t.intermediate.length >= 1), 180_000, 'a trial to be training');

    pg.stop('immediate');
    // While it is down the app reports it plainly, with the code a caller can act on.
    await expect(app.studies.get(study.id)).rejects.toMatchObject({ code: 'db.unreachable' });
    // A trial (9 s of training) ends during the outage: its outcome goes to the spool.
    const spooled = (): string[] => (fs.existsSync(spoolDir(app)) ? fs.readdirSync(spoolDir(app)).filter((f) => f.endsWith('.json')) : []);
    const kept = await until(async () => spooled(), (files) => files.length > 0, 30_000, 'an outcome in the spool', 200);
    expect(kept.length).toBeGreaterThan(0);
    pg.start();

    const status = await until(() => studyStatus(app, study.id), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 300_000, 'the study to finish', 1000);
    expect(status.state).toBe('done');
    const trials = await app.studies.trials(study.id);
    expect(trials.map((t) => t.number).sort()).toEqual([0, 1, 2, 3]);
    for (const t of trials) {
      expect(t.state).toBe('complete');
      // Written from the spool, not run again.
      expect(t.attempts).toBe(1);
      // The whole validation curve, including epochs whose write hit the outage.
      expect(t.intermediate).toHaveLength((t.metrics as { epochs: number }).epochs);
    }
    await until(async () => hook.requests.filter((r) => r.url === '/done').length, (n) => n >= 1, 60_000, 'the webhook');
    // Give a duplicate delivery the chance to show up before counting.
    await new Promise((r) => setTimeout(r, 3000));
    const posts = hook.requests.filter((r) => r.url === '/done');
    expect(spooled()).toEqual([]);
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!.body.toString())).toMatchObject({ studyId: study.id, event: 'done' });
  }, 420_000);
});
