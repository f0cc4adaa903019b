import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../../engine/log.js';
import { createJobQueue, type JobQueue } from '../../../storage/queue.js';
import { DB_MODE, openTestDatabase, type TestDatabase } from '../../helpers/db.js';

const registry = {
  echo: z.object({ n: z.number().int() }),
  slow: z.object({ ms: z.number().int() }),
};

async function until(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`queue on ${DB_MODE}`, () => {
  let t: TestDatabase;
  let queue: JobQueue<typeof registry>;
  beforeEach(async () => {
    t = await openTestDatabase();
    queue = createJobQueue(t.db, registry, silentLogger);
    await queue.start();
  });
  afterEach(async () => {
    await queue.stop(5_000);
    await t.dispose();
  });

  it('delivers typed payloads to workers', async () => {
    const seen: number[] = [];
    await queue.work('echo', async (p) => {
      seen.push(p.n);
    }, { pollingIntervalSeconds: 0.5 });
    for (const n of [1, 2, 3]) await queue.send('echo', { n });
    await until(() => seen.length === 3);
    expect(seen.sort()).toEqual([1, 2, 3]);
  });

  it('wakes this process\'s idle workers for a job sent, and after a transaction\'s commit when nudged', async () => {
    const seen: number[] = [];
    // A poll every 60 s: only a wake-up can deliver within the 20 s this test waits.
    await queue.work('echo', async (p) => {
      seen.push(p.n);
    }, { pollingIntervalSeconds: 60 });
    // Let the worker's first (empty) poll pass, so it is asleep when the jobs come.
    await new Promise((r) => setTimeout(r, 500));
    await queue.send('echo', { n: 1 });
    await until(() => seen.length === 1);
    await t.db.transaction(async (tx) => {
      await queue.send('echo', { n: 2 }, { tx });
    });
    queue.nudge('echo');
    await until(() => seen.length === 2);
    expect(seen).toEqual([1, 2]);
  });

  it('refuses payloads that do not match the queue schema', async () => {
    // @ts-expect-error: a string where the schema wants an integer
    await expect(queue.send('echo', { n: 'one' })).rejects.toMatchObject({ code: 'queue.bad_payload' });
    // @ts-expect-error: not a queue
    await expect(queue.send('nope', {})).rejects.toMatchObject({ code: 'queue.unknown' });
  });

  it('runs jobs concurrently up to the worker concurrency', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    await queue.work('slow', async (p) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, p.ms));
      running--;
      done++;
    }, { concurrency: 2, pollingIntervalSeconds: 0.5 });
    for (let i = 0; i < 4; i++) await queue.send('slow', { ms: 1500 });
    await until(() => done === 4, 30_000);
    expect(peak).toBe(2);
  });

  it('retries a failed job and reports the attempt number', async () => {
    const attempts: number[] = [];
    await queue.work('echo', async (_p, job) => {
      attempts.push(job.retryCount);
      if (job.retryCount === 0) throw new Error('first attempt fails');
    }, { pollingIntervalSeconds: 0.5 });
    await queue.send('echo', { n: 7 }, { retryLimit: 2, retryDelaySeconds: 1 });
    await until(() => attempts.length === 2, 30_000);
    expect(attempts).toEqual([0, 1]);
  });

  it('lets a running job finish on graceful stop', async () => {
    let finished = false;
    let started = false;
    await queue.work('slow', async (p) => {
      started = true;
      await new Promise((r) => setTimeout(r, p.ms));
      finished = true;
    }, { pollingIntervalSeconds: 0.5 });
    await queue.send('slow', { ms: 1500 });
    await until(() => started);
    await queue.stop(10_000);
    expect(finished).toBe(true);
  });
});

// Several hosts starting on one empty schema at once create the same queues together; pg-boss's
// create_queue attaches partitions to one shared table and two of those used to deadlock, killing
// a worker at start-up (seen in CI with two worker processes).
describe.runIf(DB_MODE === 'postgres')('queue start-up across hosts on PostgreSQL', () => {
  it('starts four hosts at once on one fresh schema', async () => {
    const many = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`q${i}`, z.object({ n: z.number() })]));
    const t = await openTestDatabase();
    const { openPostgres } = await import('../../../storage/postgres.js');
    const dbs = [t.db, ...(await Promise.all([1, 2, 3].map(() => openPostgres({ url: process.env.DATABASE_URL!, schema: t.schema, poolSize: 4 }))))];
    const queues = dbs.map((db) => createJobQueue(db, many, silentLogger));
    try {
      for (let round = 0; round < 3; round++) {
        await Promise.all(queues.map((q) => q.start()));
        await Promise.all(queues.map((q) => q.stop(2_000)));
      }
      const { rows } = await t.db.executeSql(`SELECT count(*)::int AS n FROM ${t.schema}_queue.queue`);
      expect(rows[0]).toEqual({ n: 8 });
    } finally {
      await Promise.all(queues.map((q) => q.stop(2_000)));
      await Promise.all(dbs.slice(1).map((db) => db.close()));
      await t.dispose();
    }
  }, 60_000);
});
