/**
 * Warm trial processes: the next trial's process is started (torch imported) while a trial runs
 * and the next call takes it, filling its read-only input directory first. Each process still
 * serves one call, so a hostile trial can leave nothing behind for the next, and cannot reach the
 * warm process that waits beside it.
 */
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, makeClient, model, syntheticData, tmp, removeTmp } from './helpers.js';

// A root of its own, so the test sees exactly this client's directories (the sandbox user must
// be able to pass through its parent, as through the OS temp directory).
const parent = tmp('pool-root');
chmodSync(parent, 0o755);
const scratchRoot = path.join(parent, 'runner');
const client = makeClient({ validatePoolSize: 0, trialPoolSize: 1, scratchRoot });
afterAll(async () => {
  await client.close();
  removeTmp();
});
const data = syntheticData({ rows: 300, channels: 2 });
const dims = { task: 'forecasting' as const, lookback: 12, horizon: 4, nFeatures: 2 };
const train = { epochs: 1, batchSize: 32 };

/** The per-process directories in the scratch root: in-… (inputs) and t-… (scratch). */
const dirs = (): string[] => readdirSync(scratchRoot).filter((d) => /^(in|t)-/.test(d)).sort();

async function untilWarm(): Promise<void> {
  for (let i = 0; i < 600 && client.warmTrials < 1; i++) await new Promise((r) => setTimeout(r, 100));
  expect(client.warmTrials).toBe(1);
}

// What a hostile trial would try to leave for the next one, or do to the process waiting beside
// it (tests/fixtures/hostile/pool: each runs at import, before the runner builds the model).
const hostile = (name: string): string => readFileSync(path.join(FIXTURES, 'hostile', 'pool', name), 'utf8');

describe('warm trial processes', () => {
  it('starts the next process while a trial runs; the next call takes it and its directories go after', async () => {
    expect(client.warmTrials).toBe(0);
    await client.train({ code: model('linear.py'), dims, data, workDir: tmp('w1'), train });
    await untilWarm();
    const waiting = dirs();
    // One process waits: its input directory (bound read-only, still empty) and its scratch.
    expect(waiting).toHaveLength(2);
    const inputs = waiting.find((d) => d.startsWith('in-'));
    expect(waiting.find((d) => d.startsWith('t-'))).toBeDefined();
    expect(readdirSync(`${scratchRoot}/${inputs}`)).toEqual([]);

    const r = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('w2'), train });
    expect(r.epochs).toBe(1);
    // The waiting process served this call (its directories are gone with it) and a new one waits.
    await untilWarm();
    const now = dirs();
    for (const d of waiting) expect(now).not.toContain(d);
    expect(now).toHaveLength(2);
  }, 180_000);

  it('leaves nothing of a hostile trial to the next one', async () => {
    await untilWarm();
    await client.train({ code: hostile('leaves_traces.py'), dims, data, workDir: tmp('h1'), train }, { policy: false });
    const r = await client.train({ code: hostile('checks_clean.py'), dims, data, workDir: tmp('h2'), train }, { policy: false });
    expect(r.epochs).toBe(1);
  }, 180_000);

  it('keeps the waiting process out of reach of a trial that kills everything it can see', async () => {
    await untilWarm();
    const err = await client.train({ code: hostile('kills_all.py'), dims, data, workDir: tmp('k1'), train }, { policy: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: expect.stringMatching(/^runner\./) });
    // The process started when the killer took its own was waiting beside it the whole time: it
    // is still alive (nothing restarts an idle process that died), and the next call takes it.
    expect(client.warmTrials).toBe(1);
    const waiting = dirs();
    const r = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('k2'), train });
    expect(r.epochs).toBe(1);
    for (const d of waiting) expect(dirs()).not.toContain(d);
  }, 180_000);
});

describe('warm trial processes before the first trial', () => {
  const root = path.join(parent, 'prewarm');
  const pooled = makeClient({ validatePoolSize: 0, trialPoolSize: 2, trialPoolIdleS: 3, scratchRoot: root });
  afterAll(() => pooled.close());

  it('prewarmTrials fills the pool (one per slot) before any call, and idle processes exit after trialPoolIdleS', async () => {
    expect(pooled.warmTrials).toBe(0);
    pooled.prewarmTrials();
    expect(await pooled.trialsReady()).toBe(true);
    expect(pooled.warmTrials).toBe(2);
    // A call takes one of them; its replacement starts at once.
    const r = await pooled.train({ code: model('linear.py'), dims, data, workDir: tmp('p1'), train });
    expect(r.epochs).toBe(1);
    expect(await pooled.trialsReady()).toBe(true);
    // Nobody calls: they exit (memory back), and nothing starts new ones until the pool is used.
    for (let i = 0; i < 300 && pooled.warmTrials > 0; i++) await new Promise((res) => setTimeout(res, 100));
    expect(pooled.warmTrials).toBe(0);
    await new Promise((res) => setTimeout(res, 500));
    expect(pooled.warmTrials).toBe(0);
    expect(readdirSync(root).filter((d) => /^(in|t)-/.test(d))).toEqual([]);
  }, 180_000);
});
