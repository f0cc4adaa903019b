/**
 * The worker runtime: whatever job handlers are registered in `registerWorkers` start polling the
 * queue with the configured concurrency. `genautoml worker` runs only this; `mcp` and `serve` run
 * it in-process beside the transports. Stopping lets running jobs finish (up to a grace period);
 * pg-boss retries whatever did not.
 */
import type { App } from '../engine/app.js';
import type { Logger } from '../engine/log.js';
import { registerSearchWorkers } from '../engine/search/worker.js';
import { waitForShutdownSignal } from './lifecycle.js';

export interface WorkerContext {
  concurrency: number;
  logger: Logger;
  /** Aborted when the worker stops: long jobs hand their work back (a trial is requeued). */
  signal: AbortSignal;
}

/** Subscribes one kind of job, typically `app.queue.work('trial', handler, { concurrency })`. */
export type WorkerRegistration<A = App> = (app: A, ctx: WorkerContext) => Promise<void> | void;

/** What the worker loop itself uses of the App; its registrations get all of `A`. */
export interface WorkerApp {
  logger: App['logger'];
  queue: Pick<App['queue'], 'stop'>;
}

/** The jobs every worker serves: study coordination, trials and webhook notifications. */
export const registerWorkers: WorkerRegistration[] = [
  (app, ctx) => registerSearchWorkers(app, { concurrency: ctx.concurrency, signal: ctx.signal }),
];

export interface WorkerOptions {
  concurrency: number;
  /** Stop on SIGINT/SIGTERM (for `genautoml worker`, where nothing else owns the signals). */
  handleSignals?: boolean;
  /** How long running jobs may take to finish on stop. */
  graceMs?: number;
  registrations?: readonly WorkerRegistration[];
}

export type WorkerLoopOptions = Omit<WorkerOptions, 'registrations'>;

export interface WorkerHandle {
  stop(): Promise<void>;
  /** Resolves once stop() has completed (by a call or a signal). */
  stopped: Promise<void>;
  /** Number of registrations started. */
  readonly handlers: number;
}

export function startWorker(app: App, options: WorkerOptions): Promise<WorkerHandle> {
  return runWorker(app, options.registrations ?? registerWorkers, options);
}

/** Starts the registrations on `app` and stops its queue once, on stop() or a signal. */
export async function runWorker<A extends WorkerApp>(app: A, registrations: readonly WorkerRegistration<A>[], options: WorkerLoopOptions): Promise<WorkerHandle> {
  const logger = app.logger.child({ component: 'worker' });
  const abort = new AbortController();
  for (const register of registrations) await register(app, { concurrency: options.concurrency, logger, signal: abort.signal });
  logger.info('worker started', { handlers: registrations.length, concurrency: options.concurrency });

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Running trials stop now and are requeued for another worker; then the queue drains.
      abort.abort();
      // Nothing polls when nothing registered; the queue still serves senders until app.close().
      if (registrations.length > 0) await app.queue.stop(options.graceMs ?? 30_000).catch((err: unknown) => logger.warn('queue stop failed', { err }));
      logger.info('worker stopped');
      resolveStopped();
    })());
  if (options.handleSignals) void waitForShutdownSignal(logger).then(() => stop());
  return { stop, stopped, handlers: registrations.length };
}

/**
 * The worker beside a server (`mcp`, `serve`, a bot): started unless GENAUTOML_INPROCESS_WORKER is
 * false, where dedicated `genautoml worker` processes run the jobs and the server only enqueues.
 */
export async function startServerWorker(app: App): Promise<WorkerHandle> {
  if (app.config.inprocessWorker) return startWorker(app, { concurrency: app.config.workerConcurrency });
  app.logger.info('no in-process worker (GENAUTOML_INPROCESS_WORKER=false): jobs wait for `genautoml worker` processes');
  return { stop: async () => {}, stopped: Promise.resolve(), handlers: 0 };
}
