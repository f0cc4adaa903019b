/**
 * The job queue: pg-boss 10 on the same database seam as everything else (PGlite included), with
 * payloads checked by zod on the way in and on the way out. Workers are polling loops; a
 * worker's concurrency is the number of loops it runs per queue.
 */
import PgBoss from 'pg-boss';
import type { z } from 'zod';
import { GenAutoMLError } from '../engine/errors.js';
import type { Logger } from '../engine/log.js';
import type { Database } from './db.js';

export type QueueRegistry = Record<string, z.ZodType>;

export interface SendOptions {
  /** Seconds before a running job is considered lost and retried. */
  expireInSeconds?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  singletonKey?: string;
  startAfterSeconds?: number;
  /** Throttle: at most one job per key in each window of this many seconds (the next slot if taken). */
  singletonSeconds?: number;
  /** Send inside this transaction, so the job exists exactly when the rows it names do. */
  tx?: Pick<Database, 'executeSql'>;
}

export interface JobInfo {
  id: string;
  retryCount: number;
}

export type JobHandler<T> = (payload: T, job: JobInfo) => Promise<void>;

export interface WorkOptions {
  concurrency?: number;
  pollingIntervalSeconds?: number;
}

export interface JobQueue<R extends QueueRegistry> {
  start(): Promise<void>;
  send<K extends keyof R & string>(queue: K, payload: z.input<R[K]>, options?: SendOptions): Promise<string | null>;
  work<K extends keyof R & string>(queue: K, handler: JobHandler<z.output<R[K]>>, options?: WorkOptions): Promise<void>;
  /** Stops fetching; waits up to `timeoutMs` for running handlers (graceful shutdown). */
  stop(timeoutMs?: number): Promise<void>;
  /** Jobs waiting or active in a queue. */
  pending(queue: keyof R & string): Promise<number>;
  /**
   * Wakes this process's workers of `queue` now instead of at their next poll. send() does it
   * itself; a job sent inside a transaction exists only once that commits, so its sender nudges
   * after the commit. Workers of other processes still find the job at their next poll.
   */
  nudge(queue: keyof R & string): void;
  readonly schema: string;
}

export interface QueueOptions {
  /** How often expired jobs are looked for (pg-boss maintenance; one host at a time does it). */
  maintenanceIntervalSeconds?: number;
}

export function createJobQueue<R extends QueueRegistry>(db: Database, registry: R, logger: Logger, options: QueueOptions = {}): JobQueue<R> {
  const schema = `${db.schema}_queue`;
  let started = false;
  let stopping = false;
  /** This process's pg-boss workers by queue, for nudge(). */
  const local = new Map<string, string[]>();
  // A local job is picked up at once rather than after up to a polling interval (1 s), twice per
  // trial (the trial's job, then the coordinator's).
  const nudge = (queue: string): void => {
    for (const id of local.get(queue) ?? []) boss.notifyWorker(id);
  };
  // pg-boss records a job's completion or failure without awaiting it: those statements are
  // tracked so stop() can let them land before the pool closes, and a statement that could not
  // even connect (a database restart) is retried briefly, so a finished job is not lost to a blip.
  const inflight = new Set<Promise<unknown>>();
  const bossSql = (text: string, values?: unknown[]): ReturnType<Database['executeSql']> => {
    const p = withConnectRetry(() => db.executeSql(text, values), () => stopping);
    inflight.add(p);
    p.then(
      () => inflight.delete(p),
      () => inflight.delete(p),
    );
    return p;
  };
  const newBoss = (): PgBoss => {
    const b = new PgBoss({
      db: { executeSql: bossSql },
      schema,
      // Cron scheduling is unused and its clock monitor adds queries on every host.
      schedule: false,
      supervise: true,
      ...(options.maintenanceIntervalSeconds === undefined ? {} : { maintenanceIntervalSeconds: options.maintenanceIntervalSeconds }),
      migrate: true,
    });
    b.on('error', (err) => logger.error('queue error', { err }));
    return b;
  };
  let boss = newBoss();

  const check = <K extends keyof R & string>(queue: K, payload: unknown): z.output<R[K]> => {
    const schemaFor = registry[queue];
    if (!schemaFor) throw new GenAutoMLError('queue.unknown', `Unknown queue ${queue}.`, { hint: `Queues: ${Object.keys(registry).join(', ')}` });
    const parsed = schemaFor.safeParse(payload);
    if (!parsed.success) {
      throw new GenAutoMLError('queue.bad_payload', `Invalid ${queue} job payload: ${parsed.error.message}`, { hint: 'This is a bug in the sender.' });
    }
    return parsed.data as z.output<R[K]>;
  };

  return {
    schema,
    async start() {
      if (started) return;
      // Hosts that start together on an empty schema race each other: pg-boss checks whether
      // it is installed before taking its lock (the loser then trips over the winner's schema),
      // and create_queue attaches partitions to one shared table (two of those can deadlock).
      // Each loser's transaction was rolled back whole, so starting again is safe; a pg-boss
      // instance that failed to start cannot be started twice, hence a fresh one per attempt.
      for (let attempt = 0; ; attempt++) {
        try {
          await boss.start();
          for (const name of Object.keys(registry)) {
            if (!(await boss.getQueue(name))) await boss.createQueue(name);
          }
          break;
        } catch (err) {
          const wait = START_RACE_RETRY_MS[attempt];
          if (wait !== undefined && isStartRace(err)) {
            logger.debug('queue start raced another host; starting again', { schema, attempt, err });
            await boss.stop({ graceful: false, wait: true, close: false }).catch(() => {});
            boss = newBoss();
            await new Promise((r) => setTimeout(r, wait * (0.5 + Math.random())));
            continue;
          }
          if (err instanceof GenAutoMLError) throw err;
          throw new GenAutoMLError('queue.start_failed', `The job queue could not start: ${(err as Error).message}`, {
            cause: err,
            hint: 'Check the database connection; the queue tables live in the schema ' + schema + '.',
          });
        }
      }
      started = true;
    },
    async send(queue, payload, options = {}) {
      const data = check(queue, payload);
      const id = await boss.send(queue, data as object, {
        ...(options.expireInSeconds === undefined ? {} : { expireInSeconds: options.expireInSeconds }),
        ...(options.retryLimit === undefined ? {} : { retryLimit: options.retryLimit }),
        ...(options.retryDelaySeconds === undefined ? {} : { retryDelay: options.retryDelaySeconds, retryBackoff: true }),
        ...(options.singletonKey === undefined ? {} : { singletonKey: options.singletonKey }),
        ...(options.startAfterSeconds === undefined ? {} : { startAfter: options.startAfterSeconds }),
        ...(options.singletonSeconds === undefined ? {} : { singletonSeconds: options.singletonSeconds, singletonNextSlot: true }),
        ...(options.tx === undefined ? {} : { db: { executeSql: (text: string, values: unknown[]) => options.tx!.executeSql(text, values) } }),
      });
      // Inside a transaction the job is not there yet: a woken worker would find nothing and
      // sleep a whole interval; the sender nudges after its commit instead.
      if (options.tx === undefined && options.startAfterSeconds === undefined) nudge(queue);
      return id;
    },
    nudge,
    async work(queue, handler, options = {}) {
      const loops = options.concurrency ?? 1;
      for (let i = 0; i < loops; i++) {
        const id = await boss.work<unknown>(
          queue,
          { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 },
          async (jobs) => {
            for (const job of jobs) {
              if (stopping) throw new GenAutoMLError('queue.shutting_down', 'Worker is shutting down.', { hint: 'The job will be retried.' });
              let payload: z.output<R[typeof queue]>;
              try {
                payload = check(queue, job.data);
              } catch (err) {
                // A malformed job can never succeed: log it and let pg-boss fail it.
                logger.error('dropping malformed job', { queue, id: job.id, err });
                throw err;
              }
              await handler(payload, { id: job.id, retryCount: job.retryCount });
            }
          },
        );
        local.set(queue, [...(local.get(queue) ?? []), id]);
      }
    },
    async stop(timeoutMs = 30_000) {
      if (!started) return;
      stopping = true;
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 5000).unref())]);
      started = false;
    },
    async pending(queue) {
      return boss.getQueueSize(queue);
    },
  };
}

/** Connection attempts that never reached the server: safe to repeat, the statement did not run. */
export function isConnectFailure(err: unknown): boolean {
  if (!(err instanceof GenAutoMLError) || err.code !== 'db.unreachable') return false;
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', '57P03'].includes(cause?.code ?? '') || /timeout exceeded when trying to connect/i.test(cause?.message ?? '');
}

/**
 * Errors of two hosts creating the same objects at once: deadlock_detected, unique_violation
 * (on the catalogue), duplicate_table, duplicate_object. The failed transaction ran nothing.
 */
export function isStartRace(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '23505' || code === '42P07' || code === '42710';
}

const START_RACE_RETRY_MS = [50, 150, 400, 1000, 2500];

const CONNECT_RETRY_MS = [250, 500, 1000, 2000, 4000, 8000];

/** Retries `run` while it fails to connect, for about 16 s, unless `giveUp()` says to stop. */
export async function withConnectRetry<T>(run: () => Promise<T>, giveUp: () => boolean = () => false): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const wait = CONNECT_RETRY_MS[attempt];
      if (wait === undefined || giveUp() || !isConnectFailure(err)) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
