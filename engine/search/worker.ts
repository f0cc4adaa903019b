/**
 * What a worker process does: coordinate studies, run trials (as many at once as it has slots),
 * deliver webhook notifications, and requeue trials whose worker went silent (liveness.ts). Any
 * number of workers on any hosts may share one database.
 */
import type { App } from '../app.js';
import { coordinateStudy } from './coordinator.js';
import { scheduleHeartbeat } from './jobs.js';
import { reclaimOrphans, startReaper } from './liveness.js';
import { deliverNotification } from './notify.js';
import { flushSpool } from './spool.js';
import { runTrial } from './trial.js';
import { TrialThreads } from '../runner/threads.js';
import { runArchitectRound } from './evolve.js';

export interface SearchWorkerOptions {
  /** Trials this process runs at once. */
  concurrency: number;
  /** Aborted on shutdown: running trials are requeued for other workers. */
  signal?: AbortSignal;
  pollingIntervalSeconds?: number;
  /** Worker name recorded on trials. */
  name?: string;
}

export async function registerSearchWorkers(app: App, options: SearchWorkerOptions): Promise<void> {
  const polling = options.pollingIntervalSeconds ?? 1;
  // One thread account per process: its slots share the host's cores (engine/runner/threads.ts).
  const threads = new TrialThreads(options.concurrency, app.config.trialThreads);
  // Before taking jobs: outcomes an earlier process here spooled through an outage are written,
  // and on the embedded database the previous process's running trials and finalisations are
  // taken back at once (nobody else can be running them).
  await flushSpool(app);
  await reclaimOrphans(app);
  startReaper(app, options.signal);
  // Warm trial processes (engine/runner/pool.ts) are started when there is search work here, not
  // at process start: a server that never searches keeps its memory. A study's coordination comes
  // before its first trials, so those find processes already importing torch (a trial that takes
  // one refills the pool itself).
  await app.queue.work('study', async (job) => {
    if (!options.signal?.aborted) app.runner.prewarmTrials();
    return coordinateStudy(app, job.studyId);
  }, { concurrency: 1, pollingIntervalSeconds: polling });
  await app.queue.work(
    'trial',
    async (job) => runTrial(app, job, { threads, ...(options.signal ? { signal: options.signal } : {}), ...(options.name ? { worker: options.name } : {}) }),
    { concurrency: options.concurrency, pollingIntervalSeconds: polling },
  );
  await app.queue.work('architect', async (job) => runArchitectRound(app, job, options.signal ? { signal: options.signal } : {}), { concurrency: 1, pollingIntervalSeconds: polling });
  await app.queue.work('notify', async (job) => deliverNotification(app, job), { concurrency: 2, pollingIntervalSeconds: polling });
  // Every open study gets a coordinator run soon: whatever chain of study jobs drove it before
  // (a crash, a long database outage) it resumes from its rows once any worker is up.
  for (const study of await app.studies.listOpen()) await scheduleHeartbeat(app, study.id, 0);
}
