/**
 * Warm trial processes: the next trial's process is started (torch imported) while a trial runs
 * and the next call takes it, filling its read-only input directory first. Each process still
 * serves one call, so a hostile trial can leave nothing behind for the next, and cannot reach the
 * warm process that waits beside it.
 */
import { chmodSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeClient, model, syntheticData, tmp, removeTmp } from './helpers.js';

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

// Runs at import, before the runner builds the model: what a hostile trial would try to leave
// for the next one, or do to the process waiting beside it.
const LEAVES_TRACES = `
import builtins, os, signal
open("/tmp/left-behind", "w").write("x")
builtins.LEFT_BEHIND = True
os.environ["LEFT_BEHIND"] = "1"
for d in os.listdir("/tmp"):
    try:
        open(os.path.join("/tmp", d, "planted"), "w").write("x")
    except OSError:
        pass
`;

const CHECKS_CLEAN = `
import builtins, os
assert not os.path.exists("/tmp/left-behind"), "a file from the previous trial"
assert not hasattr(builtins, "LEFT_BEHIND"), "interpreter state from the previous trial"
assert "LEFT_BEHIND" not in os.environ, "environment from the previous trial"
for root, _, files in os.walk("/tmp"):
    assert "planted" not in files, "a planted file in " + root
`;

// Kills every process it can see: in its own PID namespace, that is only itself.
const KILLS_ALL = `
import os, signal
os.kill(-1, signal.SIGKILL)
os.kill(os.getpid(), signal.SIGKILL)
`;

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
    await client.train({ code: LEAVES_TRACES + model('linear.py'), dims, data, workDir: tmp('h1'), train }, { policy: false });
    const r = await client.train({ code: CHECKS_CLEAN + model('linear.py'), dims, data, workDir: tmp('h2'), train }, { policy: false });
    expect(r.epochs).toBe(1);
  }, 180_000);

  it('keeps the waiting process out of reach of a trial that kills everything it can see', async () => {
    await untilWarm();
    const err = await client.train({ code: KILLS_ALL + model('linear.py'), dims, data, workDir: tmp('k1'), train }, { policy: false }).then(
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
