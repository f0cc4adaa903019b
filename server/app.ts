/**
 * The composition root: builds every service from the frozen configuration and wires the
 * implementations into the interfaces the tools see. Tests build the whole app through here too.
 */
import path from 'node:path';
import type { App, Environment } from '../engine/app.js';
import { createArchitectProvider } from '../engine/architect/providers/index.js';
import type { ChatProvider } from '../engine/architect/types.js';
import type { Config } from '../engine/config.js';
import { syncZoo } from '../engine/models/registry.js';
import { JOBS } from '../engine/jobs.js';
import type { Logger } from '../engine/log.js';
import { packageVersion } from '../engine/paths.js';
import { RunnerClient, runnerPoolFromConfig } from '../engine/runner/client.js';
import { createArtifactStore } from '../storage/artifacts.js';
import { createDatasetRepo } from '../storage/datasets.js';
import { createModelRepo } from '../storage/models.js';
import { openDatabase } from '../storage/open.js';
import { createJobQueue } from '../storage/queue.js';
import { createStudyRepo } from '../storage/studies.js';
import { createSubscriptionRepo } from '../storage/subscriptions.js';

export interface CreateAppOptions {
  /** Start the queue (needed to send or work jobs). Default true. */
  startQueue?: boolean;
  /** Replaces the configured architect (tests script it). */
  architect?: () => ChatProvider;
  /** Embedded database in memory instead of $GENAUTOML_HOME/db (tests; ignored with DATABASE_URL). */
  inMemoryDatabase?: boolean;
}

export async function createApp(config: Config, logger: Logger, options: CreateAppOptions = {}): Promise<App> {
  const db = await openDatabase(config, { inMemory: options.inMemoryDatabase === true });
  const queue = createJobQueue(db, JOBS, logger.child({ component: 'queue' }), { maintenanceIntervalSeconds: config.queueMaintenanceS });
  try {
    if (options.startQueue !== false) await queue.start();
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  // One runner pool per process: every sandboxed runner of every tool and trial takes a slot.
  const admission = runnerPoolFromConfig(config);
  const runner = RunnerClient.fromConfig(config, { logger: logger.child({ component: 'runner' }), admission });
  let env: Promise<Environment> | undefined;
  let architect: ChatProvider | undefined;
  let closed = false;
  const app: App = {
    config,
    logger,
    db,
    queue,
    artifacts: createArtifactStore(db, path.join(config.home, 'cache')),
    datasets: createDatasetRepo(db),
    models: createModelRepo(db),
    studies: createStudyRepo(db),
    subscriptions: createSubscriptionRepo(db),
    runner,
    architect: options.architect ?? (() => (architect ??= createArchitectProvider(config))),
    environment: () => (env ??= runner.probeEnvironment().then((info) => ({ ...info, node: process.version, genautoml: packageVersion() }))),
    async close() {
      if (closed) return;
      closed = true;
      await queue.stop(10_000).catch((err) => logger.warn('queue stop failed', { err }));
      await runner.close().catch((err) => logger.warn('runner close failed', { err }));
      await db.close();
    },
  };
  try {
    await syncZoo(app);
  } catch (err) {
    await app.close().catch(() => {});
    throw err;
  }
  return app;
}
